"""Writes that every app shares: audit events, access-log entries, grants, API tokens."""

from django.contrib.auth import password_validation
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from tongchou.core.choices import AccessKind
from tongchou.core.models import AccessLog, ApiToken, AuditEvent, Grant, User
from tongchou.core.querysets import forget_granted_paths


def snapshot(instance, fields: list[str] | None = None) -> dict:
    """A JSON-safe dict of a model instance's fields, for before/after in audit events."""
    data = model_to_dict(instance, fields=fields)
    return {
        key: (value if isinstance(value, (int, float, bool, type(None))) else str(value))
        for key, value in data.items()
    }


def stored_label(instance) -> str:
    """How a stored row (an audit event) names a record: its own words when the model holds
    nothing personal, else its type and number, never a name, ID number or phone."""
    if getattr(type(instance), "personal_fields", None):
        return f"{instance._meta.label_lower} #{instance.pk}"
    return str(instance)[:200]


def audit_record(
    *,
    actor: User | None,
    action: str,
    instance=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one audit event; pass ``instance`` or the object_* fields."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or stored_label(instance)
    return AuditEvent.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        reason=reason,
    )


def access_log_record(
    *,
    actor: User,
    kind: AccessKind,
    object_type: str,
    object_id: str = "",
    fields: str = "",
    reason: str = "",
    row_count: int = 0,
    address: str | None = None,
    sha256: str = "",
) -> AccessLog:
    """Write one access-log entry for an unmasked read or an export."""
    return AccessLog.objects.create(
        actor=actor,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        reason=reason,
        row_count=row_count,
        address=address,
        sha256=sha256,
    )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    node_ids: list[int] = (),
) -> User:
    """Create a user with a role and grants on the given nodes."""
    user = User(username=username, role=role, full_name=full_name)
    # The form checks too; this covers the commands and every other caller.
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    for node_id in node_ids:
        Grant.objects.create(user=user, node_id=node_id)
    audit_record(
        actor=actor,
        action="user.create",
        instance=user,
        after={"role": role, "nodes": list(node_ids)},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    role: str,
    full_name: str,
    is_active: bool,
    node_ids: list[int],
) -> User:
    """Change a user's role, name, active flag and grants, in one audited step."""
    before = {
        "role": user.role,
        "full_name": user.full_name,
        "is_active": user.is_active,
        "nodes": sorted(user.grants.values_list("node_id", flat=True)),
    }
    user.role, user.full_name, user.is_active = role, full_name, is_active
    user.full_clean(exclude=["password"])
    user.save()
    user.grants.exclude(node_id__in=node_ids).delete()
    existing = set(user.grants.values_list("node_id", flat=True))
    Grant.objects.bulk_create(
        [Grant(user=user, node_id=node_id) for node_id in node_ids if node_id not in existing]
    )
    forget_granted_paths(user)
    after = {
        "role": role,
        "full_name": full_name,
        "is_active": is_active,
        "nodes": sorted(node_ids),
    }
    audit_record(actor=actor, action="user.update", instance=user, before=before, after=after)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the key, which is never shown again."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[3:11]
    )
    audit_record(actor=user, action="api_token.create", instance=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke one of the user's own tokens; it stops working at once."""
    if token.user_id != user.pk:
        raise PermissionError("not your token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", instance=token)
