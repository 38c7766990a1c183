"""Users, grants, the audit trail, the access log, API tokens and background jobs."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core.choices import AccessKind, JobStatus, Role
from tongchou.core.querysets import RestrictedQuerySet


class TimeStampedModel(models.Model):
    """Base for every record that people create and change."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AreaBoundModel(TimeStampedModel):
    """A record that hangs on one node of the grid and is seen only within grants.

    ``area_field`` names the path from this model to its grid node; the
    manager's ``restrict(user)`` keeps only rows under the user's grants.
    """

    area_field = "area"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in: command centre staff, a grid worker, a sampler, a lab..."""

    personal_fields = {}
    # Staff are named on the pages they act on, by design: accountability is by name.
    not_personal_fields = {"username", "first_name", "last_name", "full_name"}

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Grant(models.Model):
    """A user's jurisdiction: this grid node and everything below it."""

    personal_fields = {}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    node = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="grants")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "node"], name="grant_user_node_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.node}"


class AppendOnlyModel(models.Model):
    """A record the application writes once and never changes.

    Database triggers (see the migration) refuse UPDATE and DELETE as well, so
    neither a bug nor a shell session can rewrite history.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnlyModel):
    """One change of state: who did what to which record, before and after, and why."""

    personal_fields = {}

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class AccessLog(AppendOnlyModel):
    """An unmasked read or an export of personal data: who, whom, when, why, how many."""

    personal_fields = {}
    not_personal_fields = {"address"}  # the network address of the reader

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    kind = models.CharField(max_length=16, choices=AccessKind.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    row_count = models.PositiveIntegerField(default=0)
    address = models.GenericIPAddressField(null=True, blank=True)
    # An export's file, so a copy found later can be traced back to this row.
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.kind} {self.object_type}"


class ApiToken(models.Model):
    """A named token a user made for a system to call the API as them.

    Only a hash is stored; the token itself is shown once, when it is made.
    """

    personal_fields = {}
    not_personal_fields = {"name"}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "tc_" + secrets.token_urlsafe(32)


class LoginAttempt(models.Model):
    """A failed sign-in, kept for the lockout window."""

    personal_fields = {}
    not_personal_fields = {"username", "address"}

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "address", "created_at"], name="login_user_addr_idx"),
            models.Index(fields=["address", "created_at"], name="login_addr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"


class Job(models.Model):
    """Work that runs in the background worker, with progress a page can show."""

    personal_fields = {}

    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="job_queue_idx")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @classmethod
    def scope_rule(cls, user, action):
        """A job, its progress and its error file are its creator's alone."""
        return models.Q(created_by=user)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}
