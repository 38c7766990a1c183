"""How many identity attempts the public check-in page takes from one phone and one
address before it sends people to the staff at the door.

A new visitor registered from the page, and a name that does not match a ledger ID
number, are counted alike, so the page answers the same and spends the same budget
whether or not an ID number is on the ledger. Counting is the sign-in lockout's
(``core.lockout``); these are its pseudo-names.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

from tongchou.core.lockout import attempt_record, attempts_count

DEVICE_NAME_PREFIX = "#visitor:"
ID_NUMBER_NAME_PREFIX = "#id-number:"
UNKNOWN_DEVICE = "-"


def _device_name(device: str | None) -> str:
    return f"{DEVICE_NAME_PREFIX}{device or UNKNOWN_DEVICE}"


def _id_number_name(id_number: str) -> str:
    # Keyed hash: the attempts table is not personal data and must not hold ID numbers.
    digest = salted_hmac("venues.throttle.id-number", id_number, algorithm="sha256")
    return f"{ID_NUMBER_NAME_PREFIX}{digest.hexdigest()[:32]}"


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
    """A name that does not match ``id_number``: spends the visitor budget like a
    registration, and counts against the ID number whichever phone tried it."""
    visitor_attempt_record(device=device, address=address)
    attempt_record(name=_id_number_name(id_number), address=address)


def id_number_locked(*, id_number: str) -> bool:
    """Whether wrong names for ``id_number`` were tried too often (guessing its name)."""
    tried = attempts_count(
        seconds=settings.VISITOR_DEVICE_WINDOW_SECONDS, name=_id_number_name(id_number)
    )
    return tried >= settings.VISITOR_MAX_WRONG_NAMES_PER_ID_NUMBER
