"""Background jobs of venues: the survey ledger import, the retention purge of check-ins."""

from tongchou.core.jobs import job_handler
from tongchou.core.uploads import ledger_import
from tongchou.venues.ledger import venues_import
from tongchou.venues.retention import checkins_purge

IMPORT_VENUES = "venues.import_venues"
PURGE_CHECKINS = "venues.purge_checkins"

import_venues = ledger_import(IMPORT_VENUES, name="venues", importer=venues_import)


@job_handler(PURGE_CHECKINS)
def purge_checkins(job, progress) -> dict:
    """Delete check-ins past the retention period (those no tracing file holds)."""
    return checkins_purge(days=job.params.get("days"))
