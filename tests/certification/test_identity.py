"""ID numbers and names: checking, normalising and masking (docs/spec.md §3, §6)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from certification.identity import (
    birth_date_of_resident_id,
    mask_id_number,
    mask_name,
    normalise_id_number,
    resident_id_check_character,
    validate_resident_id,
)
from certification.models import IdType, Trainee

from .. import factories

# GB 11643-1999's own example: the check character of 11010519491231002 is X.
ID_ENDING_IN_X = "11010519491231002X"
VALID_ID = "330106199003050021"


def error_code(number: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(number)
    return caught.value.code


# --- the check character -------------------------------------------------------------------------


def test_a_valid_resident_id_passes():
    validate_resident_id(VALID_ID)
    validate_resident_id(factories.resident_id())


def test_a_resident_id_may_end_in_x():
    assert resident_id_check_character(ID_ENDING_IN_X[:17]) == "X"
    validate_resident_id(ID_ENDING_IN_X)


def test_a_wrong_check_digit_fails_the_checksum():
    wrong = VALID_ID[:17] + ("2" if VALID_ID[17] != "2" else "3")

    assert error_code(wrong) == "id_checksum"


def test_an_x_where_a_digit_belongs_fails_the_checksum():
    assert error_code(VALID_ID[:17] + "X") == "id_checksum"


def test_one_swapped_digit_fails_the_checksum():
    swapped = VALID_ID[:6] + VALID_ID[7] + VALID_ID[6] + VALID_ID[8:]

    assert swapped != VALID_ID and error_code(swapped) == "id_checksum"


@pytest.mark.parametrize(
    "number",
    [VALID_ID[:17], VALID_ID + "1", "", "33010619900305001"],
    ids=["17-characters", "19-characters", "empty", "no-check-character"],
)
def test_a_resident_id_of_the_wrong_length_is_refused(number):
    assert error_code(number) == "id_format"


@pytest.mark.parametrize(
    "number",
    [
        "33010619900305X011",
        "A30106199003050011",
        "3301061990030500²1",
        "３３０１０６１９９００３０５００２１",
        "33010619900305001x",
    ],
    ids=["x-inside", "letter", "superscript-digit", "full-width-unnormalised", "lower-case-x"],
)
def test_anything_but_17_ascii_digits_and_a_digit_or_x_is_refused(number):
    assert error_code(number) == "id_format"


@pytest.mark.parametrize(
    "birth",
    ["19901305", "19900230", "18990101", "29990101"],
    ids=["month-13", "february-30", "before-1900", "in-the-future"],
)
def test_a_resident_id_whose_birth_date_is_impossible_is_refused(birth):
    first17 = f"330106{birth}001"

    assert error_code(first17 + resident_id_check_character(first17)) == "id_birth_date"


def test_the_birth_date_is_read_from_the_id():
    assert birth_date_of_resident_id(VALID_ID) == date(1990, 3, 5)


# --- normalising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("３３０１０６１９９００３０５００２１", VALID_ID),
        (" 330106 19900305 0021 ", VALID_ID),
        ("330106\u300019900305\t0021\n", VALID_ID),
        ("11010519491231002x", ID_ENDING_IN_X),
        ("１１０１０５１９４９１２３１００２ｘ", ID_ENDING_IN_X),
        (None, ""),
    ],
    ids=["full-width-digits", "spaces", "full-width-space-and-tab", "lower-case-x", "full-width-x", "none"],
)
def test_id_numbers_are_stored_half_width_without_spaces_in_upper_case(raw, stored):
    assert normalise_id_number(raw) == stored


def test_a_normalised_full_width_id_passes():
    validate_resident_id(normalise_id_number("３３０１０６１９９００３０５００２１"))


def test_the_trainee_form_check_normalises_and_validates(inst1):
    trainee = Trainee(
        institution=inst1, name="张三", id_type=IdType.RESIDENT_ID, id_number=" ３３０１０６１９９００３０５００２１ "
    )
    trainee.clean()
    assert trainee.id_number == VALID_ID

    trainee.id_number = VALID_ID[:17] + "9"
    with pytest.raises(ValidationError) as caught:
        trainee.clean()
    assert "id_number" in caught.value.message_dict


def test_a_passport_number_is_not_checked_as_a_resident_id(inst1):
    trainee = Trainee(institution=inst1, name="John Smith", id_type=IdType.PASSPORT, id_number="e 1234567")

    trainee.clean()

    assert trainee.id_number == "E1234567"


# --- masking -------------------------------------------------------------------------------------


def test_an_id_number_keeps_its_first_three_and_last_four_characters():
    assert mask_id_number("330106199003051234") == "330***********1234"
    assert mask_id_number(ID_ENDING_IN_X) == "110***********002X"


def test_a_short_number_is_masked_entirely():
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("E12345678") == "E12**5678"


def test_id_masking_is_configurable(settings):
    settings.MASK_ID_KEEP_START, settings.MASK_ID_KEEP_END = 6, 2

    assert mask_id_number("330106199003051234") == "330106**********34"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张晓明", "张*明"),
        ("欧阳娜娜", "欧**娜"),
        ("买买提·艾力", "买****力"),
        ("张", "张"),
        ("  张晓明 ", "张*明"),
        ("John Smith", "J*** S****"),
        ("", ""),
    ],
    ids=["two", "three", "four-compound-surname", "middle-dot", "one", "blanks", "latin", "empty"],
)
def test_a_name_keeps_its_first_character_and_from_three_on_its_last(name, masked):
    assert mask_name(name) == masked


def test_a_trainee_is_shown_masked(inst1):
    trainee = factories.trainee(inst1, name="张晓明", id_number=VALID_ID)

    assert str(trainee) == "张*明 (330***********0021)"
    assert (trainee.masked_name, trainee.masked_id_number) == ("张*明", "330***********0021")
