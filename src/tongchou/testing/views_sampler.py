"""The sampler's phone page: open a tube, scan people into it, seal it; offline-first.

The page is a shell: ``static/testing/sampler.js`` queues every action on the
phone and sends it to the sampling API (/api/testing/...), so the page keeps
working through a lost connection. The views only choose the site and hand
the script its addresses and its words, translated here.
"""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from tongchou.core.choices import Role
from tongchou.core.views import RoleRequiredMixin
from tongchou.registry.codes import PREFIX as PERSONAL_CODE_PREFIX
from tongchou.testing.choices import TUBE_CAPACITY, RoundStatus, ScanOutcome, TubeKind
from tongchou.testing.services.sampling import sites_for

KIND_BY_POOL_SIZE = {capacity: kind for kind, capacity in TUBE_CAPACITY.items()}


class SamplerRequiredMixin(RoleRequiredMixin):
    allowed_roles = frozenset({Role.SAMPLER})


class SamplerSitesView(SamplerRequiredMixin, View):
    """The sites I am assigned to: choose the one I stand at."""

    def get(self, request):
        sites = sites_for(request.user).select_related("zone__round").order_by("zone__date", "name")
        return render(request, "testing/sampler_sites.html", {"sites": sites})


class SamplerPageView(SamplerRequiredMixin, View):
    """Sampling at one of my sites; anyone else's site is 404."""

    def get(self, request, site_id):
        site = get_object_or_404(sites_for(request.user).select_related("zone__round"), pk=site_id)
        testing_round = site.zone.round
        default_kind = KIND_BY_POOL_SIZE.get(testing_round.pool_size, TubeKind.POOL_10)
        config = {
            "site": site.pk,
            # The phone's queue is kept per user: a shared phone never sends one
            # sampler's scans under another's name.
            "user": request.user.pk,
            "personalCodePrefix": PERSONAL_CODE_PREFIX,
            "capacity": {str(kind): capacity for kind, capacity in TUBE_CAPACITY.items()},
            "kindLabels": {str(kind): str(kind.label) for kind in TubeKind},
            "urls": {
                "open": reverse("api:testing-tube-open"),
                "batch": reverse("api:testing-scan-batch"),
                "walkIn": reverse("api:testing-walk-in"),
                "seal": reverse("api:testing-seal"),
            },
            "text": _script_text(),
        }
        return render(
            request,
            "testing/sampler.html",
            {
                "site": site,
                "round": testing_round,
                "running": testing_round.status == RoundStatus.RUNNING,
                "kinds": TubeKind.choices,
                "default_kind": default_kind,
                "config": config,
            },
        )


def _script_text() -> dict:
    """Every word the script shows, so that sampler.js holds none and Chinese comes from
    the catalogue like everywhere else. ``{n}`` is filled in by the script."""
    return {
        "outcomes": {
            **{value: str(label) for value, label in ScanOutcome.choices},
            "pending": _("Waiting to sync"),
            "error": _("Not taken"),
        },
        "otherZone": _("From another zone: sampled and noted"),
        "waiting": _("{n} waiting to sync"),
        "allSynced": _("All synced"),
        "offline": _("Offline: scans are kept on this phone and sent later"),
        "signedOut": _(
            "Signed out, or the page is out of date: reload it or sign in again;"
            " what is waiting is kept"
        ),
        "tubeNotOpened": _("The tube could not be opened"),
        "tubeNotSealed": _("The tube could not be sealed"),
        "usedBarcode": _("This tube barcode has been used already"),
        "notATube": _("This is a personal code: scan the tube's barcode"),
        "noTube": _("Open a tube first"),
        "tooLong": _("This code is too long to be a personal code"),
        "emptyTube": _("An empty tube cannot be sealed"),
        "sealQueued": _("Sealed; sent when the connection is back"),
        "sealed": _("Sealed"),
        "resend": _("Sample again with this reason"),
        "reason": _("Reason for sampling again"),
        "reasonNeeded": _("Please give a reason"),
        "walkIn": _("Register on the spot"),
        "name": _("Name"),
        "idNumber": _("ID number"),
        "phone": _("Phone"),
        "register": _("Register and add to the tube"),
        "needsConnection": _("Registering needs a connection: try again when online"),
        "sendToOpenTube": _("Put into the open tube"),
        "earlierTube": _("Tube {barcode}"),
    }
