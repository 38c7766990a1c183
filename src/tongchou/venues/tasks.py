"""Background jobs of venues: the retention purge of check-ins."""

from tongchou.core.jobs import job_handler
from tongchou.venues.retention import checkins_purge

PURGE_CHECKINS = "venues.purge_checkins"


@job_handler(PURGE_CHECKINS)
def purge_checkins(job, progress) -> dict:
    """Delete check-ins past the retention period (those no tracing file holds)."""
    return checkins_purge(days=job.params.get("days"))
