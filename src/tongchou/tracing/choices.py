"""Cases, contact tiers, control measures and household teams."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed case")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")


class CaseFoundBy(models.TextChoices):
    """Where the case was found, which says how far back its trail may reach."""

    MASS_TESTING = "mass_testing", _("Mass testing")
    FEVER_CLINIC = "fever_clinic", _("Fever clinic")
    CONTACT_SCREENING = "contact_screening", _("Screening of contacts")
    CONTROL_TESTING = "control_testing", _("Testing under control")
    ARRIVAL_TESTING = "arrival_testing", _("Testing on arrival")
    SELF_REPORT = "self_report", _("Came forward")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Being traced")
    CLOSED = "closed", _("Closed")


class ContactTier(models.TextChoices):
    """密接 / 次密接 / 时空伴随."""

    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Secondary contact")
    CO_LOCATION = "co_location", _("Co-location")


class ContactSource(models.TextChoices):
    CHECK_IN = "check_in", _("Check-ins")
    HOUSEHOLD = "household", _("Same household")
    MANUAL = "manual", _("Added by hand")
    JOINT_TEAM = "joint_team", _("Joint team's list")


class ContactStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class ControlKind(models.TextChoices):
    CENTRAL_QUARANTINE = "central_quarantine", _("Central quarantine")
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")


# Stricter kinds first: a stricter measure replaces a milder one, never the reverse.
CONTROL_STRICTNESS = {
    ControlKind.CENTRAL_QUARANTINE: 3,
    ControlKind.HOME_QUARANTINE: 2,
    ControlKind.HOME_MONITORING: 1,
}
# Release conditions by kind: (days that must pass, negative tests needed).
CONTROL_RELEASE = {
    ControlKind.CENTRAL_QUARANTINE: (14, 2),
    ControlKind.HOME_QUARANTINE: (7, 2),
    ControlKind.HOME_MONITORING: (7, 1),
}
# Days of the measure (day 1 = the first day) on which a test is due.
CONTROL_TEST_DAYS = {
    ControlKind.CENTRAL_QUARANTINE: (1, 4, 7, 10, 14),
    ControlKind.HOME_QUARANTINE: (1, 4, 7),
    ControlKind.HOME_MONITORING: (1, 7),
}
# Kinds served at home, which need a household team (五包一).
HOME_KINDS = frozenset({ControlKind.HOME_QUARANTINE, ControlKind.HOME_MONITORING})


class ControlStatus(models.TextChoices):
    ACTIVE = "active", _("Under control")
    RELEASED = "released", _("Released")
    RELEASED_EARLY = "released_early", _("Released early")


class TeamRole(models.TextChoices):
    """五包一: the five people answerable for one household under home control."""

    CADRE = "cadre", _("Community cadre")
    DOCTOR = "doctor", _("Doctor")
    POLICE = "police", _("Police officer")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VOLUNTEER = "volunteer", _("Volunteer")


class SwabResult(models.TextChoices):
    NONE = "none", _("No test")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    PENDING = "pending", _("Awaiting result")
