"""The demo district: the synthetic district loaded through the real import path,
one login per role, and some tasks so every page has something to show."""

import tempfile
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.common.spreadsheets import write_table
from tongchou.core.choices import Role
from tongchou.core.services import user_create
from tongchou.dashboard.synthetic import district_tree, residents
from tongchou.grid.models import GridNode
from tongchou.grid.services import grid_import_rows
from tongchou.registry.ledger import people_import
from tongchou.testing.demo import load_testing_demo
from tongchou.tracing.demo import load_tracing_demo
from tongchou.venues.demo import load_venues_demo

DEMO_PASSWORD = "tongchou-demo"  # noqa: S105  (printed for the demo; never in production)
# (username, role, full name, node code of the grant)
DEMO_USERS = [
    ("command", Role.COMMAND, "指挥部值班员", "SFQ"),
    ("office", Role.OFFICE, "文昌办事处干部", "SFQ-O01"),
    ("community", Role.COMMUNITY, "景园社区书记", "SFQ-O01-C01"),
    ("grid1", Role.GRID_WORKER, "景园社区第1网格员", "SFQ-O01-C01-G01"),
    ("grid2", Role.GRID_WORKER, "景园社区第2网格员", "SFQ-O01-C01-G02"),
    ("taskforce", Role.TASK_FORCE, "疫苗接种专班成员", "SFQ-O01"),
    ("sampler", Role.SAMPLER, "采样员", "SFQ-O01-C01"),
    ("lab", Role.LAB, "检测机构", "SFQ"),
    ("inspector", Role.INSPECTOR, "市场监管执法员", "SFQ"),
    ("projects", Role.PROJECT_OFFICE, "发改办", "SFQ"),
    ("discipline", Role.DISCIPLINE, "纪工委", "SFQ"),
    ("tracer", Role.TRACER, "流调专班队员", "SFQ"),
    # A venue's own responsible person holds no grant: their venue is named to them.
    ("venue", Role.VENUE_OWNER, "景园超市店长", ""),
]


def write_ledgers(
    folder: Path, *, people: int, seed: int, suffix: str = ".csv"
) -> tuple[Path, Path]:
    """Write the grid ledger and the residents' ledger of a synthetic district."""
    grid_path = write_table(
        folder / f"grid{suffix}",
        ["编码", "名称", "层级", "上级编码"],
        ([n.code, n.name, n.level, n.parent_code] for n in district_tree(people)),
    )
    rows = residents(people, seed)
    first = next(rows)
    header = list(first)

    def all_rows():
        yield list(first.values())
        for row in rows:
            yield list(row.values())

    people_path = write_table(folder / f"people{suffix}", header, all_rows())
    return grid_path, people_path


def load_demo(*, people: int = 20000, seed: int = 1, progress=None) -> dict:
    """Load the demo district into an empty database; refuse to touch a loaded one."""
    if GridNode.objects.exists():
        raise RuntimeError("数据库中已有网格数据，演示数据只能装入空数据库")
    with tempfile.TemporaryDirectory() as tmp:
        grid_path, people_path = write_ledgers(Path(tmp), people=people, seed=seed)
        nodes = [
            dict(
                zip(
                    ("code", "name", "level", "parent_code"),
                    (n.code, n.name, n.level, n.parent_code),
                    strict=True,
                )
            )
            for n in district_tree(people)
        ]
        grid_report = grid_import_rows(actor=None, rows=nodes)
        report = people_import(actor=None, path=people_path, progress=progress)
    with transaction.atomic():
        node_id = dict(GridNode.objects.values_list("code", "id"))
        users = {}
        for username, role, full_name, code in DEMO_USERS:
            users[username] = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                node_ids=[node_id[code]] if code else [],
            )
        now = timezone.now()
        grid1 = GridNode.objects.get(code="SFQ-O01-C01-G01")
        grid2 = GridNode.objects.get(code="SFQ-O01-C01-G02")
        task_create(
            actor=users["command"],
            title="核对本网格返乡人员台账",
            area=grid1,
            due_at=now + timedelta(days=1),
            description="逐户核对，做到不漏一人",
        )
        task_create(
            actor=users["command"],
            title="上门核实卧床老人核酸检测需求",
            area=grid1,
            due_at=now - timedelta(hours=6),
        )
        task_create(
            actor=users["community"],
            title="发放疫情防控明白卡",
            area=grid2,
            due_at=now - timedelta(days=1),
            owner_user=users["grid2"],
        )
        task_create(
            actor=users["command"],
            title="梳理社区重点场所清单",
            area=GridNode.objects.get(code="SFQ-O01-C01"),
            due_at=now + timedelta(days=2),
            owner_user=users["community"],
        )
    testing = load_testing_demo(users=users)
    with transaction.atomic():
        venues = load_venues_demo(users=users, seed=seed)
        tracing = load_tracing_demo(users=users)
    return {
        "nodes": grid_report.created,
        **report.summary(),
        "testing": testing,
        "venues": venues,
        "tracing": tracing,
    }
