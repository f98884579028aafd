"""The rollup of the verification log (certificates.check_rollup): the office's counts read from it
always equal the log's own, late rows included, and reading costs one query when nothing is new."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import check_rollup, services
from certificates.models import VerificationDay, VerificationLog, VerificationTotal
from core import periodic

from .conftest import ready_enrolments

CHANNELS = ("page", "qr", "json", "bulk", "credential")


@pytest.fixture
def certificates(issued, inst2_certificate, inst1_staff, officer, assessor):
    more = [
        services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)
        for enrolment in ready_enrolments(inst1_staff, officer, assessor, 3)
    ]
    return [issued, inst2_certificate, *more]


def add_rows(certificates, *, days_ago: range, seed: int = 0) -> None:
    """Checks spread over the days, a few a day, at varied hours: some of no certificate."""
    now = timezone.now()
    rows = []
    for i, ago in enumerate(days_ago):
        for j in range((i + seed) % 4 + 1):
            k = i * 7 + j * 3 + seed
            certificate = certificates[k % len(certificates)] if k % 5 else None
            rows.append(
                VerificationLog(
                    channel=CHANNELS[k % len(CHANNELS)],
                    query=certificate.number if certificate else "nothing",
                    certificate=certificate,
                    found=certificate is not None,
                    created_at=now - timedelta(days=ago, hours=(k * 5) % 23, minutes=k % 60),
                )
            )
    VerificationLog.objects.bulk_create(rows)


def raw_per_day(period: int) -> dict:
    """The counts per day straight from the log, in Python: day -> (found, not found, by channel)."""
    since = check_rollup.day_start(timezone.localdate() - timedelta(days=period - 1))
    days: dict = {}
    for row in VerificationLog.objects.filter(created_at__gte=since):
        found, not_found, channels = days.setdefault(timezone.localdate(row.created_at), (0, 0, Counter()))
        if row.found:
            channels[row.channel] += 1
        days[timezone.localdate(row.created_at)] = (found + row.found, not_found + (not row.found), channels)
    return days


def raw_per_certificate(period: int) -> list[tuple]:
    since = check_rollup.day_start(timezone.localdate() - timedelta(days=period - 1))
    counts: Counter = Counter()
    last: dict = {}
    for row in VerificationLog.objects.filter(created_at__gte=since, certificate__isnull=False):
        counts[row.certificate_id] += 1
        last[row.certificate_id] = max(last.get(row.certificate_id, row.created_at), row.created_at)
    return sorted(((pk, n, last[pk]) for pk, n in counts.items()), key=lambda r: (-r[1], r[0]))


def rolled_up(period: int) -> tuple[dict, list[tuple]]:
    rollup, today = check_rollup.current(), timezone.localdate()
    per_day = {
        d["day"]: (d["found"], d["not_found"], Counter(d["channels"]))
        for d in check_rollup.counts_per_day(rollup, period=period, today=today)
    }
    counts = check_rollup.CountsPerCertificate(rollup, period=period, today=today)
    per_certificate = [(r["certificate_id"], r["n"], r["last"]) for r in counts[0 : counts.count()]]
    return per_day, per_certificate


def assert_equal_to_the_log() -> None:
    for period in check_rollup.PERIODS:
        per_day, per_certificate = rolled_up(period)
        assert per_day == raw_per_day(period), period
        assert per_certificate == raw_per_certificate(period), period


def test_the_rollup_equals_the_log_for_every_period(certificates):
    add_rows(certificates, days_ago=range(0, 400, 3))
    add_rows(certificates, days_ago=range(0, 3), seed=2)  # today and yesterday, more than once a day

    assert_equal_to_the_log()
    assert VerificationDay.objects.exists()
    assert VerificationTotal.objects.filter(period=365).exists()
    assert not VerificationDay.objects.filter(day__gte=timezone.localdate()).exists()  # today stays open


def test_rows_that_arrive_for_a_day_already_rolled_up_are_counted(certificates):
    add_rows(certificates, days_ago=range(1, 60, 2))
    check_rollup.refresh()
    assert_equal_to_the_log()

    add_rows(certificates, days_ago=range(2, 50, 5), seed=3)  # days the rollup had closed
    add_rows(certificates, days_ago=range(0, 1), seed=1)

    assert_equal_to_the_log()


def test_closing_day_after_day_slides_every_period_and_stays_equal_to_the_log(certificates, monkeypatch):
    # No overlap: here every row is older than the first refresh, and redoing them would hide the slide.
    monkeypatch.setattr(check_rollup, "REDO_OVERLAP", 0)
    add_rows(certificates, days_ago=range(0, 400))
    add_rows(certificates, days_ago=range(0, 400, 7), seed=1)
    now = timezone.now()
    check_rollup.refresh(now=now - timedelta(days=40))  # the first refresh: every total counted
    for ago in (39, 38, 37, 30, 8, 2):  # a day at a time, then jumps: some past a period's length
        check_rollup.refresh(now=now - timedelta(days=ago))
    assert_equal_to_the_log()  # today's refresh slides the last day

    add_rows(certificates, days_ago=range(3, 12), seed=2)  # late rows, for days already closed
    assert_equal_to_the_log()


def test_a_page_deep_in_the_list_equals_the_log_ranking(certificates):
    add_rows(certificates, days_ago=range(1, 30))
    add_rows(certificates, days_ago=range(0, 1), seed=4)
    rollup = check_rollup.current()
    counts = check_rollup.CountsPerCertificate(rollup, period=30, today=timezone.localdate())
    expected = raw_per_certificate(30)

    pages = [counts[start : start + 2] for start in range(0, len(expected), 2)]

    assert [(r["certificate_id"], r["n"]) for page in pages for r in page] == [(pk, n) for pk, n, _ in expected]
    assert counts.count() == len(expected)


def test_before_yesterday_closes_the_counts_come_from_the_log_alone(certificates):
    add_rows(certificates, days_ago=range(0, 20))
    check_rollup.refresh(now=timezone.now() - timedelta(days=2))  # the rollup ends three days ago
    rollup = check_rollup._state()[0]
    assert rollup is not None and rollup.through_day < timezone.localdate() - timedelta(days=1)

    counts = check_rollup.CountsPerCertificate(rollup, period=30, today=timezone.localdate())
    per_day = check_rollup.counts_per_day(rollup, period=30, today=timezone.localdate())

    assert not counts.with_totals
    assert [(r["certificate_id"], r["n"]) for r in counts[0:10]] == [(pk, n) for pk, n, _ in raw_per_certificate(30)]
    assert sum(d["found"] + d["not_found"] for d in per_day) == sum(f + n for f, n, _ in raw_per_day(30).values())


def test_nothing_new_costs_one_query_and_todays_checks_need_no_refresh(certificates, client):
    add_rows(certificates, days_ago=range(0, 10))
    check_rollup.current()
    client.get(reverse("certificates:verify", args=[certificates[0].number]))  # a check today

    with CaptureQueriesContext(connection) as queries:
        check_rollup.current()

    assert len(queries) == 1


def test_the_office_page_shows_the_logs_numbers(certificates, client, officer):
    add_rows(certificates, days_ago=range(0, 100))
    client.force_login(officer)
    client.get(reverse("certificates:check_counts"), {"days": 90})
    add_rows(certificates, days_ago=range(5, 80, 7), seed=1)  # late rows

    response = client.get(reverse("certificates:check_counts"), {"days": 90})

    shown = {d["day"]: (d["found"], d["not_found"]) for d in response.context["per_day"]}
    assert shown == {day: (found, not_found) for day, (found, not_found, _) in raw_per_day(90).items()}
    rows = response.context["per_certificate"]
    assert [(r["number"], r["n"]) for r in rows] == [
        (next(c.number for c in certificates if c.pk == pk), n) for pk, n, _ in raw_per_certificate(90)
    ]


def test_the_scheduler_closes_the_days():
    from certificates.tasks import schedule_check_rollup

    assert schedule_check_rollup in periodic.jobs()
