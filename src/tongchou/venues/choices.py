"""Kinds of venue, the four parties responsible for one, how a check-in was taken."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    """Key venues (重点场所), the nine small kinds (九小场所), key populations' places."""

    HOTEL = "hotel", _("Hotel")
    ONLINE_HOTEL = "online_hotel", _("Online-booked hotel")
    ONLINE_ROOM = "online_room", _("Online-rented room")
    MALL = "mall", _("Shopping mall")
    SUPERMARKET = "supermarket", _("Supermarket")
    PARCEL_POINT = "parcel_point", _("Parcel point")
    SMALL_SHOP = "small_shop", _("Small shop")
    SMALL_EATERY = "small_eatery", _("Small eatery")
    SMALL_HOSTEL = "small_hostel", _("Small hostel")
    SMALL_INTERNET_CAFE = "small_internet_cafe", _("Small internet cafe")
    SMALL_BEAUTY = "small_beauty", _("Small salon or bathhouse")
    SMALL_ENTERTAINMENT = "small_entertainment", _("Small karaoke or dance hall")
    SMALL_CLINIC = "small_clinic", _("Small clinic or pharmacy")
    SMALL_SCHOOL = "small_school", _("Small school or kindergarten")
    SMALL_WORKSHOP = "small_workshop", _("Small workshop")
    MARKET = "market", _("Market")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    SCHOOL = "school", _("School")
    ELDERLY_HOME = "elderly_home", _("Elderly-care home")
    ENTERPRISE = "enterprise", _("Enterprise")


# How long two visits apart still count as close contact (密接), by kind, in minutes:
# people stay for a night in a hotel and for a working day at a school or a
# site, but pass through a parcel point in minutes. A venue may set its own.
CONTACT_WINDOW_MINUTES = {
    VenueKind.HOTEL: 12 * 60,
    VenueKind.ONLINE_HOTEL: 12 * 60,
    VenueKind.ONLINE_ROOM: 12 * 60,
    VenueKind.SMALL_HOSTEL: 12 * 60,
    VenueKind.MALL: 60,
    VenueKind.SUPERMARKET: 30,
    VenueKind.PARCEL_POINT: 15,
    VenueKind.MARKET: 30,
    VenueKind.SMALL_SHOP: 15,
    VenueKind.SMALL_EATERY: 60,
    VenueKind.SMALL_INTERNET_CAFE: 120,
    VenueKind.SMALL_BEAUTY: 60,
    VenueKind.SMALL_ENTERTAINMENT: 120,
    VenueKind.SMALL_CLINIC: 30,
    VenueKind.SMALL_SCHOOL: 8 * 60,
    VenueKind.SMALL_WORKSHOP: 8 * 60,
    VenueKind.CONSTRUCTION_SITE: 8 * 60,
    VenueKind.SCHOOL: 8 * 60,
    VenueKind.ELDERLY_HOME: 8 * 60,
    VenueKind.ENTERPRISE: 8 * 60,
}
# Co-location (时空伴随) reaches this many contact windows either side of a visit.
COLOCATION_FACTOR = 4

VENUE_KIND_BY_LABEL = {
    "宾馆": VenueKind.HOTEL,
    "酒店": VenueKind.HOTEL,
    "网约酒店": VenueKind.ONLINE_HOTEL,
    "网约房": VenueKind.ONLINE_ROOM,
    "商场": VenueKind.MALL,
    "超市": VenueKind.SUPERMARKET,
    "快递点": VenueKind.PARCEL_POINT,
    "快递网点": VenueKind.PARCEL_POINT,
    "小商店": VenueKind.SMALL_SHOP,
    "小餐饮": VenueKind.SMALL_EATERY,
    "小旅馆": VenueKind.SMALL_HOSTEL,
    "小网吧": VenueKind.SMALL_INTERNET_CAFE,
    "小美容洗浴": VenueKind.SMALL_BEAUTY,
    "小美容美发": VenueKind.SMALL_BEAUTY,
    "小歌舞娱乐": VenueKind.SMALL_ENTERTAINMENT,
    "小诊所": VenueKind.SMALL_CLINIC,
    "小医院": VenueKind.SMALL_CLINIC,
    "小药店": VenueKind.SMALL_CLINIC,
    "小学校": VenueKind.SMALL_SCHOOL,
    "小幼儿园": VenueKind.SMALL_SCHOOL,
    "小作坊": VenueKind.SMALL_WORKSHOP,
    "小生产加工企业": VenueKind.SMALL_WORKSHOP,
    "农贸市场": VenueKind.MARKET,
    "市场": VenueKind.MARKET,
    "建筑工地": VenueKind.CONSTRUCTION_SITE,
    "工地": VenueKind.CONSTRUCTION_SITE,
    "学校": VenueKind.SCHOOL,
    "养老机构": VenueKind.ELDERLY_HOME,
    "养老院": VenueKind.ELDERLY_HOME,
    "企业": VenueKind.ENTERPRISE,
}


class Duty(models.TextChoices):
    """四方责任: the four parties answerable for a venue."""

    TERRITORIAL = "territorial", _("Territorial")
    DEPARTMENT = "department", _("Department")
    UNIT = "unit", _("Unit")
    INDIVIDUAL = "individual", _("Individual")


class CheckInMethod(models.TextChoices):
    VENUE_CODE = "venue_code", _("Scanned the venue code")
    PERSONAL_CODE = "personal_code", _("Door keeper scanned the personal code")
    GATE = "gate", _("Gate device")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


# A temperature at or above this raises a fever alert (发热预警).
FEVER_CELSIUS = "37.3"
# Outside this range a reading is a typing or device error, not a body temperature.
PLAUSIBLE_CELSIUS = ("34.0", "43.0")
