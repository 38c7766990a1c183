"""Choices shared across tongchou: roles, job states, audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does; their grants say where."""

    COMMAND = "command", _("Command centre")
    OFFICE = "office", _("Office staff")
    COMMUNITY = "community", _("Community staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    TASK_FORCE = "task_force", _("Task force member")
    SAMPLER = "sampler", _("Sampler")
    LAB = "lab", _("Lab")
    INSPECTOR = "inspector", _("Market inspector")
    PROJECT_OFFICE = "project_office", _("Project office")
    DISCIPLINE = "discipline", _("Discipline office")
    TRACER = "tracer", _("Tracing investigator")
    VENUE_OWNER = "venue_owner", _("Venue responsible person")


# Roles that may change residents and import ledgers.
ROLES_EDITING_PEOPLE = frozenset({Role.COMMAND, Role.OFFICE, Role.COMMUNITY, Role.GRID_WORKER})
# Roles that answer for the work of everyone under their grants: they see and change
# the tasks of their area, whoever owns them.
ROLES_SUPERVISING = frozenset({Role.COMMAND, Role.OFFICE, Role.COMMUNITY})
# Roles that manage users and grants.
ROLES_MANAGING_USERS = frozenset({Role.COMMAND})


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AccessKind(models.TextChoices):
    REVEAL = "reveal", _("Revealed in full")
    EXPORT = "export", _("Exported")
    EXPORT_FULL = "export_full", _("Exported unmasked")
