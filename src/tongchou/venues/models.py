"""Key venues with their codes and responsible parties, check-ins at their doors, fever alerts."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core.choices import Role
from tongchou.core.models import AreaBoundModel
from tongchou.core.privacy import ROLES_SEEING_PEOPLE, ROLES_TRACING, PersonalKind
from tongchou.core.querysets import RestrictedQuerySet, area_scope
from tongchou.venues.choices import (
    FEVER_CELSIUS,
    PLAUSIBLE_CELSIUS,
    AlertStatus,
    CheckInMethod,
    Duty,
    VenueKind,
)


class Venue(AreaBoundModel):
    """A key venue (重点场所) on the grid: a hotel, a supermarket, a parcel point, one of the
    nine small kinds, a school, a site... with the code printed at its door."""

    # The venue's own name and street address describe a place, not a person.
    personal_fields = {}
    not_personal_fields = {"name", "address"}

    name = models.CharField(_("venue name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=VenueKind.choices)
    area = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="venues")
    address = models.CharField(_("venue address"), max_length=200, blank=True)
    # The printed code carries this random token, so a code cannot be guessed from an id.
    code_token = models.CharField(max_length=32, unique=True, editable=False)
    contact_window_minutes = models.PositiveIntegerField(
        _("contact window (minutes)"),
        help_text=_("Visits this close in time count as close contact."),
    )
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="venue_area_name_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=VenueKind.values), name="venue_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(contact_window_minutes__gte=1)
                & models.Q(contact_window_minutes__lte=7 * 24 * 60),
                name="venue_contact_window_range",
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="venue_kind_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("venue-detail", args=[self.pk])

    @classmethod
    def scope_rule(cls, user, action):
        """Venues under the user's grants; a venue's own responsible person holds no grant
        and sees the venues named to them."""
        if user.role == Role.VENUE_OWNER:
            return Q(pk__in=VenueDuty.objects.filter(user=user).values("venue_id"))
        return area_scope(cls, user)


class VenueDuty(models.Model):
    """One of the four parties (四方责任) answerable for a venue, and how to reach them.

    A unit's or individual's duty may name a user: the venue's own responsible
    person, who signs in to see their venue's figures, never its visitors.
    """

    personal_fields = {"person_name": PersonalKind.NAME, "phone": PersonalKind.PHONE}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    holder = models.CharField(_("unit or department"), max_length=100, blank=True)
    person_name = models.CharField(_("responsible person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venue_duties",
    )

    class Meta:
        ordering = ["venue_id", "duty"]
        verbose_name = _("venue duty")
        verbose_name_plural = _("venue duties")
        constraints = [
            models.UniqueConstraint(fields=["venue", "duty"], name="venueduty_one_per_duty"),
            models.CheckConstraint(
                condition=models.Q(duty__in=Duty.values), name="venueduty_duty_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} · {self.get_duty_display()}"


class CheckIn(models.Model):
    """One person at one venue's door at one time (扫码登记测温): whereabouts.

    The biggest and most sensitive table: written in bulk, read by the two
    indexes, no timestamps of its own, purged after the retention period
    unless a tracing file holds it. Seen person by person only by tracing staff.
    """

    personal_fields = {}
    area_field = "venue__area"
    visible_to_roles = ROLES_TRACING

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, db_index=False)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, db_index=False)
    checked_in_at = models.DateTimeField(_("time"))
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    method = models.CharField(_("method"), max_length=16, choices=CheckInMethod.choices)
    # A gate device's own id for the reading: the same upload twice changes nothing.
    client_key = models.CharField(max_length=64, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            # The key leads, so a batch's keys are found with one ``= ANY`` index scan.
            models.UniqueConstraint(
                fields=["client_key", "venue"],
                condition=models.Q(client_key__isnull=False),
                name="checkin_client_key_venue_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(
                    temperature__gte=Decimal(PLAUSIBLE_CELSIUS[0]),
                    temperature__lte=Decimal(PLAUSIBLE_CELSIUS[1]),
                ),
                name="checkin_temperature_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "checked_in_at"], name="checkin_venue_time_idx"),
            models.Index(fields=["person", "checked_in_at"], name="checkin_person_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def has_fever(self) -> bool:
        return self.temperature is not None and self.temperature >= Decimal(FEVER_CELSIUS)


class PhoneDevice(models.Model):
    """A phone that checked someone in from a venue code and remembers them.

    The phone's cookie holds a random token, signed; only the token's hash is kept
    here, so a copy of this table opens no one's code. The token is not the person's
    personal code token: forgetting the phone (``/v/forget/``) revokes it and nothing
    else, and the personal code stays as printed.
    """

    personal_fields = {}

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="phone_devices"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remembered phone")
        verbose_name_plural = _("remembered phones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="phonedevice_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"phone #{self.pk}"


class FeverAlert(AreaBoundModel):
    """A temperature of 37.3 °C or more at a venue's door, for the venue's grid worker.

    It keeps its own copy of when and how hot, so purging the check-in does not
    erase the alert.
    """

    personal_fields = {}
    area_field = "venue__area"
    visible_to_roles = ROLES_SEEING_PEOPLE

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="alerts")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("time"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        verbose_name = _("fever alert")
        verbose_name_plural = _("fever alerts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AlertStatus.values), name="feveralert_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "status"], name="feveralert_venue_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.temperature} °C @ {self.venue_id}"
