"""States and kinds of a mass testing round."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class TubeKind(models.TextChoices):
    """How many people's swabs go in one tube (单采, 10混1, 20混1)."""

    SINGLE = "single", _("Single")
    POOL_10 = "pool10", _("10 in 1")
    POOL_20 = "pool20", _("20 in 1")


TUBE_CAPACITY = {TubeKind.SINGLE: 1, TubeKind.POOL_10: 10, TubeKind.POOL_20: 20}


class TubeStatus(models.TextChoices):
    # Its own context: "Open" elsewhere is a to-do (待办理) or a venue that is open;
    # a tube that is open is still taking swabs (采集中).
    OPEN = "open", pgettext_lazy("tube status", "Open")
    SEALED = "sealed", _("Sealed")
    RESULTED = "resulted", _("Resulted")


class TubeResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


RESULT_BY_LABEL = {
    "阴性": TubeResult.NEGATIVE,
    "negative": TubeResult.NEGATIVE,
    "-": TubeResult.NEGATIVE,
    "阳性": TubeResult.POSITIVE,
    "positive": TubeResult.POSITIVE,
    "+": TubeResult.POSITIVE,
    "无效": TubeResult.INVALID,
    "invalid": TubeResult.INVALID,
    "作废": TubeResult.INVALID,
}


class MissingReason(models.TextChoices):
    """Why someone expected in a round has not been sampled (yet)."""

    AWAY = "away", _("Away from the district")
    IN_HOSPITAL = "in_hospital", _("In hospital")
    TESTED_ELSEWHERE = "tested_elsewhere", _("Tested elsewhere")
    HOME_VISIT = "home_visit", _("Bedridden, needs a home visit")
    OTHER = "other", _("Other")


class RetestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a single-tube retest")
    SAMPLED = "sampled", _("Retest sampled")
    NEGATIVE = "negative", _("Retest negative")
    POSITIVE = "positive", _("Retest positive")


class RetestReason(models.TextChoices):
    POSITIVE_POOL = "positive_pool", _("Member of a positive pool")
    INVALID_TUBE = "invalid_tube", _("Tube result invalid")


class ScanOutcome(models.TextChoices):
    """What the sampler's phone is told after a scan."""

    ADDED = "added", _("Added to the tube")
    DUPLICATE = "duplicate", _("Already in this tube")
    ALREADY_SAMPLED = "already_sampled", _("Already sampled this round")
    EXCLUDED = "excluded", _("Excluded from this round")
    UNKNOWN_CODE = "unknown_code", _("Unknown personal code")
    TUBE_FULL = "tube_full", _("Tube is full")
    TUBE_CLOSED = "tube_closed", _("Tube is sealed")
