"""`tongchou bench testing` at a tiny size: every phase runs and prints its figures."""

from io import StringIO

from django.core.management import call_command

from tongchou.registry.models import Person
from tongchou.testing.models import Sample, TestingRound


def test_it_prints_every_figure_beside_its_baseline_and_cleans_up(db):
    out = StringIO()
    call_command("bench", "testing", "--people", "300", "--scans", "0", "--repeat", "1", stdout=out)
    text = out.getvalue()
    for figure in (
        "samples_register_batch",
        "raw insert of the same rows",
        "raw insert, one transaction per upload",
        "rounds: batch",
        "batch / raw",
        "HTTP single scans: skipped",
        "plain SQL anti-join (baseline)",
        "coverage_by_node: whole selector",
        "grid_live_figures",
        "results_apply (follow-up included)",
        "raw UPDATE of the same tubes",
        "goals",
    ):
        assert figure in text, figure
    assert "100 retests" in text or "retests" in text
    assert not Person.objects.exists() and not Sample.objects.exists()
    assert not TestingRound.objects.exists()
