from datetime import date

import pytest

from tongchou.common.idnumbers import (
    InvalidIdNumber,
    InvalidPhone,
    check_digit,
    parse_id_number,
    parse_phone,
)
from tongchou.common.masking import mask_id_number, mask_phone

VALID = "11010519491231002X"  # the standard's own example


def test_it_accepts_the_standards_example():
    parsed = parse_id_number(VALID)
    assert parsed.value == VALID
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "female"
    assert parsed.warnings == ()


def test_it_normalises_lowercase_x_fullwidth_digits_and_spaces():
    fullwidth = "１１０１０５ １９４９１２３１ ００２ｘ"
    assert parse_id_number(fullwidth).value == VALID
    assert parse_id_number(VALID.lower()).value == VALID


def test_it_rejects_a_wrong_check_digit():
    with pytest.raises(InvalidIdNumber, match="校验码"):
        parse_id_number("110105194912310021")


def test_it_rejects_an_impossible_birth_date_even_with_a_good_check_digit():
    first17 = "11010519490231002"  # 31 February
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse_id_number(first17 + check_digit(first17))


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "11010520990101002"
    with pytest.raises(InvalidIdNumber, match="不合理"):
        parse_id_number(first17 + check_digit(first17), today=date(2026, 1, 1))


@pytest.mark.parametrize("text", ["", "1234", "11010519491231002X1", "11010519491231002Y"])
def test_it_rejects_wrong_length_and_characters(text):
    with pytest.raises(InvalidIdNumber):
        parse_id_number(text)


def test_it_only_warns_about_an_unknown_region_code():
    first17 = "99010519491231002"
    parsed = parse_id_number(first17 + check_digit(first17))
    assert parsed.warnings and "地区码" in parsed.warnings[0]


def test_it_keeps_historic_region_codes_valid():
    # 412701 (old Zhoukou prefecture code) is no longer current but still on cards.
    first17 = "41270119800101001"
    assert parse_id_number(first17 + check_digit(first17)).warnings == ()


def test_it_derives_sex_from_the_17th_digit():
    first17 = "41010219800101001"
    assert parse_id_number(first17 + check_digit(first17)).sex == "male"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0371-6712 3456", "037167123456"),
    ],
)
def test_it_normalises_phones(text, expected):
    assert parse_phone(text) == expected


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "abc", "23456"])
def test_it_rejects_bad_phones(text):
    with pytest.raises(InvalidPhone):
        parse_phone(text)


def test_masks_match_the_house_format():
    assert mask_id_number("410102199001011234") == "4101**********1234"
    assert mask_phone("13812345678") == "138****5678"
