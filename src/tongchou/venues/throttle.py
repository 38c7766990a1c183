"""How many identity attempts the public check-in page takes from one phone and one
address before it sends people to the staff at the door.

A new visitor registered from the page, and a name (or mobile number) that does not
match a ledger ID number, are counted alike, so the page answers the same and spends the
same budget whether or not an ID number is on the ledger. Counting is the sign-in
lockout's (``core.lockout``); these are its pseudo-names.

Wrong names for one ID number are counted per phone and per address, never from
anywhere: strangers trying names elsewhere cannot lock a resident out of their own phone.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

from tongchou.core.lockout import attempt_record, attempts_count

DEVICE_NAME_PREFIX = "#visitor:"
ID_NUMBER_NAME_PREFIX = "#id-number:"
UNKNOWN_DEVICE = "-"


def _device_name(device: str | None) -> str:
    return f"{DEVICE_NAME_PREFIX}{device or UNKNOWN_DEVICE}"


def _id_number_prefix(id_number: str) -> str:
    # Keyed hash: the attempts table is not personal data and must not hold ID numbers.
    digest = salted_hmac("venues.throttle.id-number", id_number, algorithm="sha256")
    return f"{ID_NUMBER_NAME_PREFIX}{digest.hexdigest()[:32]}:"


def _id_number_name(id_number: str, device: str | None) -> str:
    """The pseudo-name of wrong names for ``id_number`` from ``device``: the ID number's
    prefix, so its attempts from one address are counted too, then the phone's hash."""
    digest = salted_hmac("venues.throttle.device", device or UNKNOWN_DEVICE, algorithm="sha256")
    return f"{_id_number_prefix(id_number)}{digest.hexdigest()[:16]}"


def visitor_throttled(*, device: str | None, address: str | None) -> bool:
    """Whether this phone, or this address, has used up its visitor registrations."""
    per_device = attempts_count(
        seconds=settings.VISITOR_DEVICE_WINDOW_SECONDS, name=_device_name(device)
    )
    if device and per_device >= settings.VISITOR_MAX_PER_DEVICE:
        return True
    per_address = attempts_count(
        seconds=settings.VISITOR_ADDRESS_WINDOW_SECONDS,
        name_prefix=DEVICE_NAME_PREFIX,
        address=address,
    )
    return per_address >= settings.VISITOR_MAX_PER_ADDRESS


def visitor_attempt_record(*, device: str | None, address: str | None) -> None:
    """A visitor registered (or a wrong name tried) from this phone and address."""
    attempt_record(name=_device_name(device), address=address)


def wrong_name_record(*, id_number: str, device: str | None, address: str | None) -> None:
    """A name (or mobile number) that does not match ``id_number``: spends the visitor
    budget like a registration, and counts against the ID number from this phone and
    this address."""
    visitor_attempt_record(device=device, address=address)
    attempt_record(name=_id_number_name(id_number, device), address=address)


def id_number_locked(*, id_number: str, device: str | None, address: str | None) -> bool:
    """Whether wrong names for ``id_number`` were tried too often from this phone, or from
    this address (a script that drops its cookies is a new phone each time)."""
    window, most = (
        settings.VISITOR_DEVICE_WINDOW_SECONDS,
        settings.VISITOR_MAX_WRONG_NAMES_PER_ID_NUMBER,
    )
    if attempts_count(seconds=window, name=_id_number_name(id_number, device)) >= most:
        return True
    from_address = attempts_count(
        seconds=window, name_prefix=_id_number_prefix(id_number), address=address
    )
    return from_address >= most
