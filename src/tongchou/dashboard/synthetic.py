"""A synthetic district of any size, the same for the same seed.

The tree follows the source page: 示范区 with 文昌办事处 and its 景园, 中原 and
天明 communities, and more offices and communities as the population grows
(about a thousand residents per grid, as a grid worker's load). Residents get
valid ID numbers, realistic names and addresses, and households of one to six.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from tongchou.common.idnumbers import check_digit

OFFICE_NAMES = ["文昌", "武盛", "祥和", "尚庄", "洞林", "常庄", "须水", "孙庄"]
COMMUNITY_NAMES = [
    ["景园", "中原", "天明", "文华", "龙腾"],
    ["武盛", "盛和", "金桥", "东苑"],
    ["祥和", "锦绣", "康宁", "福顺"],
    ["尚庄", "翠竹", "丰收", "春华"],
]
FAMILY_NAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉建华红梅飞鑫波斌宇浩凯"
    "晨欣怡子涵梓轩一诺雨桐思远嘉怡浩然俊杰佳琪文博志强海燕丹晓东春梅国庆建国淑珍桂芳振华"
)
# Region codes: the city's own districts mostly, and some from elsewhere for people who moved in.
LOCAL_REGIONS = ["410102", "410103", "410104", "410105", "410106", "410108", "410122", "410182"]
OTHER_REGIONS = ["411302", "412702", "410402", "410802", "341221", "130102", "510104", "220202"]
# Historical codes that are still valid on old cards (the check must accept them).
HISTORIC_REGIONS = ["412701", "410181"]
STREETS = ["文昌路", "武盛大道", "祥和路", "尚庄街", "中原西路", "天明路", "景园路", "须水河路"]


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    level: str
    parent_code: str


def district_tree(people: int) -> list[Node]:
    """The grid of a district sized for ``people`` residents, parents before children."""
    grids_wanted = max(18, people // 1000)
    communities_wanted = max(9, -(-grids_wanted // 8))
    offices_wanted = max(3, -(-communities_wanted // 5))
    nodes = [Node("SFQ", "示范区", "district", "")]
    communities: list[tuple[str, str]] = []
    for o in range(offices_wanted):
        base = OFFICE_NAMES[o % len(OFFICE_NAMES)]
        office_name = f"{base}办事处" if o < len(OFFICE_NAMES) else f"{base}第{o}办事处"
        office_code = f"SFQ-O{o + 1:02d}"
        nodes.append(Node(office_code, office_name, "office", "SFQ"))
        names = COMMUNITY_NAMES[o] if o < len(COMMUNITY_NAMES) else []
        per_office = -(-communities_wanted // offices_wanted)
        for c in range(per_office):
            if len(communities) >= communities_wanted and c > 0:
                break
            name = f"{names[c]}社区" if c < len(names) else f"{office_name[:2]}第{c + 1}社区"
            code = f"{office_code}-C{c + 1:02d}"
            nodes.append(Node(code, name, "community", office_code))
            communities.append((code, name))
    per_community = -(-grids_wanted // len(communities))
    for community_code, community_name in communities:
        for g in range(per_community):
            grid_code = f"{community_code}-G{g + 1:02d}"
            nodes.append(Node(grid_code, f"{community_name}第{g + 1}网格", "grid", community_code))
            for b in range(6):
                nodes.append(Node(f"{grid_code}-B{b + 1}", f"{b + 1}号楼", "building", grid_code))
    return nodes


def make_id_number(rng: random.Random, region: str, born: date, female: bool) -> str:
    serial = rng.randrange(0, 50) * 2 + (0 if female else 1)
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(0, 10)}{serial:02d}"
    return first17 + check_digit(first17)


def _age_years(rng: random.Random) -> int:
    # A population pyramid that is roughly right: fewer children and very old people.
    return min(int(rng.triangular(0, 98, 38)), 99)


def residents(people: int, seed: int, today: date | None = None) -> Iterator[dict]:
    """``people`` resident rows for the district of ``district_tree(people)``."""
    rng = random.Random(seed)
    today = today or date(2026, 3, 20)
    grids = [n for n in district_tree(people) if n.level == "grid"]
    community_name = {n.code: n.name for n in district_tree(people) if n.level == "community"}
    used_ids: set[str] = set()
    made = 0
    household_no = 0
    doors: dict[tuple[str, int], int] = {}
    while made < people:
        grid = grids[household_no % len(grids)]
        household_no += 1
        building = rng.randrange(1, 7)
        # Doors are handed out in order within a building, so no two households share one.
        door = doors.get((grid.code, building), 0)
        doors[(grid.code, building)] = door + 1
        unit, floor, room = door // 72 + 1, door % 72 // 4 + 1, door % 4 + 1
        number = f"{building}-{unit}-{floor:02d}{room:02d}"
        street = STREETS[household_no % len(STREETS)]
        address = (
            f"{street}{rng.randrange(1, 300)}号{community_name[grid.parent_code]}"
            f"{building}号楼{unit}单元{floor:02d}{room:02d}室"
        )
        family = rng.choice(FAMILY_NAMES)
        size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6]), people - made)
        head_age = max(_age_years(rng), 20)
        for member in range(size):
            if member == 0:
                age, relation = head_age, "户主"
            elif member == 1:
                age, relation = max(head_age + rng.randrange(-5, 6), 18), "配偶"
            elif member == size - 1 and head_age < 55 and size >= 4:
                age, relation = head_age + rng.randrange(22, 32), "父母"
            else:
                age, relation = max(head_age - rng.randrange(20, 36), 0), "子女"
            age = min(age, 99)
            born = today - timedelta(days=age * 365 + rng.randrange(0, 365))
            female = rng.random() < 0.5 if member != 1 else rng.random() < 0.9
            regions = (
                LOCAL_REGIONS
                if rng.random() < 0.8
                else OTHER_REGIONS
                if rng.random() < 0.9
                else HISTORIC_REGIONS
            )
            while True:
                id_number = make_id_number(rng, rng.choice(regions), born, female)
                if id_number not in used_ids:
                    used_ids.add(id_number)
                    break
            surname = family if relation in ("户主", "子女") else rng.choice(FAMILY_NAMES)
            given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice([1, 2, 2])))
            phone = (
                ""
                if age < 12
                else (
                    f"1{rng.choice('3456789')}{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}"
                )
            )
            tags = []
            if 7 <= age <= 17 and rng.random() < 0.04:
                tags.append("寄宿生")
            if 18 <= age <= 22 and rng.random() < 0.35:
                tags.append("高校学生")
            if age >= 80 and rng.random() < 0.06:
                tags.append("养老院")
            if 20 <= age <= 60:
                roll = rng.random()
                if roll < 0.25:
                    tags.append("企业职工")
                elif roll < 0.30:
                    tags.append("建筑工人")
            yield {
                "姓名": surname + given,
                "身份证号": id_number,
                "联系电话": phone,
                "现住址": address,
                "所属网格": grid.code,
                "楼栋": f"{building}号楼",
                "户号": number,
                "与户主关系": relation,
                "人员类别": "、".join(tags),
            }
            made += 1
