"""Working-day arithmetic for the public notice (公示): weekends and NonWorkingDay rows are skipped.

The period counts from the day after the notice opens, so that a notice opened in the afternoon
still gets its full number of working days; the end date is the last day on which objections are
taken. Working weekends that make up for a holiday (调休) are not modelled: such a Saturday counts
as a rest day, which can only make the period longer, never shorter.
"""

from collections.abc import Collection
from datetime import date, timedelta

from workflows.models import NonWorkingDay

SATURDAY = 5


def is_working_day(day: date, non_working: Collection[date] = ()) -> bool:
    return day.weekday() < SATURDAY and day not in non_working


def add_working_days(start: date, working_days: int, non_working: Collection[date] = ()) -> date:
    """The day on which the `working_days`-th working day after `start` falls (`start` itself not counted)."""
    day, counted = start, 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, non_working):
            counted += 1
    return day


def non_working_days_between(first: date, last: date) -> set[date]:
    return set(NonWorkingDay.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True))


def publicity_end_date(start: date, working_days: int) -> date:
    """`start` + `working_days` working days, skipping weekends and the holidays in NonWorkingDay.

    Reads the holidays of a window that surely holds the answer when there are few holidays, and
    widens the window in the rare case that a long run of holidays pushes the end past it.
    """
    window = timedelta(days=working_days * 2 + 31)
    while True:
        last = start + window
        end = add_working_days(start, working_days, non_working_days_between(start, last))
        if end <= last:
            return end
        window *= 2
