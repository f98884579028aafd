"""The audit view's rows (docs/spec.md §9, §10): every lifecycle move (StateLog), score or hours change
(ScoreChange), vetting decision (VettingDecision) and certificate event (CertificateEvent), newest
first, as one list.

The four tables are read separately, each in the order of its (created_at, id) index and cut at the
page's size, and merged here: every query is an index walk that stops after a page, on SQLite and
PostgreSQL alike, where a UNION would sort all the rows first. Paging is by keyset: a page ends at
an entry (time, kind, id) and the next starts just after it, so page 1,000 costs what page 1 does.
The export walks the same four queries to the end, in chunks, merged as they stream.
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from certificates.models import CertificateEvent, EventKind
from certification.models import (
    EnrolmentStatus,
    InstitutionStatus,
    ScoreChange,
    ScoreField,
    StateLog,
    VettingDecision,
)

# The kinds, in the order that breaks a tie between entries made at the same moment.
KINDS = {
    "certificate": _("Certificate event"),
    "score": _("Score or hours change"),
    "state": _("State change"),
    "vetting": _("Vetting decision"),
}
PAGE_SIZE = 100
CHUNK = 2000


@dataclass(frozen=True)
class Filters:
    actor_id: int | None = None
    institution_id: int | None = None
    enrolment_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page starts with the entry just older than this one."""

    created_at: datetime
    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.created_at.isoformat()}~{self.kind}~{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor | None":
        try:
            moment, kind, pk = text.split("~")
            created_at = parse_datetime(moment)
        except ValueError:
            return None
        if created_at is None or kind not in KINDS or not pk.isdigit():
            return None
        return cls(created_at, kind, int(pk))


@dataclass(frozen=True)
class Entry:
    kind: str
    id: int
    created_at: datetime
    actor: str
    institution: str
    enrolment_id: int | None
    trainee: str
    what: str
    old: str
    new: str
    reason: str

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.kind, self.id)

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def sort_key(self) -> tuple:
        return (self.created_at, self.kind, self.id)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Per kind: the model, and how its columns map to an entry's.
_SOURCES = {
    "state": {
        "model": StateLog,
        "actor": "actor",
        "enrolment": "enrolment",
        "institution": "enrolment__batch__institution",
        "what": "transition",
        "old": "from_status",
        "new": "to_status",
        "reason": "reason",
    },
    "score": {
        "model": ScoreChange,
        "actor": "actor",
        "enrolment": "enrolment",
        "institution": "enrolment__batch__institution",
        "what": "field",
        "old": "old_value",
        "new": "new_value",
        "reason": "reason",
    },
    "vetting": {
        "model": VettingDecision,
        "actor": "officer",
        "enrolment": None,
        "institution": "institution",
        "what": None,
        "old": "from_status",
        "new": "to_status",
        "reason": "note",
    },
    "certificate": {
        "model": CertificateEvent,
        "actor": "actor",
        "enrolment": "certificate__enrolment",
        "institution": "certificate__enrolment__batch__institution",
        "what": "kind",
        "old": None,
        "new": "certificate__number",
        "reason": "reason",
    },
}

_LABELS = {
    "state": (None, dict(EnrolmentStatus.choices), dict(EnrolmentStatus.choices)),
    "score": (dict(ScoreField.choices), None, None),
    "vetting": (None, dict(InstitutionStatus.choices), dict(InstitutionStatus.choices)),
    "certificate": (dict(EventKind.choices), None, None),
}


def _queryset(kind: str, filters: Filters, after: Cursor | None) -> QuerySet | None:
    """One source's entries under the filters, newest first; None when the filters exclude it."""
    source = _SOURCES[kind]
    if filters.kind and filters.kind != kind:
        return None
    if filters.enrolment_id is not None and source["enrolment"] is None:
        return None
    conditions = Q()
    if filters.actor_id is not None:
        conditions &= Q(**{f"{source['actor']}_id": filters.actor_id})
    if filters.institution_id is not None:
        conditions &= Q(**{f"{source['institution']}_id": filters.institution_id})
    if filters.enrolment_id is not None:
        conditions &= Q(**{f"{source['enrolment']}_id": filters.enrolment_id})
    if filters.date_from is not None:
        conditions &= Q(created_at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        conditions &= Q(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if after is not None:
        # Strictly older than the cursor in (time, kind, id) order.
        if kind < after.kind:
            conditions &= Q(created_at__lte=after.created_at)
        elif kind == after.kind:
            conditions &= Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        else:
            conditions &= Q(created_at__lt=after.created_at)
    actor = source["actor"]
    columns = {
        "actor_username": F(f"{actor}__username"),
        "actor_first": F(f"{actor}__first_name"),
        "actor_last": F(f"{actor}__last_name"),
        "institution_name": F(f"{source['institution']}__name"),
        "enrolment_ref": F(f"{source['enrolment']}_id") if source["enrolment"] else Value(None, IntegerField()),
        "trainee_name": F(f"{source['enrolment']}__trainee__name") if source["enrolment"] else Value(""),
        "what_value": F(source["what"]) if source["what"] else Value(""),
        "old_value_": F(source["old"]) if source["old"] else Value(""),
        "new_value_": F(source["new"]),
        "reason_value": F(source["reason"]),
    }
    return (
        source["model"].objects.filter(conditions).order_by("-created_at", "-id").values("id", "created_at", **columns)
    )


def _entry(kind: str, row: dict) -> Entry:
    what_labels, old_labels, new_labels = _LABELS[kind]
    name = f"{row['actor_last'] or ''}{row['actor_first'] or ''}".strip() or row["actor_username"] or ""

    def shown(value, labels):
        if value is None:
            return ""
        return str(labels.get(value, value)) if labels else str(value)

    what = shown(row["what_value"], what_labels)
    if kind == "vetting":
        what = str(_("vetting"))
    return Entry(
        kind=kind,
        id=row["id"],
        created_at=row["created_at"],
        actor=name,
        institution=row["institution_name"] or "",
        enrolment_id=row["enrolment_ref"],
        trainee=row["trainee_name"] or "",
        what=what,
        old=shown(row["old_value_"], old_labels),
        new=shown(row["new_value_"], new_labels),
        reason=row["reason_value"] or "",
    )


def page(filters: Filters, after: Cursor | None = None, size: int | None = None) -> tuple[list[Entry], Cursor | None]:
    """One page of entries (newest first) and the cursor of the next page (None on the last)."""
    size = size or PAGE_SIZE
    found: list[Entry] = []
    for kind in KINDS:
        queryset = _queryset(kind, filters, after)
        if queryset is not None:
            found += [_entry(kind, row) for row in queryset[: size + 1]]
    found.sort(key=lambda entry: entry.sort_key, reverse=True)
    entries = found[:size]
    return entries, entries[-1].cursor if len(found) > size else None


def _stream(kind: str, queryset: QuerySet) -> Iterator[Entry]:
    for row in queryset.iterator(chunk_size=CHUNK):
        yield _entry(kind, row)


def every_entry(filters: Filters) -> Iterator[Entry]:
    """All entries, newest first, read in chunks from the four sources and merged as they come."""
    streams = [_stream(kind, queryset) for kind in KINDS if (queryset := _queryset(kind, filters, None)) is not None]
    return heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
