"""A running round over the personas' district: zone west = office 1, zone east = office 2."""

from datetime import date, time

import pytest

from tongchou.core.choices import Role
from tongchou.testing import services
from tongchou.testing_support import make_user


@pytest.fixture
def testing_round(personas, district):
    command = personas["command"]
    r = services.round_create(
        actor=command,
        number=3,
        name="第三轮全员核酸检测",
        area=district["district"],
        excluded_tags=["boarding_pupil", "university_student"],
    )
    west = services.zone_create(
        actor=command,
        testing_round=r,
        name="武盛大道以西",
        day=date(2022, 3, 28),
        start=time(8),
        end=time(15),
        nodes=[district["office1"]],
    )
    east = services.zone_create(
        actor=command,
        testing_round=r,
        name="武盛大道以东",
        day=date(2022, 3, 29),
        start=time(8),
        end=time(15),
        nodes=[district["office2"]],
    )
    services.site_create(
        actor=command,
        zone=west,
        name="景园社区广场",
        area=district["community1"],
        hourly_capacity=300,
        lab=personas["lab"],
        samplers=[personas["sampler"]],
    )
    services.site_create(
        actor=command,
        zone=east,
        name="盛和社区",
        area=district["community3"],
        hourly_capacity=200,
        lab=personas["lab"],
    )
    services.round_open(actor=command, testing_round=r)
    return r


@pytest.fixture
def site(testing_round):
    return testing_round.zones.get(name="武盛大道以西").sites.get()


@pytest.fixture
def other_lab(district):
    return make_user("other_lab", Role.LAB, district["district"])
