"""The public notice (公示, docs/spec.md §4): open a notice, take objections, decide them, close due periods.

Every status change goes through certification.services (lock, transition, StateLog). The rules
kept here:
- A notice lists passed candidates; each candidate's period is its own track's length in working
  days (Track.publicity_working_days), counted from the day after the notice opens. A notice that
  mixes tracks of different lengths ends when its longest period ends.
- Objections are taken while the notice is open, the candidate is still in public notice and the
  candidate's period has not ended (its last day included).
- When a period has ended, a candidate with no open objection moves to ready_to_issue. A candidate
  with an open objection waits for the officer's decision, and moves at the next run after a dismissal.
- Objections, closing and decisions on one candidate serialise on the enrolment's row lock, so an
  objection lodged on the last evening is never lost to a close running at the same moment.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from certification import effects, services
from certification.models import Enrolment, EnrolmentStatus, User
from core.errors import InvalidInput, MoveForbidden, RuleNotMet, StaleState
from core.guards import require_officer
from core.validators import normalise_contact
from notifications import events as notifications
from workflows.models import Objection, ObjectionStatus, PublicityEntry, PublicityNotice

from . import working_days

IN_PUBLICITY = EnrolmentStatus.IN_PUBLICITY


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."))
    return reason


# Opening a notice -------------------------------------------------------------------------------


class PeriodEnds(dict):
    """The last day of a period opened on `start`, by its length in working days: worked out once
    per length when many candidates open together."""

    def __init__(self, start: date):
        super().__init__()
        self.start = start

    def __missing__(self, length: int) -> date:
        self[length] = working_days.publicity_end_date(self.start, length)
        return self[length]


@effects.of("open_publicity")
def set_end_of_period(move: effects.Move) -> None:
    """Each candidate's period is its own track's length in working days."""
    ends = move.context if isinstance(move.context, PeriodEnds) else PeriodEnds(timezone.localdate())
    move.enrolment.publicity_ends_on = ends[move.enrolment.track.publicity_working_days]


def open_publicity(*, officer: User, enrolment_ids: Iterable[int], title: str) -> PublicityNotice:
    """Put passed candidates in a new public notice, all or nothing."""
    require_officer(officer)
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Please give the notice a title."))
    if len(title) > (PublicityNotice._meta.get_field("title").max_length or len(title)):
        raise InvalidInput(_("The title is too long."))
    today = timezone.localdate()
    with transaction.atomic():
        enrolments = services.open_publicity(officer=officer, enrolment_ids=enrolment_ids, context=PeriodEnds(today))
        notice = PublicityNotice.objects.create(
            title=title,
            opened_by=officer,
            starts_on=today,
            ends_on=max(e.publicity_ends_on or today for e in enrolments),
        )
        PublicityEntry.objects.bulk_create([PublicityEntry(notice=notice, enrolment=e) for e in enrolments])
    return notice


# Objections -------------------------------------------------------------------------------------


def client_fingerprint(ip: str, user_agent: str) -> str:
    """A SHA-256 based digest that tells repeated objections from one client apart without keeping
    the address. Keyed with the secret key: a bare hash of an IPv4 address is undone by trying
    all 2³² addresses."""
    return salted_hmac("workflows.publicity.objection", f"{ip}\n{user_agent}", algorithm="sha256").hexdigest()


def lodge_objection(*, entry_id: int, name: str, contact: str, text: str, fingerprint: str = "") -> Objection:
    """Record an objection against a candidate in public notice; anyone may lodge one."""
    name, contact, text = (name or "").strip(), normalise_contact(contact), (text or "").strip()
    if not (name and contact and text):
        raise InvalidInput(_("Please give your name, how to contact you and your objection."))
    objection = Objection(
        name=name, contact=contact, text=text, client_fingerprint=fingerprint[:64], receipt_number=_new_receipt_number()
    )
    try:
        objection.full_clean(exclude=["entry"])  # the fields' own checks: lengths, a name's characters
    except ValidationError as error:
        raise InvalidInput(" ".join(m for messages in error.message_dict.values() for m in messages)) from error
    with transaction.atomic():
        entry = PublicityEntry.objects.select_related("notice").filter(pk=entry_id).first()
        if entry is None or entry.notice.closed_at is not None:
            raise RuleNotMet(_("This public notice is closed: objections are no longer taken."))
        # Locked so that the period cannot be closed between this check and the insert.
        enrolment = Enrolment.objects.select_for_update().get(pk=entry.enrolment_id)
        if enrolment.status != IN_PUBLICITY:
            raise RuleNotMet(_("This candidate is no longer in public notice: objections are no longer taken."))
        if enrolment.publicity_ends_on is None or timezone.localdate() > enrolment.publicity_ends_on:
            raise RuleNotMet(
                _("The public notice period for this candidate ended on %(date)s: objections are no longer taken.")
                % {"date": (enrolment.publicity_ends_on or entry.notice.ends_on).isoformat()}
            )
        objection.entry = entry
        objection.save()
        notifications.objection_lodged(objection_id=objection.pk, enrolment=enrolment)
        return objection


RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone


def _new_receipt_number() -> str:
    """YYYYMMDD-XXXXXX: the day it was lodged and six characters that nobody can guess from another
    receipt (32⁶ ≈ 10⁹ a day); the unique index refuses the one-in-a-billion repeat, which the
    objector then sees as an error to send again."""
    today = timezone.localdate()
    for _attempt in range(5):
        number = f"{today:%Y%m%d}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))
        if not Objection.objects.filter(receipt_number=number).exists():
            return number
    raise StaleState(_("Please send the objection again."))


def _locked_open_objection(objection_id: int) -> Objection:
    """The objection, locked after its candidate's enrolment (always in that order, so that two
    decisions on one candidate cannot deadlock); refuses one that is already decided."""
    enrolment_id = Objection.objects.filter(pk=objection_id).values_list("entry__enrolment_id", flat=True).first()
    if enrolment_id is None:
        raise StaleState(_("This objection no longer exists."))
    list(Enrolment.objects.select_for_update().filter(pk=enrolment_id).values_list("pk", flat=True))
    objection = Objection.objects.select_for_update(of=("self",)).select_related("entry").get(pk=objection_id)
    if objection.status != ObjectionStatus.OPEN:
        raise StaleState(
            _("This objection was already decided: it is “%(status)s”. Reload the page.")
            % {"status": objection.get_status_display()}
        )
    return objection


def _decide(objections: QuerySet[Objection], *, officer: User, status: str, reason: str) -> None:
    objections.update(status=status, decided_by=officer, decided_at=timezone.now(), decision_reason=reason)


def uphold_objection(*, officer: User, objection_id: int, reason: str) -> Objection:
    """The objection stands: the candidate is disqualified, with the reason in the state log."""
    require_officer(officer)
    reason = _required_reason(reason)
    with transaction.atomic():
        objection = _locked_open_objection(objection_id)
        enrolment_id = objection.entry.enrolment_id
        services.uphold_objection(officer=officer, enrolment_id=enrolment_id, reason=reason)
        # Other open objections against the same candidate are settled by the same decision.
        _decide(
            Objection.objects.filter(entry__enrolment_id=enrolment_id, status=ObjectionStatus.OPEN),
            officer=officer,
            status=ObjectionStatus.UPHELD,
            reason=reason,
        )
        _close_finished_notices()
    objection.refresh_from_db()
    return objection


def dismiss_objection(*, officer: User, objection_id: int, reason: str) -> Objection:
    """The objection does not stand: the candidate moves on when the period ends (or at the next
    run of close_due_publicity if it has ended already)."""
    require_officer(officer)
    reason = _required_reason(reason)
    with transaction.atomic():
        objection = _locked_open_objection(objection_id)
        _decide(
            Objection.objects.filter(pk=objection.pk), officer=officer, status=ObjectionStatus.DISMISSED, reason=reason
        )
    objection.refresh_from_db()
    return objection


# Closing ----------------------------------------------------------------------------------------


def _due(enrolments: QuerySet[Enrolment], today: date) -> QuerySet[Enrolment]:
    """Enrolments whose period ended before `today` and that no open objection holds back."""
    return enrolments.filter(status=IN_PUBLICITY, publicity_ends_on__lt=today).exclude(
        publicity_entries__objections__status=ObjectionStatus.OPEN
    )


def close_due_publicity(*, today: date | None = None, actor: User | None = None) -> int:
    """Move every candidate whose period is over and who has no open objection to ready_to_issue;
    close the notices with nobody left in public notice. Returns how many candidates moved.

    Safe to run any number of times, also side by side: each candidate is re-checked under its row
    lock and moved in its own transaction, so one refusal does not hold back the others.
    `actor` is the officer who asked for it, or None when the periodic task runs it.
    """
    if actor is not None:
        require_officer(actor)
    today = today or timezone.localdate()
    due_ids = list(_due(Enrolment.objects.all(), today).order_by("pk").values_list("pk", flat=True))
    moved = sum(1 for enrolment_id in due_ids if _close_one(enrolment_id, today=today, actor=actor))
    _close_finished_notices()
    return moved


def _close_one(enrolment_id: int, *, today: date, actor: User | None) -> bool:
    with transaction.atomic():
        list(Enrolment.objects.select_for_update().filter(pk=enrolment_id).values_list("pk", flat=True))
        if not _due(Enrolment.objects.filter(pk=enrolment_id), today).exists():
            return False  # an objection came in, or someone moved it first
        services.close_publicity(actor=actor, enrolment_id=enrolment_id)
    return True


def close_early_for_demo(*, officer: User, notice_id: int, reason: str) -> int:
    """DEBUG only: end a notice's periods now, so that someone trying the system reaches a
    certificate in one sitting. Candidates with an open objection stay. Each move's state log says
    "demo only" with the officer's reason. With DEBUG off this does not exist (MoveForbidden)."""
    if not settings.DEBUG:
        raise MoveForbidden(_("Closing a public notice early exists only in a demo (DEBUG on)."))
    require_officer(officer)
    reason = _("Demo only: public notice closed early. %(reason)s") % {"reason": _required_reason(reason)}
    enrolment_ids = list(
        Enrolment.objects.filter(publicity_entries__notice_id=notice_id, status=IN_PUBLICITY)
        .exclude(publicity_entries__objections__status=ObjectionStatus.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved = 0
    for enrolment_id in enrolment_ids:
        with transaction.atomic():
            locked = Enrolment.objects.select_for_update().filter(pk=enrolment_id, status=IN_PUBLICITY)
            if not locked.exclude(publicity_entries__objections__status=ObjectionStatus.OPEN).exists():
                continue  # an objection came in, or someone moved it first
            services.close_publicity(actor=officer, enrolment_id=enrolment_id, reason=reason)
            moved += 1
    _close_finished_notices()
    return moved


def announce_closing_tomorrow(*, today: date | None = None) -> int:
    """Tell the office of each open notice whose last day is tomorrow (once per notice and day)."""
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    notices = PublicityNotice.objects.filter(closed_at__isnull=True, ends_on=tomorrow)
    for notice in notices:
        notifications.publicity_closing(notice_id=notice.pk, title=notice.title, ends_on=notice.ends_on.isoformat())
    return len(notices)


def _close_finished_notices() -> int:
    still_in_publicity = PublicityEntry.objects.filter(notice=OuterRef("pk"), enrolment__status=IN_PUBLICITY)
    return (
        PublicityNotice.objects.filter(closed_at__isnull=True)
        .exclude(Exists(still_in_publicity))
        .update(closed_at=timezone.now())
    )


# Reads ------------------------------------------------------------------------------------------


def open_notices() -> QuerySet[PublicityNotice]:
    """Notices the public sees, with how many candidates are still in each."""
    return (
        PublicityNotice.objects.filter(closed_at__isnull=True)
        .annotate(candidate_count=Count("entries", filter=Q(entries__enrolment__status=IN_PUBLICITY)))
        .order_by("-starts_on", "-pk")
    )


def public_entries(notice: PublicityNotice) -> QuerySet[PublicityEntry]:
    """The candidates of an open notice that are still in public notice."""
    return (
        notice.entries.filter(enrolment__status=IN_PUBLICITY)
        .select_related("enrolment__trainee", "enrolment__batch__institution", "enrolment__track")
        .order_by("enrolment__batch__institution__name", "enrolment__track__code", "enrolment__trainee__name", "pk")
    )


@dataclass(frozen=True)
class PublicCandidate:
    """All that the public page may show of a candidate (docs/spec.md §6): the full name, so that
    people can recognise whom they might object to, with gender, institution, track and level; the
    ID number masked; never the photo or the contact details."""

    entry_id: int
    name: str
    gender: str
    masked_id_number: str
    institution: str
    track: str
    level: str
    ends_on: date | None
    objections_taken: bool


def public_candidate(entry: PublicityEntry, today: date | None = None) -> PublicCandidate:
    enrolment = entry.enrolment
    today = today or timezone.localdate()
    return PublicCandidate(
        entry_id=entry.pk,
        name=enrolment.trainee.name,
        gender=enrolment.trainee.get_gender_display(),
        masked_id_number=enrolment.trainee.masked_id_number,
        institution=enrolment.batch.institution.name,
        track=enrolment.track.display_name,
        level=enrolment.batch.get_level_display(),
        ends_on=enrolment.publicity_ends_on,
        objections_taken=bool(enrolment.publicity_ends_on and today <= enrolment.publicity_ends_on),
    )


def notices_with_counts() -> QuerySet[PublicityNotice]:
    """Every notice, newest first, with its candidates counted by where they are now."""
    return with_notice_counts(PublicityNotice.objects.all()).order_by("-starts_on", "-pk")


def with_notice_counts(notices: QuerySet[PublicityNotice]) -> QuerySet[PublicityNotice]:
    """These notices with their candidates counted by where they are now (for a page of notices:
    counting every notice's entries to show 25 of them cost ~100 ms at 100,000 enrolments)."""

    def entries_in(*statuses: str) -> Count:
        return Count("entries", filter=Q(entries__enrolment__status__in=statuses), distinct=True)

    return notices.select_related("opened_by").annotate(
        candidate_count=Count("entries", distinct=True),
        in_publicity_count=entries_in(IN_PUBLICITY),
        closed_count=entries_in(EnrolmentStatus.READY_TO_ISSUE, EnrolmentStatus.CERTIFIED),
        disqualified_count=entries_in(EnrolmentStatus.DISQUALIFIED),
        open_objection_count=Count(
            "entries__objections", filter=Q(entries__objections__status=ObjectionStatus.OPEN), distinct=True
        ),
    )


def notice_entries(notice: PublicityNotice) -> QuerySet[PublicityEntry]:
    """Every candidate of a notice, for the office, with their open objections counted."""
    return (
        notice.entries.select_related("enrolment__trainee", "enrolment__batch__institution", "enrolment__track")
        .annotate(open_objection_count=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)))
        .order_by("enrolment__batch__institution__name", "enrolment__track__code", "enrolment__trainee__name", "pk")
    )


def objections_with(status: str = ObjectionStatus.OPEN) -> QuerySet[Objection]:
    """Objections in one status for the office; open ones oldest first (they wait longest)."""
    order = ("lodged_at", "pk") if status == ObjectionStatus.OPEN else ("-decided_at", "-pk")
    return (
        Objection.objects.filter(status=status)
        .select_related(
            "entry__notice",
            "entry__enrolment__trainee",
            "entry__enrolment__batch__institution",
            "entry__enrolment__track",
            "decided_by",
        )
        .order_by(*order)
    )
