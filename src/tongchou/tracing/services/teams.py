"""Household teams (五包一): five named people for each household under home control."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from tongchou.common.idnumbers import InvalidPhone, parse_phone
from tongchou.core.privacy import STORED_COPY, PersonalKind, shown
from tongchou.core.services import audit_record
from tongchou.registry.models import Household
from tongchou.tracing.choices import TeamRole
from tongchou.tracing.models import HouseholdTeam, TeamMember
from tongchou.tracing.services.control import ROLES_CONTROLLING


@transaction.atomic
def household_team_assign(
    *, actor, household: Household, members: dict[str, dict]
) -> HouseholdTeam:
    """Name the team of ``household``: ``members`` maps a TeamRole to
    ``{"name": ..., "phone": ..., "user": User | None}``; roles left out keep who they had,
    and a phone of None keeps the one on file."""
    if actor.role not in ROLES_CONTROLLING:
        raise Http404
    household = Household.objects.restrict(actor).filter(pk=household.pk).first()
    if household is None:
        raise Http404
    unknown = set(members) - set(TeamRole.values)
    if unknown:
        raise ValidationError(f"未知的包户职责：{'、'.join(sorted(unknown))}")
    team, _created = HouseholdTeam.objects.get_or_create(
        household=household, defaults={"area_id": household.area_id}
    )
    before = {m.role: m.member_name for m in team.members.all()}
    for role, data in members.items():
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            raise ValidationError(f"请填写{TeamRole(role).label}的姓名")
        phone = data.get("phone")
        if phone is None:
            old = team.members.filter(role=role).first()
            phone = old.phone if old else ""
        phone = str(phone).strip()
        if phone:
            try:
                phone = parse_phone(phone)
            except InvalidPhone as exc:
                raise ValidationError(f"{TeamRole(role).label}：{exc}") from None
        TeamMember.objects.update_or_create(
            team=team,
            role=role,
            defaults={"member_name": name[:64], "phone": phone, "user": data.get("user")},
        )
    after = {
        m.role: f"{m.member_name} {shown(STORED_COPY, PersonalKind.PHONE, m.phone)}".strip()
        for m in team.members.all()
    }
    audit_record(
        actor=actor, action="household_team.assign", instance=team, before=before, after=after
    )
    return team
