"""Checks on what comes in at a venue's door: codes, temperatures, times."""

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tongchou.venues.choices import PLAUSIBLE_CELSIUS

_LOW, _HIGH = (Decimal(v) for v in PLAUSIBLE_CELSIUS)
_TOKEN = re.compile(r"([A-Za-z0-9_-]{8,32})/?$")
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}\Z")


class InvalidCheckIn(ValueError):
    """A check-in cannot be taken; the message says why, in Chinese."""


# Readings seen before, by their text: a batch has thousands of readings and a few
# dozen distinct values ("36.5"), so each text is checked once.
_READINGS: dict[str, Decimal] = {}


def parse_temperature(value, *, required: bool = False) -> Decimal | None:
    """A body temperature in °C to one decimal, or None when none was taken.

    Raises InvalidCheckIn for text that is no number and for a reading no
    living body gives (a device in Fahrenheit, a slipped finger).
    """
    if value.__class__ is str:
        known = _READINGS.get(value)
        if known is not None:
            return known
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidCheckIn("请填写体温")
        return None
    try:
        reading = Decimal(str(value).strip().replace("℃", "").replace("°C", "").strip())
    except InvalidOperation:
        raise InvalidCheckIn(f"体温“{value}”不是数字") from None
    if not reading.is_finite() or not (_LOW <= reading <= _HIGH):
        raise InvalidCheckIn(f"体温{value}℃不合理（应在{_LOW}至{_HIGH}℃之间），请复测")
    reading = reading.quantize(Decimal("0.1"))
    if value.__class__ is str and len(_READINGS) < 1000:
        _READINGS[value] = reading
    return reading


def token_from_scan(text: str) -> str:
    """The token of a scanned code, which holds the bare token or a page address ending in it."""
    if text.__class__ is str and _PLAIN_TOKEN.match(text):
        return text  # the common case, a bare token: no search needed
    match = _TOKEN.search(str(text or "").strip())
    if match is None:
        raise InvalidCheckIn("无法识别的码")
    return match[1]


def parse_checkin_time(value, *, latest: datetime | None = None) -> datetime:
    """An upload's time: ISO 8601 with an offset (or local time), not after ``latest``
    (by default ten minutes from now: a device clock a little fast is common, a day
    ahead is a wrong clock)."""
    if latest is None:
        latest = timezone.now() + timedelta(minutes=10)
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            # A device's ISO 8601 text: the C parser first, Django's for the odd shapes.
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            moment = parse_datetime(str(value or "").strip()) if value else None
        if moment is None:
            raise InvalidCheckIn(f"时间“{value}”格式无法识别（应如 2021-03-28T08:30:00+08:00）")
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    if moment > latest:
        raise InvalidCheckIn("签到时间晚于当前时间，请检查设备时钟")
    return moment
