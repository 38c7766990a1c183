"""Mass testing rounds (全员核酸检测): zones and time slots, sites, tubes, samples, results."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core.choices import Role
from tongchou.core.models import AreaBoundModel, TimeStampedModel
from tongchou.core.privacy import ROLES_SEEING_PEOPLE
from tongchou.core.querysets import RestrictedQuerySet, area_scope, granted_paths
from tongchou.testing.choices import (
    MissingReason,
    RetestReason,
    RetestStatus,
    RoundStatus,
    TubeKind,
    TubeResult,
    TubeStatus,
)


class TestingRound(AreaBoundModel):
    """One numbered round of testing everyone in an area, bar the excluded groups."""

    personal_fields = {}
    not_personal_fields = {"name"}

    @classmethod
    def scope_rule(cls, user, action):
        """A round is seen by those who see people and whose grants overlap its area: a
        grid worker sees the district's round, the command centre a grid's."""
        if user.role not in ROLES_SEEING_PEOPLE:
            return None
        overlap = Q(pk__in=[])
        for path in granted_paths(user):
            ancestors = [int(i) for i in path.strip("/").split("/")]
            overlap |= Q(area__path__startswith=path) | Q(area_id__in=ancestors)
        return overlap

    number = models.PositiveIntegerField(_("round number"))
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    # Tag slugs of the groups left out, as stored on Person.tags (",a,b,").
    excluded_tags = models.CharField(_("excluded groups"), max_length=200, blank=True)
    expected_positivity = models.FloatField(_("expected positivity"), default=0.001)
    pool_size = models.PositiveSmallIntegerField(_("pool size"), default=10)
    queue_bound = models.PositiveIntegerField(_("queue bound"), default=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="round_area_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(expected_positivity__gte=0, expected_positivity__lt=1),
                name="round_positivity_fraction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def excluded_tag_list(self) -> list[str]:
        return [t for t in self.excluded_tags.split(",") if t]


class Zone(TimeStampedModel):
    """A part of a round's area sampled on one day between two hours (分区域分时段)."""

    personal_fields = {}
    not_personal_fields = {"name"}

    round = models.ForeignKey(TestingRound, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=100)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    nodes = models.ManyToManyField("grid.GridNode", through="ZoneNode", related_name="+")

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="zone_round_name_unique"),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="zone_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hours(self) -> list[int]:
        """The clock hours sampling runs in: 8:00–15:00 gives 8, 9, ..., 14."""
        last = self.end_time.hour + (1 if self.end_time.minute else 0)
        return list(range(self.start_time.hour, last))


class ZoneNode(models.Model):
    """A grid node (and its subtree) assigned to a zone; a node is in one zone per round."""

    personal_fields = {}

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="zone_nodes")
    round = models.ForeignKey(TestingRound, on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "node"], name="zonenode_one_zone_per_node"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} / {self.node}"


class SamplingSite(TimeStampedModel):
    """A place where samplers take swabs during one zone's hours."""

    personal_fields = {}
    not_personal_fields = {"name"}
    area_field = "area"

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    hourly_capacity = models.PositiveIntegerField(_("people per hour"), default=300)
    # The lab this site's tubes go to; it sees them by barcode and nothing more.
    lab = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lab_sites",
    )
    samplers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sampling_sites"
    )

    objects = RestrictedQuerySet.as_manager()

    @classmethod
    def scope_rule(cls, user, action):
        """A sampler sees the sites they are assigned to, and no other; the people who plan
        a round see the sites in their area."""
        if user.role == Role.SAMPLER:
            return Q(samplers=user)
        return area_scope(cls, user)

    class Meta:
        ordering = ["zone", "name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="site_zone_name_unique"),
            models.CheckConstraint(
                condition=models.Q(hourly_capacity__gt=0), name="site_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleMove(TimeStampedModel):
    """A planner's hand-set hour for a building, a grid or a whole community of a zone.

    The proposal keeps it and places everyone else around it; the most specific
    move wins, so a building can be moved away from its community's hour.
    """

    personal_fields = {}

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="schedule_moves")
    node = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    hour = models.PositiveSmallIntegerField(_("hour"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["zone", "node__path"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "node"], name="schedulemove_once_per_node"),
            models.CheckConstraint(
                condition=models.Q(hour__lte=23), name="schedulemove_hour_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node} → {self.hour}:00"


class Tube(TimeStampedModel):
    """A sample tube by its barcode: one person's swab, or ten or twenty pooled."""

    personal_fields = {}

    round = models.ForeignKey(TestingRound, on_delete=models.PROTECT, related_name="tubes")
    site = models.ForeignKey(SamplingSite, on_delete=models.PROTECT, related_name="tubes")
    barcode = models.CharField(_("tube barcode"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=TubeKind.choices)
    capacity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=TubeStatus.choices, default=TubeStatus.OPEN)
    result = models.CharField(max_length=16, choices=TubeResult.choices, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # The retests this tube answers, when it is a single-tube retest.
    is_retest = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__in=[1, 10, 20]), name="tube_capacity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(result="") | models.Q(status=TubeStatus.RESULTED),
                name="tube_result_only_when_resulted",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="tube_round_status_idx")]

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """One person's swab in one tube: the big table of a round (a row per person)."""

    personal_fields = {}

    round = models.ForeignKey(TestingRound, on_delete=models.PROTECT, related_name="+")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    sampled_at = models.DateTimeField()
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by the device for each scan, so a scan sent twice (a lost reply, a
    # replayed offline queue) is recognised and stored once. A key is its
    # sampler's own: the same key from another sampler is another scan, and
    # never finds theirs.
    idempotency_key = models.CharField(max_length=64)
    other_zone = models.BooleanField(default=False)
    resample_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="sample_once_per_tube"),
            models.UniqueConstraint(
                fields=["scanned_by", "idempotency_key"], name="sample_key_once_per_sampler"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "person"], name="sample_round_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id}:{self.person_id}"


class Missing(AreaBoundModel):
    """A grid worker's note on why someone expected in a round has not been sampled."""

    personal_fields = {}
    area_field = "person__area"
    visible_to_roles = ROLES_SEEING_PEOPLE

    round = models.ForeignKey(TestingRound, on_delete=models.CASCADE, related_name="missing")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=MissingReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="missing_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class Retest(AreaBoundModel):
    """A person who must give a single-tube sample again: their pool was positive or invalid."""

    personal_fields = {}
    area_field = "person__area"
    visible_to_roles = ROLES_SEEING_PEOPLE

    round = models.ForeignKey(TestingRound, on_delete=models.CASCADE, related_name="retests")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    source_tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="retests")
    reason = models.CharField(max_length=16, choices=RetestReason.choices)
    status = models.CharField(
        max_length=16, choices=RetestStatus.choices, default=RetestStatus.PENDING
    )
    retest_tube = models.ForeignKey(
        Tube, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_tube", "person"], name="retest_once_per_source_tube"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.reason})"


class ResultUpload(TimeStampedModel):
    """A lab's results file or API batch; rows that were not taken are kept with reasons."""

    personal_fields = {}
    not_personal_fields = {"file_name"}

    lab = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.file_name or f"upload {self.pk}"
