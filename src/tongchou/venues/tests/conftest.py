"""Venues of the personas' district: a supermarket in grid A, a parcel point in grid B,
a hotel in grid C; the venue owner persona answers for the supermarket."""

import pytest

from tongchou.venues.choices import Duty, VenueKind
from tongchou.venues.services import venue_create, venue_duty_set


@pytest.fixture
def venues(district, personas):
    market = venue_create(
        actor=None, area=district["grid_a"], name="景园超市", kind=VenueKind.SUPERMARKET
    )
    parcel = venue_create(
        actor=None, area=district["grid_b"], name="景园快递点", kind=VenueKind.PARCEL_POINT
    )
    hotel = venue_create(actor=None, area=district["grid_c"], name="盛和宾馆", kind=VenueKind.HOTEL)
    venue_duty_set(
        actor=None,
        venue=market,
        duty=Duty.UNIT,
        holder="景园超市有限公司",
        person_name="店长甲",
        phone="13900001111",
        user=personas["venue_owner"],
    )
    return {"market": market, "parcel": parcel, "hotel": hotel}
