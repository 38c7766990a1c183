"""Background jobs of tracing: alerting overdue follow-ups."""

from tongchou.core.jobs import job_handler
from tongchou.tracing.services import followups_overdue_alert

FOLLOWUP_ALERTS = "tracing.followup_alerts"


@job_handler(FOLLOWUP_ALERTS)
def followup_alerts(job, progress) -> dict:
    """Turn every overdue follow-up into a task for the grid workers (one open task each)."""
    return {"overdue": followups_overdue_alert()}
