"""How personal values look to someone who may not see them in full."""


def mask_id_number(value: str | None) -> str:
    """``410102199001011234`` -> ``4101**********1234``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; landlines keep the area code and last 4."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张三丰`` -> ``张**``: the family name stays so a caller can be greeted."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_address(value: str | None) -> str:
    """Keep the first part of the address (street and estate), hide the rest."""
    if not value:
        return ""
    keep = max(len(value) // 2, 1)
    return value[:keep] + "***"
