"""The office dashboard's "needs you now" panel: open objections, reviews waiting longer than the
setting's working days, public notices closing soon, issuance runs in progress or that skipped
candidates; each a count and a link."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import IssuanceItem, IssuanceRun, ItemStatus
from certification.models import Enrolment
from reports.attention import waiting_since_before
from workflows.models import PublicityEntry
from workflows.publicity import services as publicity

from .. import factories


def panel(client) -> dict[str, tuple[int, str]]:
    """label → (count, link) of each item in the panel."""
    page = client.get("/").content.decode()
    section = re.search(r'id="attention">(.*?)</section>', page, re.S).group(1)
    items = re.findall(
        r'<a class="stat[^"]*" href="([^"]+)">\s*<span class="number">(\d+)</span>\s*<span class="label">([^<]+)</span>',
        section,
    )
    return {label: (int(number), href) for href, number, label in items}


def test_the_panel_counts_what_waits_for_the_office(client, officer, inst1_staff, assessor, settings):
    settings.OFFICE_REVIEW_WAIT_WORKING_DAYS = 5
    settings.OFFICE_PUBLICITY_CLOSING_DAYS = 30
    waiting = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review")
    Enrolment.objects.filter(pk=waiting.pk).update(status_changed_at=timezone.now() - timedelta(days=30))
    in_notice = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, assessor=assessor, to="passed"
    )
    notice = publicity.open_publicity(officer=officer, enrolment_ids=[in_notice.pk], title="公示")
    entry = PublicityEntry.objects.get(notice=notice)
    publicity.lodge_objection(entry_id=entry.pk, name="某人", contact="13900000000", text="不符合条件")
    IssuanceRun.objects.create(officer=officer, total=1)
    skipped = IssuanceRun.objects.create(officer=officer, total=1, finished_at=timezone.now())
    IssuanceItem.objects.create(run=skipped, enrolment=in_notice, status=ItemStatus.SKIPPED, message="no")
    client.force_login(officer)

    items = panel(client)

    assert items["Objections open"] == (1, "/officer/publicity/objections/?status=open")
    assert items["Reviews waiting more than 5 working days"] == (1, "/enrolments/?status=under_review")
    assert items["Public notices closing within 30 days"] == (1, "/officer/publicity/notices/")
    assert items["Issuance runs in progress"][0] == 1
    assert items["Issuance runs that skipped candidates (last 7 days)"][0] == 1


def test_the_panel_is_the_offices_only(client, inst1_staff, assessor):
    for user in (inst1_staff, assessor):
        client.force_login(user)
        assert 'id="attention"' not in client.get("/").content.decode()


def test_the_panel_costs_the_same_queries_with_more_rows(client, officer, inst1_staff):
    client.force_login(officer)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for _ in range(3):
        factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review")
        IssuanceRun.objects.create(officer=officer, total=1)
    with CaptureQueriesContext(connection) as after:
        client.get("/")

    assert len(after) == len(before)


@pytest.mark.parametrize(
    ("today", "days", "first_day_not_yet_late"),
    [
        (date(2026, 12, 7), 1, date(2026, 12, 4)),  # Monday: a Thursday move has waited Fri + Mon
        (date(2026, 12, 9), 2, date(2026, 12, 7)),  # Wednesday: a Friday move has waited Mon-Wed
        (date(2026, 12, 9), 0, date(2026, 12, 9)),
    ],
)
def test_waiting_is_counted_in_working_days(db, today, days, first_day_not_yet_late):
    moment = waiting_since_before(today, days)

    assert timezone.localtime(moment) == timezone.make_aware(
        datetime.combine(first_day_not_yet_late, datetime.min.time())
    )
