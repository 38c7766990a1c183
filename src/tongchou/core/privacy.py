"""Personal data: which fields hold it, how they are masked, who may see them whole.

Every model declares ``personal_fields``, a mapping of field name to
PersonalKind. A test walks all models and fails when a field that looks
personal is not declared, so a new model cannot slip one past the masking.
"""

import enum

from tongchou.common.masking import mask_address, mask_id_number, mask_name, mask_phone
from tongchou.core.choices import ROLES_REVEALING


class PersonalKind(enum.Enum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"


# Kinds the server always masks unless the viewer reveals them explicitly.
MASKED_KINDS = {
    PersonalKind.ID_NUMBER: mask_id_number,
    PersonalKind.PHONE: mask_phone,
}
# Every kind has a masker for roles that see people only by number (samplers).
ALL_MASKERS = {
    **MASKED_KINDS,
    PersonalKind.NAME: mask_name,
    PersonalKind.ADDRESS: mask_address,
    PersonalKind.BIRTH_DATE: lambda value: str(value)[:4] if value else "",
}


def masked_fields(model) -> dict[str, PersonalKind]:
    """The fields of ``model`` that are masked by default."""
    return {
        name: kind
        for name, kind in getattr(model, "personal_fields", {}).items()
        if kind in MASKED_KINDS
    }


def masked_value(instance, field_name: str) -> str:
    """The value of a personal field as a viewer without reveal sees it."""
    kind = instance.personal_fields[field_name]
    value = getattr(instance, field_name)
    masker = MASKED_KINDS.get(kind)
    return masker(value) if masker else ("" if value is None else str(value))


def may_reveal(user) -> bool:
    """Whether a user's role may ask to see a masked field in full (logged)."""
    return getattr(user, "role", None) in ROLES_REVEALING
