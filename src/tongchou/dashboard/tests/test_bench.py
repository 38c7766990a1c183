"""``tongchou bench registry`` runs end to end, so the benchmark cannot rot unnoticed."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tongchou.common.idnumbers import check_digit
from tongchou.registry.ledger import people_import
from tongchou.registry.models import Household, Person
from tongchou.testing_support import valid_id_number


def test_the_registry_bench_prints_the_three_rates_and_the_lookup_p90(db):
    out = io.StringIO()
    call_command("bench", "registry", "--people", "300", "--lookups", "50", stdout=out)
    text = out.getvalue()
    for phase in ("project import", "raw insert", "bulk_create"):
        assert re.search(rf"{phase}.*\s300\s+[\d.]+\s+[\d,]+\n", text), text
    assert re.search(r"project / raw\s+\d+%", text)
    assert re.search(r"bulk_create / raw\s+\d+%", text)
    assert re.search(r"p90 [\d.]+ ms", text)
    # Without --keep the bench leaves the registry as it found it.
    assert not Person.objects.exists() and not Household.objects.exists()


def test_the_registry_bench_refuses_a_database_with_people(db, people):
    with pytest.raises(CommandError, match="without people"):
        call_command("bench", "registry", "--people", "10", stdout=io.StringIO())
    assert Person.objects.count() == 4


def test_an_unknown_bench_is_refused():
    with pytest.raises(CommandError):
        call_command("bench", "no_such_bench", stdout=io.StringIO())


def test_checking_a_ledger_in_a_second_process_changes_nothing_in_the_result(
    tmp_path, personas, people
):
    """The import's fast path for long ledgers, forced onto a short one with tiny chunks."""
    from tongchou.registry.tests.test_import import HEADER, row, write_csv, wrong_check_digit

    repeated = valid_id_number()
    unknown_region = "99010519491231002"
    rows = [
        row("甲", id_number=repeated, tags="企业职工、寄宿生"),
        row("乙", household="1-1-0102", relation="配偶", building="1号楼"),
        ["", "", "", "", "", "", "", "", ""],
        row("丙", id_number=wrong_check_digit(valid_id_number())),
        row("丁", id_number=repeated),
        row("戊", grid="GB"),
        row(people["a"].name, id_number=people["a"].id_number, phone=people["a"].phone),
        row("改名", id_number=people["a1"].id_number, building="1号楼"),
        row("冒名", id_number=people["b"].id_number),
        row("己", id_number=unknown_region + check_digit(unknown_region), phone="0371-67123456"),
        row("庚", phone="12345"),
        *(row(f"居民{i}", household=f"2-1-{i:04d}") for i in range(7)),
    ]
    rows[6][3] = people["a"].address
    rows[6][6] = ""
    rows[6][7] = ""
    path = write_csv(tmp_path / "mixed.csv", rows, header=HEADER)

    def outcome(parallel):
        saved = transaction.savepoint()
        report = people_import(
            actor=personas["grid_a"], path=path, parallel=parallel, chunk_rows=3, commit_rows=5
        )
        people_after = list(
            Person.objects.order_by("id_number").values_list(
                "name",
                "id_number",
                "sex",
                "birth_date",
                "phone",
                "address",
                "area__code",
                "household__number",
                "relation",
                "tags",
            )
        )
        households = sorted(Household.objects.values_list("area__code", "number"))
        transaction.savepoint_rollback(saved)
        return report.summary(), report.errors, report.warnings, people_after, households

    inline, forked = outcome(parallel=False), outcome(parallel=True)
    assert forked == inline
    summary, errors, _warnings, _people, _households = inline
    assert summary["created"] == 10 and summary["unchanged"] == 1 and summary["updated"] == 1
    assert [line for line, _reason, _raw in errors] == [5, 6, 7, 10, 12]
