"""Who checks in from the public page a venue code opens, and the phones that remember them.

The first time, a phone names someone by name, ID number and mobile number. Every way
of not being checked in as a resident reads the same — an ID number not on the ledger,
a wrong name, a wrong mobile number, a phone or an address over its budget, an ID number
locked on this phone — so the page tells no one whether an ID number is on the ledger.
A visitor not on the ledger is still registered on the venue's grid and checked in;
only the answer is the refusal's (see ``phone_identify``).

A phone that checked someone in is remembered by a token of its own (``PhoneDevice``),
never by the person's personal code token: the cookie opens nothing but this page and
``/v/me/``, and forgetting the phone revokes it.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from tongchou.common.idnumbers import normalize_phone
from tongchou.core.services import audit_record
from tongchou.registry.models import Person
from tongchou.venues.models import PhoneDevice, Venue
from tongchou.venues.services import visitor_register
from tongchou.venues.throttle import (
    id_number_locked,
    visitor_attempt_record,
    visitor_throttled,
    wrong_name_record,
)

MOBILE_LENGTH = 11


@dataclass(frozen=True)
class Identified:
    """What the page found: ``person`` to check in (None: no one), and whether they are
    a resident it may remember and name (``confirmed``); otherwise it answers as it
    refuses."""

    person: Person | None = None
    confirmed: bool = False


REFUSED = Identified()


def _ledger_mobile(person: Person) -> str:
    """The mobile number on the ledger, if it holds one (a landline is not the phone in hand)."""
    value = normalize_phone(person.phone or "")
    return value if len(value) == MOBILE_LENGTH and value.startswith("1") else ""


def _matches(person: Person, *, name: str, phone: str) -> bool:
    mobile = _ledger_mobile(person)
    return person.name == name and (not mobile or mobile == normalize_phone(phone))


@sensitive_variables("id_number", "phone")
def phone_identify(
    *, venue: Venue, name: str, id_number: str, phone: str, device: str | None, address
) -> Identified:
    """The person a phone's first check-in names, with its name and mobile number checked
    against the ledger's; a visitor not on the ledger is registered on ``venue``'s grid.

    A resident whose name (and mobile number, where the ledger has one) match is
    ``confirmed`` and never held back by the visitor budget, only by wrong names tried
    for their ID number from this phone or this address. A mismatch spends the budget
    a registration would, so an ID number on the ledger and one that is not cost the
    same. A visitor registered now is returned unconfirmed: the page checks them in
    but answers as it refuses, and next time the same details find them confirmed.
    """
    person = Person.objects.unscoped_for_system_use().filter(id_number=id_number).first()
    if person is None:
        if visitor_throttled(device=device, address=address):
            return REFUSED
        try:
            person = visitor_register(venue=venue, name=name, id_number=id_number, phone=phone)
        except ValidationError:
            # The form checked the same fields; an answer of its own would tell this
            # ID number apart from one on the ledger.
            return REFUSED
        visitor_attempt_record(device=device, address=address)
        return Identified(person=person, confirmed=False)
    if not _matches(person, name=name, phone=phone):
        wrong_name_record(id_number=person.id_number, device=device, address=address)
        return REFUSED
    if id_number_locked(id_number=person.id_number, device=device, address=address):
        return REFUSED
    return Identified(person=person, confirmed=True)


def _token_hash(token: str) -> str:
    # The token is 32 random bytes: a plain hash is as good as a keyed one.
    return hashlib.sha256(token.encode()).hexdigest()


def phone_device_remember(*, person: Person) -> str:
    """Remember ``person`` on a phone; return the token for its cookie (stored hashed)."""
    token = secrets.token_urlsafe(32)
    device = PhoneDevice.objects.create(person=person, token_hash=_token_hash(token))
    audit_record(
        actor=None, action="phonedevice.remember", instance=device, after={"person": person.pk}
    )
    return token


def phone_device_person(token: str | None) -> Person | None:
    """The person the phone holding ``token`` remembers, unless it was revoked."""
    if not token:
        return None
    device = (
        PhoneDevice.objects.filter(token_hash=_token_hash(token), revoked_at__isnull=True)
        .select_related("person")
        .first()
    )
    if device is None:
        return None
    PhoneDevice.objects.filter(pk=device.pk).update(last_used_at=timezone.now())
    return device.person


def phone_device_revoke(*, token: str | None) -> bool:
    """Forget the phone holding ``token``: its cookie opens nothing from now on."""
    if not token:
        return False
    device = PhoneDevice.objects.filter(
        token_hash=_token_hash(token), revoked_at__isnull=True
    ).first()
    if device is None:
        return False
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    audit_record(
        actor=None,
        action="phonedevice.revoke",
        instance=device,
        before={"revoked_at": None},
        after={"revoked_at": device.revoked_at.isoformat()},
    )
    return True
