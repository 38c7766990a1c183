"""Every state change of a testing round: planning, sampling, lab results, missing notes."""

from tongchou.testing.services.batch import BatchReport, SampleRow, samples_register_batch
from tongchou.testing.services.planning import (
    round_close,
    round_create,
    round_open,
    site_create,
    zone_create,
)
from tongchou.testing.services.results import ResultReport, results_apply
from tongchou.testing.services.sampling import (
    ScanResult,
    missing_record,
    sample_scan,
    tube_open,
    tube_seal,
    walk_in_register,
    walk_in_sample,
)

__all__ = [
    "BatchReport",
    "ResultReport",
    "SampleRow",
    "ScanResult",
    "missing_record",
    "results_apply",
    "round_close",
    "round_create",
    "round_open",
    "sample_scan",
    "samples_register_batch",
    "site_create",
    "tube_open",
    "tube_seal",
    "walk_in_register",
    "walk_in_sample",
    "zone_create",
]
