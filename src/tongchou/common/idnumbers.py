"""Chinese resident identity numbers (GB 11643-1999) and mobile phone numbers.

The check is strict on length, birth date and check digit. An unknown region
code is only a warning: historical codes stay valid on old cards, so a table of
today's regions must not reject them.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Full-width digits, full-width X and the ideographic space, mapped to ASCII.
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ　", "0123456789XXX ")
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level prefixes in use since 1984; anything else is reported as a warning.
KNOWN_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


class InvalidIdNumber(ValueError):
    """The text is not a valid resident identity number; the message says why."""


@dataclass(frozen=True)
class IdNumber:
    """A checked identity number with what it encodes."""

    value: str
    birth_date: date
    sex: str  # "male" or "female", matching registry.choices.Sex
    warnings: tuple[str, ...] = field(default=())


def normalize_id_number(text: str) -> str:
    """Full-width digits to ASCII, lowercase x to X, spaces and dashes removed."""
    return re.sub(r"[\s\-]", "", str(text).translate(_FULLWIDTH)).upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Normalise and check ``text``; raise InvalidIdNumber with a reason in Chinese."""
    value, born, sex, warnings = id_number_fields(text, today or date.today())
    return IdNumber(value=value, birth_date=born, sex=sex, warnings=warnings)


# An ID number already in its normal form, as nearly every ledger row has it:
# normalising it would change nothing, so the checks start from the text itself.
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]\Z")
_WEIGHTED_ZEROS = ord("0") * sum(_WEIGHTS)
# Plausible birth dates seen before, by their digits: at most one per day
# since 1880, whatever a file holds.
_BIRTH_DATES: dict[str, date] = {}


def id_number_fields(text: str, today: date) -> tuple[str, date, str, tuple[str, ...]]:
    """parse_id_number's checks, giving (value, birth date, sex, warnings) without an object.

    Ledger imports call this for every row, so it avoids work the common case
    does not need; the checks and the messages are parse_id_number's.
    """
    if text.__class__ is str and _PLAIN_ID.match(text):
        value = text
    else:
        value = normalize_id_number(text)
        if not value:
            raise InvalidIdNumber("身份证号为空")
        if len(value) != 18:
            raise InvalidIdNumber(f"身份证号应为18位，实为{len(value)}位")
        if not _ID_SHAPE.match(value):
            raise InvalidIdNumber("身份证号只能由数字和末位X组成")
    digits = value[6:14]
    born = _BIRTH_DATES.get(digits)
    if born is None:
        try:
            born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            raise InvalidIdNumber(f"身份证号中的出生日期{digits}不存在") from None
        if born <= today and born.year >= 1880 and digits.isascii():
            _BIRTH_DATES[digits] = born
    if born > today or born.year < 1880:
        raise InvalidIdNumber(f"身份证号中的出生日期{digits}不合理")
    if value.isascii():
        # The weighted sum over the ASCII codes, less what the codes of "0" add.
        total = sum(map(mul, value[:17].encode(), _WEIGHTS)) - _WEIGHTED_ZEROS
        expected = _CHECK_CHARS[total % 11]
    else:
        expected = check_digit(value[:17])
    if value[17] != expected:
        raise InvalidIdNumber("身份证号校验码错误")
    warnings = ()
    if value[:2] not in KNOWN_PROVINCES:
        warnings = (f"地区码{value[:6]}不在现行行政区划中",)
    sex = "male" if int(value[16]) % 2 else "female"
    return value, born, sex, warnings


_PHONE_CLEAN = re.compile(r"[\s\-()（）+]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}\Z")


class InvalidPhone(ValueError):
    """The text is not a mainland mobile or landline number."""


def normalize_phone(text: str) -> str:
    """Strip spaces, dashes, brackets and the +86 / 86 prefix; fold full-width digits."""
    value = _PHONE_CLEAN.sub("", str(text).translate(_FULLWIDTH))
    if value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def parse_phone(text: str) -> str:
    """A normalised mobile (11 digits) or landline (with area code); raise InvalidPhone."""
    # A plain 11-digit mobile is already normal: normalising it would change nothing.
    if text.__class__ is str and _PLAIN_MOBILE.match(text):
        return text
    value = normalize_phone(text)
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise InvalidPhone(f"联系电话“{text}”不是有效的手机号或座机号")
