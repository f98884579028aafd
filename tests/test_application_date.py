"""The application's day is Asia/Shanghai's (settings.TIME_ZONE), whatever the machine's clock zone:
at 00:30 on New Year's Day in Shanghai it is still the old year in UTC, and a batch, quota or exam
dated "today" must carry the new one."""

import time
from datetime import UTC, date, datetime

import pytest
import time_machine

from certification.models import TrackQuota

from . import factories

# 2027-01-01 00:30 in Shanghai; 2026-12-31 16:30 in UTC.
NEW_YEARS_NIGHT = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)


@pytest.fixture
def machine_clock_in_utc(monkeypatch):
    """A process whose local zone is not the application's (Django sets TZ only where it can)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_factories_date_things_on_the_applications_day_not_the_machines(db, machine_clock_in_utc):
    with time_machine.travel(NEW_YEARS_NIGHT, tick=False):
        institution = factories.institution()
        batch = factories.batch(institution, "PM")

    assert set(TrackQuota.objects.filter(institution=institution).values_list("year", flat=True)) == {2027}
    assert batch.start_date == date(2027, 1, 1)
