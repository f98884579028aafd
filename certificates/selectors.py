"""What a user may see of certificates and issuance runs. Views look objects up through these, so
another institution's certificate, or another trainee's, is simply not found (404)."""

import functools
from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from certification import permissions
from certification.identity import normalise_id_number
from certification.models import Enrolment, EnrolmentStatus, TrainingBatch, User
from certification.selectors import name_contains

from .models import (
    Certificate,
    CertificateStatus,
    IssuanceItem,
    IssuanceRun,
    ItemStatus,
    ShareLink,
    VerificationLog,
)


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    base = Certificate.objects.select_related("enrolment__batch__institution", "enrolment__trainee")
    if permissions.is_officer(user):
        return base
    if permissions.is_institution_staff(user):
        return base.filter(enrolment__batch__institution_id=user.institution_id)
    if permissions.is_trainee(user):
        return base.filter(enrolment__trainee__user=user)
    return base.none()


def search_certificates(
    queryset: QuerySet[Certificate], *, text: str = "", status: str = "", track: str = "", batch: str = ""
) -> QuerySet[Certificate]:
    text = (text or "").strip()
    if text:
        # The ID number through a subquery on the trainees (its unique index) rather than an OR
        # across joins, which made PostgreSQL join every certificate first (docs/performance.md).
        holders = Enrolment.objects.filter(trainee__id_number=normalise_id_number(text)).values("pk")
        queryset = queryset.filter(
            Q(number=text.upper()) | name_contains(text, "holder_name") | Q(enrolment_id__in=holders)
        )
    if status:
        queryset = queryset.filter(status=status)
    if track:
        queryset = queryset.filter(track_code=track)
    if str(batch).isdigit():
        queryset = queryset.filter(enrolment__batch_id=int(batch))
    return queryset


def batches_ready_to_issue(user: User) -> QuerySet[TrainingBatch]:
    """Training batches with enrolments ready to issue, and how many, for the officer's page."""
    if not permissions.is_officer(user):
        return TrainingBatch.objects.none()
    ready = Q(enrolments__status=EnrolmentStatus.READY_TO_ISSUE)
    return (
        TrainingBatch.objects.select_related("institution", "track")
        .annotate(ready_count=Count("enrolments", filter=ready))
        .filter(ready_count__gt=0)
        .order_by("track__code", "start_date", "pk")
    )


def runs_visible_to(user: User) -> QuerySet[IssuanceRun]:
    if not permissions.is_officer(user):
        return IssuanceRun.objects.none()
    return IssuanceRun.objects.select_related("officer", "batch__institution", "batch__track").annotate(
        issued_count=Count("items", filter=Q(items__status=ItemStatus.ISSUED)),
        skipped_count=Count("items", filter=Q(items__status=ItemStatus.SKIPPED)),
        pending_count=Count("items", filter=Q(items__status=ItemStatus.PENDING)),
        last_finished=Max("items__finished_at"),
    )


def stall_seconds() -> int:
    return settings.CERT_RUN_STALL_SECONDS


def run_progress(run: IssuanceRun) -> dict:
    """Counts, rate and whether the run looks stalled (no item finished for a while). A run from
    runs_visible_to carries its counts already (no query); another is counted here."""
    if hasattr(run, "pending_count"):
        issued, skipped, pending = run.issued_count, run.skipped_count, run.pending_count
        last_finished = run.last_finished
    else:
        counts = dict(run.items.order_by().values_list("status").annotate(n=Count("pk")))
        issued, skipped = counts.get(ItemStatus.ISSUED, 0), counts.get(ItemStatus.SKIPPED, 0)
        pending = counts.get(ItemStatus.PENDING, 0)
        last_finished = run.items.aggregate(last=Max("finished_at"))["last"]
    last_activity = max(filter(None, [run.created_at, last_finished]))
    started_at = run.created_at
    elapsed = ((run.finished_at or timezone.now()) - started_at).total_seconds()
    stalled = run.finished_at is None and timezone.now() - last_activity > timedelta(seconds=stall_seconds())
    return {
        "run": run.pk,
        "total": run.total,
        "issued": issued,
        "skipped": skipped,
        "pending": pending,
        "done": issued + skipped,
        "percent": round(100 * (issued + skipped) / run.total) if run.total else 100,
        "finished": run.finished_at is not None,
        "stalled": stalled,
        "per_second": round(issued / elapsed, 1) if elapsed > 0 and issued else 0.0,
        "elapsed_seconds": round(elapsed),
    }


def problem_items(run: IssuanceRun, limit: int = 50) -> QuerySet[IssuanceItem]:
    """Skipped items, and pending ones that carry a message (a render that failed)."""
    return (
        run.items.select_related("enrolment__trainee", "enrolment__batch", "certificate")
        .filter(Q(status=ItemStatus.SKIPPED) | (Q(status=ItemStatus.PENDING) & ~Q(message="")))
        .order_by("pk")[:limit]
    )


def public_certificate(number: str) -> Certificate | None:
    """An issued certificate by its number, whatever its status; None for anything else (unknown,
    malformed, or still being issued). The same single query runs for every input.

    The public verify pages are the site's busiest (every employer, every QR scan): the statement
    is built by the ORM once per process and database, then only run (compiling it took more time
    than running it).
    """
    alias = router.db_for_read(Certificate)
    sql, params = public_lookup_statement(alias, connections[alias].vendor)
    found = list(
        Certificate.objects.db_manager(alias).raw(sql, [number[:22] if p is LOOKUP_NUMBER else p for p in params])
    )
    return found[0] if found else None


def public_certificates() -> QuerySet[Certificate]:
    """Issued certificates with only what the public pages show (verification.public_facts, and the
    QR page's photo): not the PDF's name, the modules or the enrolment; the numbers of the
    certificate it corrects and of the one that replaced it, joined."""
    return (
        Certificate.objects.exclude(status=CertificateStatus.PENDING)
        .exclude(sha256="")
        .only(*PUBLIC_FIELDS)
        .annotate(superseded_by_number=F("superseded_by__number"), supersedes_number=F("supersedes__number"))
    )


PUBLIC_FIELDS = (
    "number",
    "status",
    "holder_name",
    "holder_id_type",
    "holder_id_number_masked",
    "occupation",
    "direction",
    "title",
    "level",
    "level_label",
    "issue_date",
    "valid_until",
    "issuer_name",
    "photo",
    "revoked_at",
    "superseded_at",
    "supersedes",
)
LOOKUP_NUMBER = object()  # where the number goes in the lookup statement's parameters


@functools.cache
def public_lookup_statement(alias: str, vendor: str) -> tuple[str, tuple]:
    """public_certificate's SQL and its parameters, LOOKUP_NUMBER where the number goes."""
    placeholder = "?" * 22
    query = public_certificates().filter(number=placeholder).order_by()[:1].query  # unique: nothing to sort
    sql, params = query.get_compiler(alias).as_sql()
    return sql, tuple(LOOKUP_NUMBER if p == placeholder else p for p in params)


def certificates_of_person(*, name: str, id_number: str) -> list[Certificate]:
    """An employer's query: both the full name as printed and the ID number must match."""
    name, id_number = (name or "").strip(), normalise_id_number(id_number)
    if not name or not id_number:
        return []
    return list(
        public_certificates()
        .filter(holder_name=name, enrolment__trainee__id_number=id_number)
        .order_by("-issue_date", "-number")
    )


def status_changes() -> list[tuple]:
    """(number, status, revoked_at, superseded_at, number that replaced it) of every issued
    certificate that is revoked or superseded: the offline verify page's status list."""
    return list(
        public_certificates()
        .filter(status__in=[CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED])
        .order_by("number")
        .values_list("number", "status", "revoked_at", "superseded_at", "superseded_by__number")
    )


def checks_of_holder(user: User) -> QuerySet:
    """Every check of the trainee's certificates, newest first: when, how, of which certificate;
    never the checker's address or agent (not even selected)."""
    if not permissions.is_trainee(user):
        return VerificationLog.objects.none().values("created_at", "channel", "certificate__number")
    own = Certificate.objects.filter(enrolment__trainee__user=user).values("pk")
    return (
        VerificationLog.objects.filter(certificate__in=own)
        .order_by("-created_at", "-pk")
        .values("created_at", "channel", "certificate__number")
    )


def share_links_of(certificate: Certificate) -> QuerySet[ShareLink]:
    return certificate.share_links.order_by("-created_at", "-pk")


def share_link(token: str) -> ShareLink | None:
    """A share link by its token, with the certificate the public page shows; None if unknown."""
    return (
        ShareLink.objects.select_related("certificate")
        .filter(token=token[:32], certificate__in=public_certificates().values("pk"))
        .first()
    )


def with_numbers(rows) -> list[dict]:
    """Rows of check_rollup.CountsPerCertificate with each certificate's number."""
    rows = list(rows)
    numbers = dict(
        Certificate.objects.filter(pk__in=[row["certificate_id"] for row in rows]).values_list("pk", "number")
    )
    return [{**row, "number": numbers.get(row["certificate_id"], "")} for row in rows]
