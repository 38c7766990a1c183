"""Cases and their tracing files, contacts with their evidence, control measures,
household teams (五包一) and daily follow-ups."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import AreaBoundModel
from tongchou.core.privacy import ROLES_SEEING_HEALTH, PersonalKind
from tongchou.tracing.choices import (
    CaseFoundBy,
    CaseKind,
    CaseStatus,
    ContactSource,
    ContactStatus,
    ContactTier,
    ControlKind,
    ControlStatus,
    SwabResult,
    TeamRole,
)


class Case(AreaBoundModel):
    """A confirmed case or asymptomatic infection: the root of one tracing file (流调).

    ``area`` is where the person lived when the case was recorded, so the case
    stays where it was found even if the ledger moves them later.
    """

    personal_fields = {}
    visible_to_roles = ROLES_SEEING_HEALTH

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    found_by = models.CharField(_("found by"), max_length=32, choices=CaseFoundBy.choices)
    found_place = models.CharField(_("where found"), max_length=200, blank=True)
    onset_on = models.DateField(_("onset of symptoms"), null=True, blank=True)
    sampled_on = models.DateField(_("sampled on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"))
    lookback_days = models.PositiveSmallIntegerField(_("days traced back"), default=14)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    traced_at = models.DateTimeField(_("last traced"), null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="open"),
                name="case_one_open_per_person",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=CaseKind.values), name="case_kind"),
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(lookback_days__gte=1, lookback_days__lte=28),
                name="case_lookback_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Contact(AreaBoundModel):
    """Someone a tracing file names: a close or secondary contact, or co-located.

    ``area`` is the contact's home node, so the grid worker there, and only
    there, sees them and gets the task once they are confirmed.
    """

    personal_fields = {}
    visible_to_roles = ROLES_SEEING_HEALTH

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=16, choices=ContactTier.choices)
    source = models.CharField(_("found through"), max_length=16, choices=ContactSource.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ContactStatus.choices, default=ContactStatus.PENDING
    )
    via = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="onward",
        verbose_name=_("found through contact"),
    )
    # The strongest evidence, kept on the row so lists need no join.
    venue = models.ForeignKey(
        "venues.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    overlap_minutes = models.PositiveIntegerField(_("overlap (minutes)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "tier", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="contact_once_per_case"),
            models.CheckConstraint(
                condition=models.Q(tier__in=ContactTier.values), name="contact_tier_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ContactStatus.values), name="contact_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ContactSource.values), name="contact_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "tier", "status"], name="contact_case_tier_idx"),
            models.Index(fields=["person"], name="contact_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} #{self.pk}"


class ContactEvidence(models.Model):
    """One pair of visits that put a contact on the file: same venue, overlapping time.

    It points at both check-ins, so the purge keeps them while the file holds them.
    """

    personal_fields = {}

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="evidence")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+")
    checkin = models.ForeignKey(
        "venues.CheckIn", on_delete=models.PROTECT, related_name="+", null=True
    )
    source_checkin = models.ForeignKey(
        "venues.CheckIn", on_delete=models.PROTECT, related_name="+", null=True
    )
    at = models.DateTimeField()
    source_at = models.DateTimeField()
    overlap_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "checkin", "source_checkin"], name="evidence_pair_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.at:%Y-%m-%d %H:%M}"


class Control(AreaBoundModel):
    """A control measure on one person: central quarantine, home quarantine or home
    health monitoring, from its start to its release.

    Other apps start one through ``tracing.services.control_start`` (a positive
    pool's members, a risky arrival); ``source`` says which.
    """

    personal_fields = {}
    visible_to_roles = ROLES_SEEING_HEALTH

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("measure"), max_length=32, choices=ControlKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ControlStatus.choices, default=ControlStatus.ACTIVE
    )
    starts_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"))
    release_days = models.PositiveSmallIntegerField(_("days before release"))
    tests_required = models.PositiveSmallIntegerField(_("negative tests before release"))
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=64)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="controls"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.TextField(_("reason for release"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active"),
                name="control_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ControlKind.values), name="control_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ControlStatus.values), name="control_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gte=models.F("starts_on")),
                name="control_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="control_status_kind_idx"),
            models.Index(fields=["household", "status"], name="control_household_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class HouseholdTeam(AreaBoundModel):
    """五包一: the five people answerable for one household under home control."""

    personal_fields = {}
    visible_to_roles = ROLES_SEEING_HEALTH

    household = models.OneToOneField(
        "registry.Household", on_delete=models.PROTECT, related_name="team"
    )
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("household team")
        verbose_name_plural = _("household teams")

    def __str__(self) -> str:
        return f"{self.household} · {self.pk}"


class TeamMember(models.Model):
    """One of the five on a household team, named and reachable; a user when they sign in."""

    personal_fields = {"member_name": PersonalKind.NAME, "phone": PersonalKind.PHONE}

    team = models.ForeignKey(HouseholdTeam, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    member_name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team_id", "role"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "role"], name="teammember_one_per_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="teammember_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member_name}"


class FollowUp(AreaBoundModel):
    """One day's follow-up of a person under control: temperature, symptoms, test."""

    personal_fields = {}
    area_field = "control__area"
    visible_to_roles = ROLES_SEEING_HEALTH

    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="followups")
    on_date = models.DateField(_("date"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    has_symptoms = models.BooleanField(_("symptoms"), default=False)
    symptoms = models.CharField(_("which symptoms"), max_length=200, blank=True)
    swab = models.CharField(
        _("test"), max_length=16, choices=SwabResult.choices, default=SwabResult.NONE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["control_id", "-on_date"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["control", "on_date"], name="followup_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(swab__in=SwabResult.values), name="followup_swab_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control_id} {self.on_date}"
