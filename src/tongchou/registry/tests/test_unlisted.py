"""Registering someone not on the ledger: a sampler's walk-in, a visitor at a venue's door."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tongchou.core.models import AuditEvent
from tongchou.registry.models import Person
from tongchou.registry.services import (
    NAME_MISMATCH,
    person_register_unlisted,
    person_register_walk_in,
)
from tongchou.testing_support import PersonFactory, valid_id_number


def test_someone_new_is_registered_once_and_found_again_unchanged(district):
    id_number = valid_id_number()
    person, created = person_register_unlisted(
        actor=None,
        area=district["grid_a"],
        name="钱七",
        id_number=id_number,
        phone="13900001111",
        action="person.visitor",
    )
    assert created and person.area == district["grid_a"] and person.code_token
    audit = AuditEvent.objects.get(action="person.visitor")
    assert id_number not in str(audit.after) and "13900001111" not in str(audit.after)

    again, created = person_register_unlisted(
        actor=None,
        area=district["grid_b"],
        name="另一个名字",
        id_number=id_number,
        phone="",
        action="person.visitor",
    )
    assert not created and again.pk == person.pk
    assert Person.objects.get(pk=person.pk).area == district["grid_a"]
    assert Person.objects.filter(id_number=id_number).count() == 1


def test_a_walk_in_lands_only_on_the_samplers_own_area(personas, district):
    with pytest.raises(Http404):
        person_register_walk_in(
            actor=personas["sampler"],
            area=district["grid_c"],
            name="孙八",
            id_number=valid_id_number(),
        )
    assert not Person.objects.filter(name="孙八").exists()


def test_a_walk_in_of_a_registered_id_number_needs_the_name_it_is_registered_with(
    personas, district
):
    person = PersonFactory(name="阿依古丽·买买提", area=district["grid_c"])
    for typed in ["阿依古丽•买买提", " 阿依古丽 · 买买提 "]:  # another dot, stray spaces
        found, created = person_register_walk_in(
            actor=personas["sampler"],
            area=district["community1"],
            name=typed,
            id_number=person.id_number,
        )
        assert found.pk == person.pk and not created
    with pytest.raises(ValidationError) as refused:
        person_register_walk_in(
            actor=personas["sampler"],
            area=district["community1"],
            name="阿依古丽",
            id_number=person.id_number,
        )
    assert refused.value.messages == [NAME_MISMATCH] and person.name not in str(refused.value)
    assert Person.objects.get(pk=person.pk).name == "阿依古丽·买买提"
