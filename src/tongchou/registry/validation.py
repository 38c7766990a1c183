"""The checks a resident's fields pass, shared by the form, the API and the ledger import."""

from dataclasses import dataclass
from datetime import date

from tongchou.common.idnumbers import InvalidIdNumber, InvalidPhone, id_number_fields, parse_phone
from tongchou.registry.choices import RELATION_BY_LABEL, TAG_BY_LABEL, Relation, Tag


class InvalidPerson(ValueError):
    """A resident's fields do not pass; the message says why, in Chinese."""


@dataclass(frozen=True)
class CleanPerson:
    name: str
    id_number: str
    sex: str
    birth_date: object
    phone: str
    address: str
    relation: str
    tags: str
    warnings: tuple[str, ...] = ()


# Sets, not the lists the choices build on every access: these run once per ledger row.
_RELATIONS = frozenset(Relation.values)
_TAGS = frozenset(Tag.values)
_TAG_SEPARATORS = str.maketrans({"、": ",", "，": ",", ";": ",", "；": ","})


def clean_name(text: str) -> str:
    name = " ".join(str(text or "").split())
    if not name:
        raise InvalidPerson("姓名不能为空")
    if len(name) > 64:
        raise InvalidPerson("姓名过长（超过64个字）")
    return name


def clean_relation(text: str) -> str:
    text = str(text or "").strip()
    if not text:
        return ""
    if text in _RELATIONS:
        return text
    relation = RELATION_BY_LABEL.get(text)
    if relation is None:
        raise InvalidPerson(f"与户主关系“{text}”无法识别")
    return relation


def clean_tags(text: str) -> str:
    """Tag labels or slugs separated by commas, 、 or ; -> ``,slug,slug,`` (sorted, unique)."""
    text = str(text or "")
    if not text:
        return ""
    slugs = set()
    for part in text.translate(_TAG_SEPARATORS).split(","):
        part = part.strip()
        if not part:
            continue
        slug = part if part in _TAGS else TAG_BY_LABEL.get(part)
        if slug is None:
            raise InvalidPerson(f"人员类别“{part}”无法识别")
        slugs.add(str(slug))
    return f",{','.join(sorted(slugs))}," if slugs else ""


def clean_person(
    *, name, id_number, phone="", address="", relation="", tags="", birth_date=None
) -> CleanPerson:
    """Check and normalise one resident; raise InvalidPerson with the first reason."""
    return CleanPerson(
        *person_values(name, id_number, phone, address, relation, tags, birth_date, date.today())
    )


def person_values(name, id_number, phone, address, relation, tags, birth_date, today) -> tuple:
    """clean_person's checks, giving CleanPerson's fields as a tuple in their order.

    A ledger import calls this once per row with ``today`` fixed for the file,
    so the checks stay in one place while a million rows skip building objects.
    """
    try:
        value, born, sex, warnings = id_number_fields(id_number, today)
    except InvalidIdNumber as exc:
        raise InvalidPerson(str(exc)) from None
    if birth_date is not None and birth_date != born:
        raise InvalidPerson(f"出生日期{birth_date:%Y-%m-%d}与身份证号不符")
    phone_text = str(phone or "").strip()
    if phone_text:
        try:
            phone_text = parse_phone(phone_text)
        except InvalidPhone as exc:
            raise InvalidPerson(str(exc)) from None
    address = " ".join(str(address or "").split())
    if len(address) > 200:
        raise InvalidPerson("现住址过长（超过200个字）")
    return (
        clean_name(name),
        value,
        sex,
        born,
        phone_text,
        address,
        clean_relation(relation),
        clean_tags(tags),
        warnings,
    )
