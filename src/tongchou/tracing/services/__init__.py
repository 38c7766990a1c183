"""State changes of tracing: cases and their contacts, control measures, household teams.

Other apps import from here: ``from tongchou.tracing.services import control_start``.
"""

from tongchou.tracing.services.cases import (
    CONTROL_FOR_TIER,
    case_close,
    case_record,
    case_trace,
    contact_add,
    contact_confirm,
    contact_dismiss,
    contacts_import,
)
from tongchou.tracing.services.control import (
    ROLES_CONTROLLING,
    ROLES_RELEASING_EARLY,
    control_release,
    control_start,
    control_start_for_positive_pool,
    followup_record,
    followups_overdue_alert,
    release_conditions,
)
from tongchou.tracing.services.teams import household_team_assign

__all__ = [
    "CONTROL_FOR_TIER",
    "case_close",
    "case_record",
    "case_trace",
    "contact_add",
    "contact_confirm",
    "contact_dismiss",
    "contacts_import",
    "ROLES_CONTROLLING",
    "ROLES_RELEASING_EARLY",
    "control_release",
    "control_start",
    "control_start_for_positive_pool",
    "followup_record",
    "followups_overdue_alert",
    "household_team_assign",
    "release_conditions",
]
