"""Sampling at a site: every awkward scan the phone page must handle."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from tongchou.command.models import Task
from tongchou.registry.models import Person
from tongchou.testing import services
from tongchou.testing.choices import ScanOutcome
from tongchou.testing.models import Sample
from tongchou.testing.services import sampling
from tongchou.testing_support import PersonFactory, valid_id_number

_keys = itertools.count()


def scan(sampler, tube, person, key=None, **kwargs):
    return services.sample_scan(
        actor=sampler,
        tube_barcode=tube.barcode,
        code_token=person.code_token,
        idempotency_key=key or f"k{next(_keys)}",
        **kwargs,
    )


@pytest.fixture
def sampler(personas):
    return personas["sampler"]


@pytest.fixture
def tube(sampler, site):
    return services.tube_open(actor=sampler, site=site, barcode="T0001", kind="pool10")


def test_a_tube_of_ten_fills_and_seals(sampler, tube, district):
    people = PersonFactory.create_batch(11, area=district["grid_a"])
    for n, person in enumerate(people[:10], start=1):
        result = scan(sampler, tube, person)
        assert (result.outcome, result.count) == (ScanOutcome.ADDED, n)
        assert result.masked_id == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert scan(sampler, tube, people[10]).outcome == ScanOutcome.TUBE_FULL
    services.tube_seal(actor=sampler, tube_barcode=tube.barcode)
    services.tube_seal(actor=sampler, tube_barcode=tube.barcode)  # twice changes nothing
    assert Sample.objects.count() == 10


def test_the_same_scan_sent_twice_is_stored_once(sampler, tube, people):
    first = scan(sampler, tube, people["a"], key="device-1:0001")
    again = scan(sampler, tube, people["a"], key="device-1:0001")
    assert first.outcome == again.outcome == ScanOutcome.ADDED
    assert Sample.objects.count() == 1


def test_a_key_of_the_sampler_used_for_someone_else_is_refused_naming_no_one(sampler, tube, people):
    scan(sampler, tube, people["a"], key="device-1:0001")
    with pytest.raises(ValidationError) as refused:
        scan(sampler, tube, people["b"], key="device-1:0001")
    assert refused.value.messages == ["扫码编号已用于另一条采样记录"]
    assert people["a"].name not in str(refused.value)
    assert list(Sample.objects.values_list("person", flat=True)) == [people["a"].pk]


def test_a_scan_without_a_usable_key_is_refused_and_stores_nothing(sampler, tube, people):
    with pytest.raises(ValidationError, match="缺少扫码编号"):
        services.sample_scan(
            actor=sampler,
            tube_barcode=tube.barcode,
            code_token=people["a"].code_token,
            idempotency_key="",
        )
    with pytest.raises(ValidationError, match="扫码编号过长"):
        scan(sampler, tube, people["a"], key="k" * 65)
    assert not Sample.objects.exists()


def test_a_scan_runs_in_one_transaction_so_its_tube_lock_holds(
    transactional_db, sampler, tube, people, monkeypatch
):
    # The scan locks its tube (FOR UPDATE) before counting and inserting; outside a
    # transaction that lock would end with the statement and two phones could
    # overfill a tube. Here no test transaction wraps the call.
    seen = []
    original = sampling.prepared_cursor

    def watching():
        seen.append(connection.in_atomic_block)
        return original()

    monkeypatch.setattr(sampling, "prepared_cursor", watching)
    assert scan(sampler, tube, people["a"]).outcome == ScanOutcome.ADDED
    assert seen and all(seen)


def test_the_same_person_scanned_twice_into_a_tube_is_not_doubled(sampler, tube, people):
    scan(sampler, tube, people["a"])
    assert scan(sampler, tube, people["a"]).outcome == ScanOutcome.DUPLICATE
    assert Sample.objects.count() == 1


def test_someone_sampled_already_this_round_needs_a_reason(sampler, tube, site, people):
    scan(sampler, tube, people["a"])
    second = services.tube_open(actor=sampler, site=site, barcode="T0002", kind="pool10")
    refused = scan(sampler, second, people["a"])
    assert refused.outcome == ScanOutcome.ALREADY_SAMPLED and Sample.objects.count() == 1
    allowed = scan(sampler, second, people["a"], resample_reason="上次采样不规范")
    assert allowed.outcome == ScanOutcome.ADDED and Sample.objects.count() == 2


def test_excluded_groups_are_refused(sampler, tube, district):
    pupil = PersonFactory(area=district["grid_a"], tags=",boarding_pupil,")
    assert scan(sampler, tube, pupil).outcome == ScanOutcome.EXCLUDED
    assert not Sample.objects.exists()


def test_a_person_of_another_zone_is_taken_and_noted(sampler, tube, people):
    result = scan(sampler, tube, people["c"])  # grid C is in the east zone
    assert result.outcome == ScanOutcome.ADDED and result.other_zone
    assert Sample.objects.get().other_zone is True


def test_an_unknown_code_is_refused(sampler, tube, people):
    result = services.sample_scan(
        actor=sampler, tube_barcode=tube.barcode, code_token="no-such-code", idempotency_key="x1"
    )
    assert result.outcome == ScanOutcome.UNKNOWN_CODE and not Sample.objects.exists()


def test_a_used_barcode_cannot_open_another_tube(sampler, tube, site):
    with pytest.raises(ValidationError, match="已使用"):
        services.tube_open(actor=sampler, site=site, barcode="T0001", kind="single")
    # Reopening one's own open tube (a reloaded page) is fine.
    assert services.tube_open(actor=sampler, site=site, barcode="T0001", kind="pool10") == tube


def test_a_sealed_tube_takes_no_more(sampler, tube, people):
    scan(sampler, tube, people["a"])
    services.tube_seal(actor=sampler, tube_barcode=tube.barcode)
    assert scan(sampler, tube, people["b"]).outcome == ScanOutcome.TUBE_CLOSED


def test_a_walk_in_is_registered_and_their_grid_worker_asked_to_confirm(sampler, site, tube):
    id_number = valid_id_number()
    person = services.walk_in_register(actor=sampler, site=site, name="临时", id_number=id_number)
    assert person.area == site.area and scan(sampler, tube, person).outcome == ScanOutcome.ADDED
    task = Task.objects.get(source="testing.walk_in")
    assert task.area == site.area and task.subject == person
    again = services.walk_in_register(actor=sampler, site=site, name="临时", id_number=id_number)
    assert again == person and Person.objects.filter(id_number=id_number).count() == 1
    with pytest.raises(ValidationError, match="校验码"):
        services.walk_in_register(
            actor=sampler,
            site=site,
            name="错",
            id_number=id_number[:-1] + ("0" if id_number[-1] != "0" else "1"),
        )


def test_someone_elses_site_and_tube_are_out_of_reach(personas, tube, people, district):
    from tongchou.core.choices import Role
    from tongchou.testing_support import make_user

    stranger = make_user("sampler2", Role.SAMPLER, district["community1"])
    with pytest.raises(Http404):
        scan(stranger, tube, people["a"])
    with pytest.raises(Http404):
        scan(personas["grid_a"], tube, people["a"])
    assert not Sample.objects.exists()
