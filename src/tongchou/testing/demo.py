"""The demo's round in progress: the source page's third round, west of 武盛大道 today."""

import itertools
from datetime import time, timedelta

from django.utils import timezone

from tongchou.grid.models import GridNode
from tongchou.testing import services
from tongchou.testing.selectors import expected_people


def load_testing_demo(*, users: dict) -> dict:
    """Plan round 3, open it, sample part of 景园社区 grid 1 and report some results."""
    command, sampler, lab = users["command"], users["sampler"], users["lab"]
    district = GridNode.objects.get(code="SFQ")
    offices = list(GridNode.objects.filter(level="office").order_by("code"))
    today = timezone.localdate()
    testing_round = services.round_create(
        actor=command,
        number=3,
        name="第三轮全员核酸检测",
        area=district,
        excluded_tags=["boarding_pupil", "university_student"],
        expected_positivity=0.001,
        pool_size=10,
        queue_bound=200,
    )
    west = services.zone_create(
        actor=command,
        testing_round=testing_round,
        name="武盛大道以西",
        day=today,
        start=time(8),
        end=time(15),
        nodes=offices[:1],
    )
    east = services.zone_create(
        actor=command,
        testing_round=testing_round,
        name="武盛大道以东",
        day=today + timedelta(days=1),
        start=time(8),
        end=time(15),
        nodes=offices[1:],
    )
    sites = {}
    for zone in (west, east):
        for community in GridNode.objects.filter(
            level="community", parent__in=[zn.node for zn in zone.zone_nodes.all()]
        ):
            sites[community.code] = services.site_create(
                actor=command,
                zone=zone,
                name=f"{community.name}采样点",
                area=community,
                hourly_capacity=400,
                lab=lab,
                samplers=[sampler] if community.code == "SFQ-O01-C01" else [],
            )
    services.round_open(actor=command, testing_round=testing_round)

    site = sites["SFQ-O01-C01"]
    grid1 = GridNode.objects.get(code="SFQ-O01-C01-G01")
    people = list(
        expected_people(testing_round)
        .filter(area__path__startswith=grid1.path)
        .order_by("id")[:300]
    )
    keys = itertools.count()
    barcodes = []
    for start in range(0, len(people), 10):
        barcode = f"DEMO{start // 10 + 1:05d}"
        services.tube_open(actor=sampler, site=site, barcode=barcode, kind="pool10")
        for person in people[start : start + 10]:
            services.sample_scan(
                actor=sampler,
                tube_barcode=barcode,
                code_token=person.code_token,
                idempotency_key=f"demo-{next(keys)}",
            )
        if start + 10 < len(people) or len(people[start:]) == 10:
            services.tube_seal(actor=sampler, tube_barcode=barcode)
            barcodes.append(barcode)
    # Most sealed tubes are back from the lab; one pool is positive; two are still out.
    resulted = barcodes[:-2]
    positive = resulted[min(3, len(resulted) - 1)] if resulted else None
    rows = [
        (i + 2, code, "阳性" if code == positive else "阴性") for i, code in enumerate(resulted)
    ]
    services.results_apply(lab=lab, rows=rows, file_name="演示结果.xlsx")
    return {"round": testing_round.pk, "sampled": len(people), "tubes": len(barcodes)}
