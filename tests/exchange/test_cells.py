"""exchange.cells: one cell into one value, or the exact reason it cannot be read."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import override
from openpyxl.utils.datetime import MAC_EPOCH

from exchange import cells
from exchange.cells import Cell, CellError, NumberRange

from ..data import make_corpus as corpus

HOURS = NumberRange(Decimal(0), Decimal(2000), 1)


def error_of(function, *args, **kwargs) -> str:
    with override("en"), pytest.raises(CellError) as caught:
        function(*args, **kwargs)
    return caught.value.message


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(1990, 3, 5), date(1990, 3, 5)),
        ("1990-03-05", date(1990, 3, 5)),
        ("1990/3/5", date(1990, 3, 5)),
        ("1990.03.05", date(1990, 3, 5)),
        ("19900305", date(1990, 3, 5)),
        ("1990年3月5日", date(1990, 3, 5)),
        ("１９９０年３月５日", date(1990, 3, 5)),
        ("1990-03-05 00:00:00", date(1990, 3, 5)),
        (32937, date(1990, 3, 5)),
        (19900305, date(1990, 3, 5)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates_are_read_in_every_common_form(value, expected):
    assert cells.date_value(Cell(value, "n" if isinstance(value, int) else "s")) == expected


def test_serial_dates_follow_the_workbooks_epoch():
    assert cells.date_value(Cell(31475, "n", MAC_EPOCH)) == date(1990, 3, 5)


@pytest.mark.parametrize("value", ["05/03/1990", "1990-13-01", "下周一", "1990-02-30"])
def test_ambiguous_or_impossible_dates_are_refused(value):
    assert error_of(cells.date_value, Cell(value)) == f"“{value}” is not a date: write dates as 2024-03-05."


def test_an_id_number_stored_as_a_number_is_refused_not_mended():
    assert error_of(cells.id_number, Cell(3.30106199003051e17, "n"), id_type="resident_id", max_length=32) == (
        "The ID number is stored as a number (330106199003051000), so Excel has kept only 15 digits and dropped "
        "leading zeros: format the column as Text and type the number again."
    )
    assert "(3.30106E+17)" in error_of(cells.id_number, Cell("3.30106E+17"), id_type="resident_id", max_length=32)


def test_an_id_number_in_full_width_digits_is_normalised_and_checked():
    full_width = corpus.NEW_IDS[0].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert cells.id_number(Cell(f" {full_width} "), id_type="resident_id", max_length=32) == corpus.NEW_IDS[0]
    assert error_of(cells.id_number, Cell(corpus.BAD_CHECKSUM_ID), id_type="resident_id", max_length=32) == (
        "This resident ID number fails its checksum: please check each digit."
    )
    assert cells.id_number(Cell("E12345678"), id_type="passport", max_length=32) == "E12345678"


def test_formulas_and_excel_errors_are_refused():
    assert error_of(cells.text, Cell("=A1&B1", "f")) == (
        "This cell holds a formula (=A1&B1): replace it with its value (Paste Special → Values)."
    )
    assert error_of(cells.text, Cell("#N/A", "e")) == "This cell shows the Excel error #N/A: correct it."


@pytest.mark.parametrize(
    "value, expected", [(60, Decimal(60)), (24.5, Decimal("24.5")), ("３０", Decimal(30)), (None, None)]
)
def test_numbers_are_read_exactly(value, expected):
    assert cells.decimal_value(Cell(value), label="Hours", limits=HOURS) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        (2500, "Hours must be between 0 and 2000; this cell has 2500."),
        (-0.5, "Hours must be between 0 and 2000; this cell has -0.5."),
        (12.25, "Hours has at most 1 decimal place(s); this cell has 12.25."),
        ("twelve", "“twelve” is not a number."),
    ],
)
def test_numbers_out_of_range_or_unreadable_are_refused(value, message):
    assert error_of(cells.decimal_value, Cell(value), label="Hours", limits=HOURS) == message


def test_names_lose_alignment_spaces_between_chinese_characters():
    assert cells.person_name(Cell("王　 五"), max_length=64) == "王五"
    assert cells.person_name(Cell(" Anna  Maria "), max_length=64) == "Anna Maria"


def test_text_over_the_fields_length_is_refused():
    assert error_of(cells.text, Cell("x" * 21), max_length=20) == "This text has 21 characters; at most 20 fit."


def test_choices_accept_the_list_word_the_code_and_the_english_label():
    words = {"M": "男", "F": "女"}
    vocabulary = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
    assert cells.choice(Cell(" Female "), vocabulary, list(words.values())) == "F"
    assert error_of(cells.choice, Cell("未知"), vocabulary, list(words.values())) == "“未知” is not one of: 男、女."


def test_years_in_the_trade_are_limited_to_a_working_life():
    from exchange.columns import ENROLMENTS

    years = ENROLMENTS.column("years_in_trade")
    assert years.read(Cell(70, "n"), {}) == 70
    assert error_of(years.read, Cell(71, "n"), {}) == "Years in the trade must be between 0 and 70; this cell has 71."
