"""The office's counts of checks (per day, per certificate), kept in a rollup of the verification log.

Every public lookup writes one row to the log (certificates.verification), and a year of them is
over a million rows: counting them per day took ~2 s. So the closed days are counted once and kept:
VerificationDay holds each closed day's checks by channel and found or not (a few rows a day), and
VerificationTotal each certificate's checks over the closed days of each of the office's periods
(the certificate dimension is not kept per day: a certificate is seldom checked twice a day, so a
row per day and certificate would be as many as the log's). The page reads the closed days from
these, and only the open days (today, and any day not yet closed) from the log. The /verify/ path
does not change: the log stays the only thing a lookup writes.

`refresh()` runs on demand before the counts are read (one cheap query when nothing is to do) and
from the scheduler (certificates.tasks, every round), so that the page seldom waits for it. It:
- closes the days that ended at least CLOSE_AFTER ago (a row stamped a moment before midnight is
  committed by then: it is written in autocommit right after it is stamped), counting them in
  VerificationDay and sliding every period's VerificationTotal by them: the closed day's rows are
  added and those of the day that left the period taken away, a day's rows each (a year's, read
  once, only at the first refresh);
- redoes the days and the certificates of late rows: rows written after the last refresh (id above
  its mark) for a day it had closed, such as an import with past times. The last REDO_OVERLAP ids
  before the mark are redone too, as stage_durations does, for a row whose transaction committed
  after a refresh had read past its id. Everything is recomputed from the log, never incremented,
  so redoing is harmless: the rollup always equals the log (tests/certificates/test_check_rollup.py).
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.sql import quoted_table

from .models import VerificationDay, VerificationLog, VerificationRollupMark, VerificationTotal

# The office's periods, in days (today and the days before it): the page offers these, and each has
# its own per-certificate totals.
PERIODS = (7, 30, 90, 365)
CLOSE_AFTER = timedelta(minutes=5)
REDO_OVERLAP = 1000


@dataclass(frozen=True)
class Rollup:
    """What the rollup holds: every day up to `through_day`; the log from `open_from` is not in it."""

    through_day: date
    open_from: datetime
    # How many certificates have a total, per period (str(period) -> count): the pages' count
    # needs no counting of a period's totals (70,000 rows for a year at 100,000 enrolments).
    certificates: dict[str, int]


def day_start(day: date) -> datetime:
    """Midnight beginning `day` in the office's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def closable_day(now: datetime) -> date:
    """The last day that ended at least CLOSE_AFTER before `now`."""
    return timezone.localdate(now - CLOSE_AFTER) - timedelta(days=1)


def _db_time(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _state() -> tuple[Rollup | None, bool]:
    """The rollup's mark (None when there is none yet), and whether late rows wait: one query."""
    log, mark = quoted_table(VerificationLog), quoted_table(VerificationRollupMark)
    with connection.cursor() as cursor:
        cursor.execute(
            # The first late row by id, not EXISTS: PostgreSQL then walks the primary key from the
            # mark (the rows since the last refresh) instead of scanning the whole log (0.1 ms, not
            # 350 ms at a million rows).
            f"SELECT m.through_day, m.certificates, (SELECT l.id FROM {log} l WHERE l.id > m.last_log_id "
            f"AND l.created_at < m.open_from ORDER BY l.id LIMIT 1) IS NOT NULL FROM {mark} m WHERE m.id = 1"
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None, False
    through_day = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
    certificates = json.loads(row[1]) if isinstance(row[1], str | bytes) else row[1]
    rollup = Rollup(
        through_day=through_day, open_from=day_start(through_day + timedelta(days=1)), certificates=certificates
    )
    return rollup, bool(row[2])


def current(*, now: datetime | None = None) -> Rollup:
    """Refresh the rollup when a day closed or late rows wait, then say what it holds."""
    now = now or timezone.now()
    rollup, late = _state()
    if rollup is not None and rollup.through_day >= closable_day(now) and not late:
        return rollup
    return refresh(now=now)


def refresh(*, now: datetime | None = None) -> Rollup:
    """Close the days that ended and redo the days and certificates of late rows (see the module)."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = VerificationRollupMark.objects.select_for_update().filter(pk=1).first()
        if mark is None:
            mark = VerificationRollupMark.objects.create(pk=1)
        newest = VerificationLog.objects.aggregate(newest=Max("id"))["newest"] or 0
        old_day = mark.through_day
        new_day = max(closable_day(now), old_day) if old_day else closable_day(now)
        new_open = day_start(new_day + timedelta(days=1))
        if old_day == new_day and newest <= mark.last_log_id:
            # another refresh did it meanwhile
            return Rollup(through_day=new_day, open_from=new_open, certificates=mark.certificates)

        late = VerificationLog.objects.none()
        if old_day is None:
            _redo_days(None, new_open)
        else:
            old_open = day_start(old_day + timedelta(days=1))
            if new_day > old_day:
                _redo_days(old_open, new_open)
            since = max(0, mark.last_log_id - REDO_OVERLAP)
            late = VerificationLog.objects.filter(id__gt=since, id__lte=newest, created_at__lt=old_open)
            tz = timezone.get_current_timezone()
            days = late.annotate(day=TruncDate("created_at", tzinfo=tz)).order_by().values_list("day", flat=True)
            for first, last in _runs(sorted(set(days.distinct()))):  # one query per run of consecutive days
                _redo_days(day_start(first), day_start(last + timedelta(days=1)))

        if new_day != old_day:
            for period in PERIODS:
                if old_day is not None and (new_day - old_day).days < period - 1:
                    _slide_totals(period, old_day, new_day)
                else:  # the first refresh, or the period's window moved past all its days
                    VerificationTotal.objects.filter(period=period).delete()
                    _fill_totals(period, new_day, certificates=None)
        if late.exists():
            # The late rows' certificates, as a subquery: an import of past checks may name thousands.
            checked = late.filter(certificate__isnull=False).values("certificate_id")
            VerificationTotal.objects.filter(certificate_id__in=checked).delete()
            for period in PERIODS:
                _fill_totals(period, new_day, certificates=checked)

        certificates = {
            str(period): n
            for period, n in VerificationTotal.objects.values_list("period").annotate(n=Count("pk")).order_by()
        }
        if new_day != old_day and connection.vendor == "postgresql":
            # The totals were all rewritten: plans of the page's queries need their new sizes now.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {quoted_table(VerificationTotal)}, {quoted_table(VerificationDay)}")
        VerificationRollupMark.objects.filter(pk=1).update(
            through_day=new_day, open_from=new_open, last_log_id=newest, certificates=certificates
        )
    return Rollup(through_day=new_day, open_from=new_open, certificates=certificates)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """(first, last) of each run of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _redo_days(start: datetime | None, end: datetime) -> None:
    """Count again the whole days from `start` (from the first row when None) to `end`."""
    rows = VerificationLog.objects.filter(created_at__lt=end)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    counts = (
        rows.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "channel", "found")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days = VerificationDay.objects.filter(day__lt=timezone.localdate(end))
    if start is not None:
        days = days.filter(day__gte=timezone.localdate(start))
    days.delete()
    VerificationDay.objects.bulk_create(VerificationDay(**row) for row in counts)


def _fill_totals(period: int, through_day: date, *, certificates: QuerySet | None) -> None:
    """Each certificate's checks over the closed days of `period` (those after the period's first
    day and up to `through_day`), for the `certificates` given or all."""
    start = day_start(through_day - timedelta(days=period - 2))
    end = day_start(through_day + timedelta(days=1))
    params: list = [period, _db_time(start), _db_time(end)]
    only = ""
    if certificates is not None:
        subquery, subparams = certificates.query.sql_with_params()
        only = f" AND certificate_id IN ({subquery})"
        params += list(subparams)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quoted_table(VerificationTotal)} (period, certificate_id, n, last) "
            f"SELECT %s, certificate_id, COUNT(*), MAX(created_at) FROM {quoted_table(VerificationLog)} "
            f"WHERE created_at >= %s AND created_at < %s AND certificate_id IS NOT NULL{only} "
            "GROUP BY certificate_id",
            params,
        )


def _slide_totals(period: int, old_day: date, new_day: date) -> None:
    """Move the period's totals from ending at `old_day` to ending at `new_day`: add the days that
    closed, take away the days that left the period (both a few thousand rows, read by time), and
    drop the certificates left with none. A certificate's last check stays right: the days that
    leave are the period's oldest. Exact when the totals were; late rows are redone after this."""
    totals, log = quoted_table(VerificationTotal), quoted_table(VerificationLog)
    added = [_db_time(day_start(old_day + timedelta(days=1))), _db_time(day_start(new_day + timedelta(days=1)))]
    left = [
        _db_time(day_start(old_day - timedelta(days=period - 2))),
        _db_time(day_start(new_day - timedelta(days=period - 2))),
    ]
    per_certificate = (
        f"SELECT certificate_id, COUNT(*) AS n, MAX(created_at) AS last FROM {log} "
        "WHERE created_at >= %s AND created_at < %s AND certificate_id IS NOT NULL GROUP BY certificate_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {totals} SET n = {totals}.n - d.n FROM ({per_certificate}) d "
            f"WHERE {totals}.period = %s AND {totals}.certificate_id = d.certificate_id",
            [*left, period],
        )
        cursor.execute(f"DELETE FROM {totals} WHERE period = %s AND n <= 0", [period])
        cursor.execute(
            f"INSERT INTO {totals} (period, certificate_id, n, last) SELECT %s, d.certificate_id, d.n, d.last "
            f"FROM ({per_certificate}) d WHERE true ON CONFLICT (period, certificate_id) DO UPDATE "
            f"SET n = {totals}.n + excluded.n, "
            f"last = CASE WHEN excluded.last > {totals}.last THEN excluded.last ELSE {totals}.last END",
            [period, *added],
        )


def first_day(period: int, *, today: date) -> date:
    return today - timedelta(days=period - 1)


def counts_per_day(rollup: Rollup, *, period: int, today: date) -> list[dict]:
    """Per day of the period (the office's time zone): checks that found a certificate, by channel,
    and lookups that found none (wrong numbers: guessing shows here). Newest day first. Closed days
    from the rollup, the open ones from the log."""
    since = first_day(period, today=today)
    rows = []
    if rollup.through_day >= since:
        rows += list(
            VerificationDay.objects.filter(day__gte=since, day__lte=rollup.through_day).values(
                "day", "channel", "found", "n"
            )
        )
    open_from = max(day_start(since), rollup.open_from)
    rows += list(
        VerificationLog.objects.filter(created_at__gte=open_from)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "channel", "found")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days: dict = {}
    for row in rows:
        day = days.setdefault(row["day"], {"day": row["day"], "found": 0, "not_found": 0, "channels": {}})
        if row["found"]:
            day["found"] += row["n"]
            day["channels"][row["channel"]] = day["channels"].get(row["channel"], 0) + row["n"]
        else:
            day["not_found"] += row["n"]
    return sorted(days.values(), key=lambda d: d["day"], reverse=True)


class CountsPerCertificate:
    """The certificates checked in the period, the most checked first (then by id), each with its
    count and last check: a sequence a Paginator pages through, a page costing one query.

    A certificate's count is its closed days' total (VerificationTotal) plus its open rows in the
    log. A page ending at row k needs only the k highest totals and every certificate checked in
    the open days (a few thousand rows a day): any other certificate has no more than its total,
    and k certificates of those already rank before it. When the rollup does not hold exactly the
    period's closed days (the minutes after midnight before yesterday closes), the log alone."""

    def __init__(self, rollup: Rollup, *, period: int, today: date) -> None:
        self.period = period
        if rollup.through_day == today - timedelta(days=1):
            self.with_totals, self.open_from = True, rollup.open_from
            self.totals = rollup.certificates.get(str(period), 0)
        else:
            self.with_totals, self.open_from = False, day_start(first_day(period, today=today))
            self.totals = 0
        self._count: int | None = None

    def _open_sql(self) -> tuple[str, list]:
        return (
            f"SELECT certificate_id, COUNT(*) AS n, MAX(created_at) AS last FROM {quoted_table(VerificationLog)} "
            "WHERE created_at >= %s AND certificate_id IS NOT NULL GROUP BY certificate_id",
            [_db_time(self.open_from)],
        )

    def count(self) -> int:
        if self._count is None:
            open_sql, params = self._open_sql()
            sql = f"SELECT COUNT(*) FROM ({open_sql}) o"
            if self.with_totals:
                totals = quoted_table(VerificationTotal)
                sql = (
                    f"SELECT %s + COUNT(*) FROM ({open_sql}) o WHERE NOT EXISTS (SELECT 1 FROM {totals} t "
                    "WHERE t.period = %s AND t.certificate_id = o.certificate_id)"
                )
                params = [self.totals, *params, self.period]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict]:
        offset, stop = key.start or 0, key.stop
        open_sql, params = self._open_sql()
        if self.with_totals:
            totals = quoted_table(VerificationTotal)
            # The candidates with their totals: the period's highest (read down its index), and those
            # checked today (looked up one by one); a candidate in both is the same row, kept once.
            sql = (
                f"WITH o AS ({open_sql}), c AS (SELECT * FROM (SELECT certificate_id, n, last FROM {totals} "
                "WHERE period = %s ORDER BY n DESC, certificate_id LIMIT %s) top "
                f"UNION SELECT o.certificate_id, COALESCE(t.n, 0), t.last FROM o LEFT JOIN {totals} t "
                "ON t.period = %s AND t.certificate_id = o.certificate_id) "
                "SELECT c.certificate_id, c.n + COALESCE(o.n, 0) AS n, COALESCE(o.last, c.last) "
                "FROM c LEFT JOIN o ON o.certificate_id = c.certificate_id "
                "ORDER BY n DESC, c.certificate_id LIMIT %s OFFSET %s"
            )
            params = [*params, self.period, stop, self.period, stop - offset, offset]
        else:
            sql = f"{open_sql} ORDER BY n DESC, certificate_id LIMIT %s OFFSET %s"
            params = [*params, stop - offset, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [{"certificate_id": pk, "n": n, "last": _aware(last)} for pk, n, last in rows]


def _aware(value) -> datetime:
    """A time as the database returns it from raw SQL (SQLite: text in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
