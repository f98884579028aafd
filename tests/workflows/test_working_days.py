"""Working-day arithmetic of the public notice: weekends and NonWorkingDay rows are skipped."""

from datetime import date, timedelta

import pytest

from workflows.models import NonWorkingDay
from workflows.publicity.working_days import add_working_days, is_working_day, publicity_end_date

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (MONDAY, 5, date(2026, 3, 9)),  # Tuesday to the next Monday
        (date(2026, 3, 6), 5, date(2026, 3, 13)),  # opened on a Friday: Monday to Friday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # opened on a Saturday: the Monday
        (MONDAY, 0, MONDAY),
        (MONDAY, 10, date(2026, 3, 16)),
    ],
)
def test_a_period_counts_working_days_from_the_day_after_opening(start, days, end):
    assert add_working_days(start, days) == end


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 3, 6))
    assert not is_working_day(date(2026, 3, 7))
    assert not is_working_day(date(2026, 3, 8))


def test_a_holiday_is_skipped_like_a_weekend():
    wednesday = date(2026, 3, 4)
    assert add_working_days(MONDAY, 5, {wednesday}) == date(2026, 3, 10)


@pytest.mark.django_db
def test_the_end_date_skips_the_holidays_recorded_in_the_database():
    NonWorkingDay.objects.create(date=date(2026, 3, 4), name="test holiday")
    NonWorkingDay.objects.create(date=date(2026, 3, 5), name="test holiday")

    assert publicity_end_date(MONDAY, 5) == date(2026, 3, 11)


@pytest.mark.django_db
def test_a_holiday_before_the_opening_day_does_not_count():
    NonWorkingDay.objects.create(date=MONDAY, name="opening day itself")
    NonWorkingDay.objects.create(date=MONDAY - timedelta(days=3), name="the Friday before")

    assert publicity_end_date(MONDAY, 5) == date(2026, 3, 9)


@pytest.mark.django_db
def test_national_day_week_pushes_the_end_past_it():
    # 2026-10-01 (Thursday) to 2026-10-08 (Thursday) off; opened on Wednesday 30 September.
    for offset in range(8):
        NonWorkingDay.objects.create(date=date(2026, 10, 1) + timedelta(days=offset), name="国庆节")

    assert publicity_end_date(date(2026, 9, 30), 5) == date(2026, 10, 15)


@pytest.mark.django_db
def test_a_run_of_holidays_longer_than_the_first_window_is_still_counted():
    start = date(2026, 1, 5)
    # Every weekday of the first 60 days is a holiday: the end lies beyond the first window read.
    for offset in range(1, 61):
        NonWorkingDay.objects.create(date=start + timedelta(days=offset))

    end = publicity_end_date(start, 5)

    assert end == add_working_days(start + timedelta(days=60), 5)
