"""``tongchou demo``: load the demo district into an empty database and print the logins."""

from django.core.management.base import BaseCommand

from tongchou.common.progress import ProgressBar
from tongchou.dashboard.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from tongchou.grid.models import GridNode


class Command(BaseCommand):
    help = "Load the demo district (about 20,000 residents) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, people, seed, **options):
        if GridNode.objects.exists():
            self.stdout.write("演示数据已装入（数据库非空），跳过装载。")
        else:
            result = load_demo(people=people, seed=seed, progress=ProgressBar("装载演示居民"))
            self.stdout.write(f"已装入 {result['nodes']} 个网格节点、{result['created']} 名居民。")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, full_name, code in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role.label:<10} {full_name}（{code or '—'}）")
