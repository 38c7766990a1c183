"""A district with one of everything a URL can name, three times over where records hang
on the grid: in grid A ("own" for grid A's worker), in grid B of the same community
("sibling"), and in grid C under the other office ("other"). The permission matrix and
the leak crawler both run in it.

Every resident has a name no page would show by chance, so a crawler can look for it.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tongchou.command.services import task_create
from tongchou.core.choices import Role
from tongchou.core.jobs import job_enqueue
from tongchou.core.services import api_token_create
from tongchou.registry import services as registry_services
from tongchou.registry.tasks import IMPORT_PEOPLE
from tongchou.testing import services as testing_services
from tongchou.testing.tasks import RESULTS_FILE
from tongchou.testing_support import make_user, valid_id_number
from tongchou.tracing.choices import CaseFoundBy, CaseKind, ContactTier, ControlKind
from tongchou.tracing.services import case_record, contact_add, control_start
from tongchou.venues.choices import CheckInMethod, Duty, VenueKind
from tongchou.venues.models import CheckIn, FeverAlert
from tongchou.venues.services import Reading, checkins_ingest, venue_create, venue_duty_set
from tongchou.venues.tasks import IMPORT_VENUES

RELATIONS = ("own", "sibling", "other")
GRID_OF = {"own": "grid_a", "sibling": "grid_b", "other": "grid_c"}
# Surnames and given names no template, label or fixture uses.
NAMES = {
    "own": ("欧阳锦程", "司马慕远"),
    "sibling": ("上官云霁", "诸葛清越"),
    "other": ("皇甫望舒", "令狐知秋"),
}
PHONES = {"own": "13911110001", "sibling": "13922220002", "other": "13933330003"}


def demo_roles(district, personas) -> dict:
    """The conftest personas and the roles they lack, one signed-in user per demo role."""
    users = {
        "command": personas["command"],
        "office": personas["office_head"],
        "community": personas["community_head"],
        "grid_a": personas["grid_a"],
        "tracer": personas["tracer"],
        "sampler": personas["sampler"],
        "lab": personas["lab"],
        "venue_owner": personas["venue_owner"],
    }
    for name, role in (
        ("taskforce", Role.TASK_FORCE),
        ("inspector", Role.INSPECTOR),
        ("projects", Role.PROJECT_OFFICE),
        ("discipline", Role.DISCIPLINE),
    ):
        users[name] = make_user(name, role, district["district"])
    return users


def build_world(district, personas) -> dict:
    """{relation: {route prefix: the id that names that relation's object}}, and the
    residents by relation under "people"."""
    command, tracer, lab = personas["command"], personas["tracer"], personas["lab"]
    world = {rel: {} for rel in RELATIONS}
    people = {}
    for rel in RELATIONS:
        area = district[GRID_OF[rel]]
        case_name, contact_name = NAMES[rel]
        case_person = registry_services.person_create(
            actor=command,
            area=area,
            name=case_name,
            id_number=valid_id_number(),
            phone=PHONES[rel],
            household_number=f"{rel}-101",
        )
        contact_person = registry_services.person_create(
            actor=command,
            area=area,
            name=contact_name,
            id_number=valid_id_number(female=True),
            household_number=f"{rel}-102",
        )
        people[rel] = [case_person, contact_person]
        venue = venue_create(actor=None, area=area, name=f"{rel}超市", kind=VenueKind.SUPERMARKET)
        if rel == "own":
            venue_duty_set(
                actor=None,
                venue=venue,
                duty=Duty.UNIT,
                holder="超市公司",
                person_name="钱多多",
                phone="13800009999",
                user=personas["venue_owner"],
            )
        at = timezone.now() - timedelta(hours=3)
        checkins_ingest(
            [
                Reading(venue.pk, case_person.pk, at, Decimal("38.6")),
                Reading(venue.pk, contact_person.pk, at + timedelta(minutes=5), None),
            ],
            method=CheckInMethod.GATE,
        )
        case = case_record(
            actor=tracer,
            person=case_person,
            kind=CaseKind.CONFIRMED,
            found_by=CaseFoundBy.MASS_TESTING,
            found_place="采样点",
            confirmed_on=timezone.localdate(),
            lookback_days=7,
        )
        contact = contact_add(
            actor=tracer, case=case, person=contact_person, tier=ContactTier.CLOSE
        )
        control = control_start(
            actor=command,
            person=contact_person,
            kind=ControlKind.HOME_QUARANTINE,
            reason="密接",
            source="test",
            starts_on=date.today() - timedelta(days=1),
        )
        task = task_create(
            actor=command,
            title="核对",
            area=area,
            due_at=timezone.now() - timedelta(hours=1),
            person=case_person,
        )
        alert = FeverAlert.objects.get(venue=venue)
        checkin = CheckIn.objects.filter(venue=venue).first()
        world[rel].update(
            {
                "people/": case_person.pk,
                "people/households/": case_person.household_id,
                "tasks/": task.pk,
                "venues/": venue.pk,
                "venues/alerts/": alert.pk,
                "tracing/cases/": case.pk,
                "tracing/contacts/": contact.pk,
                "tracing/controls/": control.pk,
                "api/areas/": area.code,
                "api/households/": case_person.household_id,
                "api/people/": case_person.pk,
                "api/tasks/": task.pk,
                "api/venues/": venue.pk,
                "api/checkins/": checkin.pk,
                "api/fever-alerts/": alert.pk,
                "api/cases/": case.pk,
                "api/contacts/": contact.pk,
                "api/controls/": control.pk,
                # Public pages, opened by whoever holds the code.
                "my-code/": case_person.code_token,
                "v/": venue.code_token,
            }
        )
    testing_round = testing_services.round_create(
        actor=command, number=1, name="第一轮", area=district["district"]
    )
    zone = testing_services.zone_create(
        actor=command,
        testing_round=testing_round,
        name="全区",
        day=timezone.localdate(),
        start=time(0),
        end=time(23, 59),
        nodes=[district["office1"], district["office2"]],
    )
    site = testing_services.site_create(
        actor=command,
        zone=zone,
        name="景园社区广场",
        area=district["community1"],
        hourly_capacity=300,
        lab=lab,
        samplers=[personas["sampler"]],
    )
    testing_services.round_open(actor=command, testing_round=testing_round)
    token, _key = api_token_create(user=command, name="matrix")
    jobs = {
        "people/import/": job_enqueue(kind=IMPORT_PEOPLE, params={}, user=command).pk,
        "venues/import/": job_enqueue(kind=IMPORT_VENUES, params={}, user=command).pk,
        "testing/results/": job_enqueue(kind=RESULTS_FILE, params={}, user=lab).pk,
    }
    # Objects that do not hang on one grid: the same one for every relation.
    single = {
        "tokens/": token.pk,
        "users/": personas["grid_a"].pk,
        "testing/sample/": site.pk,
        "testing/": testing_round.pk,
        "testing/zones/": zone.pk,
        **jobs,
    }
    for rel in RELATIONS:
        world[rel].update(single)
    world["people"] = people
    return world
