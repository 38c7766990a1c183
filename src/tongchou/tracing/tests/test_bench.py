"""``tongchou bench tracing`` runs end to end on a small district, so it cannot rot unnoticed."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from tongchou.registry.models import Person
from tongchou.venues.models import CheckIn, Venue


def test_the_tracing_bench_prints_each_figure_beside_its_baseline_and_cleans_up(
    transactional_db,
):
    # Autocommit, as the command runs: PostgreSQL's VACUUM refuses a transaction block.
    out = io.StringIO()
    call_command(
        "bench", "tracing", "--checkins", "4000", "--ingest", "1000", "--cases", "3", stdout=out
    )
    text = out.getvalue()
    assert re.search(r"project: gate upload service.*\s1,000\s", text), text
    assert re.search(r"baseline: raw insert .*\s1,000\s", text), text
    assert re.search(r"project / raw \(goal >= 60%\)\s+\d+%", text)
    assert re.search(r"project: close contacts\s+[\d.]+\s+[\d.]+\s+[\d.]+x", text)
    assert re.search(r"baseline: plain SQL self-join, secondary contacts", text)
    assert not CheckIn.objects.exists() and not Venue.objects.exists()
    assert not Person.objects.exists()


def test_the_tracing_bench_refuses_a_database_with_people(db, people):
    with pytest.raises(CommandError, match="without people"):
        call_command("bench", "tracing", "--checkins", "4000", stdout=io.StringIO())
