"""Issuing certificates, in two steps that a crash cannot tear apart (docs/spec.md §6).

1. Number (short transaction). Lock the issuer's serial counter, then, for each enrolment, make the
   lifecycle move `issue`; its effect (`Numbering`) takes the next serial and creates the Certificate row
   with every printed fact recorded. The serial, the row, the enrolment's new status and its StateLog
   commit together or not at all, so numbers have no gaps and no duplicates. Locks are always taken
   counter first, enrolments after, so two issuing workers cannot deadlock.

2. Freeze (no lock while rendering). Render the recorded facts, sign, then in a short transaction
   store the PDF once with its SHA-256. A certificate whose worker died between the steps is simply
   "being issued" (numbered, no PDF yet); whoever processes it next renders it from the recorded facts,
   and the one that stores first wins (the row is locked and re-read before storing).

The expensive part, rendering, holds no lock: two workers render side by side, on both cores, and
take turns only for the few milliseconds of each database step.
"""

import calendar
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone, translation

from certification import services
from certification.identity import mask_id_number
from certification.models import Enrolment, Level, ModuleCompletion, User
from core.errors import LifecycleError
from core.middleware import current_request_id
from notifications import events as notifications

from . import credentials, numbering, offline_statement, qr, rendering, signing, status_lists
from .models import (
    Certificate,
    CertificateEvent,
    CertificateSerial,
    CertificateStatus,
    EventKind,
    IssuanceItem,
    IssuanceRun,
    ItemStatus,
)

logger = logging.getLogger(__name__)

# As printed on the certificate: the national rule's wording for each ID type.
ID_TYPE_ON_CERTIFICATE = {
    "resident_id": "居民身份证",
    "hk_macau": "港澳居民居住证",
    "taiwan": "台湾居民居住证",
    "passport": "护照",
    "foreign_permanent": "外国人永久居留身份证",
}


def new_certificate(
    enrolment: Enrolment,
    *,
    officer: User,
    counter,
    issue_date,
    run: IssuanceRun | None = None,
    supersedes: Certificate | None = None,
    correction_reason: str = "",
    modules: list[dict] | None = None,
) -> Certificate:
    """Take the next serial of a locked counter and record a certificate for a locked enrolment.
    `modules`: the completed modules, when the caller read them for many enrolments at once."""
    issuer = numbering.configured_issuer()
    serial = numbering.next_serial(counter)
    number = numbering.format_number(
        issuer_code=counter.issuer_code, year=counter.year, level=enrolment.batch.level, serial=serial
    )
    trainee, track = enrolment.trainee, enrolment.track
    # A renewal replaces the trainee's current certificate (a correction names the one it replaces).
    renewed = _renewed_certificate(enrolment) if supersedes is None and enrolment.is_renewal else None
    supersedes = supersedes or renewed
    with translation.override("zh-hans"):
        level_label = str(Level(enrolment.batch.level).label)
    certificate = Certificate(
        number=number,
        issuer_code=counter.issuer_code,
        year=counter.year,
        level=enrolment.batch.level,
        serial=serial,
        enrolment=enrolment,
        run=run,
        supersedes=supersedes,
        correction_reason=correction_reason,
        track_code=track.code,
        holder_name=trainee.name,
        holder_id_type=ID_TYPE_ON_CERTIFICATE.get(trainee.id_type, trainee.id_type),
        holder_id_number_masked=mask_id_number(trainee.id_number),
        occupation=track.occupation,
        direction=track.name_zh,
        title=track.certificate_title,
        level_label=level_label,
        modules=modules if modules is not None else modules_completed([enrolment.pk])[enrolment.pk],
        institution_name=enrolment.batch.institution.name,
        issuer_name=issuer.name,
        issue_date=issue_date,
        valid_until=valid_until(issue_date, track.validity_months),
        template_version=rendering.CURRENT_TEMPLATE_VERSION,
        verify_url=qr.scan_url(number),
        issued_by=officer,
    )
    certificate.offline_statement = offline_statement.sign(certificate)
    _copy_photo(certificate, trainee)
    certificate.save()
    if renewed is not None:
        renewed.status, renewed.superseded_at = CertificateStatus.SUPERSEDED, timezone.now()
        renewed.save(update_fields=["status", "superseded_at"])
        CertificateEvent.objects.create(
            certificate=renewed,
            kind=EventKind.SUPERSEDED,
            actor=officer,
            reason=f"renewal: {number}",
            request_id=current_request_id.get(),
        )
    return certificate


def valid_until(issue_date: date, months: int | None) -> date | None:
    """The last valid day: the day before the same date `months` later (the month's last day when
    that month is shorter)."""
    if not months:
        return None
    month_index = issue_date.month - 1 + months
    year, month = issue_date.year + month_index // 12, month_index % 12 + 1
    day = min(issue_date.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def _renewed_certificate(enrolment: Enrolment) -> Certificate | None:
    """The trainee's current certificate in the same track and level that a renewal replaces,
    locked (inside the issuing transaction, after the enrolment)."""
    return (
        Certificate.objects.select_for_update()
        .filter(
            enrolment__trainee_id=enrolment.trainee_id,
            track_code=enrolment.track.code,
            level=enrolment.batch.level,
            status=CertificateStatus.VALID,
        )
        .exclude(enrolment_id=enrolment.pk)
        .order_by("-issue_date", "-pk")
        .first()
    )


def modules_completed(enrolment_ids: list[int]) -> dict[int, list[dict]]:
    """The modules each enrolment completed, as printed: in the track's order, hours without ".0"."""
    completions = (
        ModuleCompletion.objects.filter(enrolment_id__in=enrolment_ids)
        .select_related("module")
        .order_by("enrolment_id", "module__position", "module__code")
    )
    printed: dict[int, list[dict]] = {enrolment_id: [] for enrolment_id in enrolment_ids}
    for completion in completions:
        module = completion.module
        printed[completion.enrolment_id].append(
            {"code": module.code, "name": module.name_zh, "hours": _hours(completion.hours)}
        )
    return printed


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _copy_photo(certificate: Certificate, trainee) -> None:
    """The photo as it is today, kept with the certificate: a later photo change does not touch it."""
    if not trainee.photo:
        return
    try:
        with default_storage.open(trainee.photo.name, "rb") as file:
            content = file.read()
    except OSError:
        logger.warning("Certificate %s: the trainee's photo %s is missing", certificate.number, trainee.photo.name)
        return
    name = certificate.photo.field.generate_filename(certificate, trainee.photo.name)
    # A number rolled back earlier may have left a photo under this name: it is not anyone's.
    if default_storage.exists(name):
        default_storage.delete(name)
    certificate.photo.save(trainee.photo.name, ContentFile(content), save=False)


def current_certificate(enrolment_id: int) -> Certificate | None:
    """The enrolment's certificate that is not superseded (being issued, valid or revoked)."""
    return (
        Certificate.objects.filter(enrolment_id=enrolment_id)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class Numbering:
    """How one issuing transaction numbers its certificates: the issuer's counter, locked before any
    enrolment, and the day printed. Passed to the lifecycle's `issue` move, whose effect
    (certificates.services.number_certificate) numbers each enrolment with it."""

    officer: User
    counter: CertificateSerial
    issue_date: date
    run: IssuanceRun | None = None
    # The completed modules by enrolment, when the caller read them for many enrolments at once.
    modules: dict[int, list[dict]] | None = None
    created: dict[int, Certificate] = field(default_factory=dict)

    @classmethod
    def locked_today(cls, *, officer: User, **extra) -> "Numbering":
        """Call inside the transaction, before any enrolment is locked."""
        issuer = numbering.configured_issuer()
        issue_date = timezone.localdate()
        counter = numbering.lock_counter(issuer_code=issuer.code, year=issue_date.year)
        return cls(officer=officer, counter=counter, issue_date=issue_date, **extra)

    def number(self, enrolment: Enrolment) -> Certificate:
        modules = self.modules[enrolment.pk] if self.modules is not None else None
        self.created[enrolment.pk] = new_certificate(
            enrolment,
            officer=self.officer,
            counter=self.counter,
            issue_date=self.issue_date,
            run=self.run,
            modules=modules,
        )
        return self.created[enrolment.pk]


def number_items(run: IssuanceRun, items: list[IssuanceItem]) -> None:
    """Step 1 for some items of a run: one transaction, the counter locked first."""
    if not items:
        return
    # Read once for the chunk; completions no longer change once an enrolment is ready to issue.
    modules = modules_completed([item.enrolment_id for item in items])
    with transaction.atomic():
        plan = Numbering.locked_today(officer=run.officer, run=run, modules=modules)
        # The usual case: every enrolment is still ready, and one move issues them all (the
        # enrolments locked in one query, in id order, after the counter). If any refuses, its
        # savepoint rolls everything back, serials included, and the items go one by one below,
        # each refusal kept to its own item.
        try:
            services.issue(officer=run.officer, enrolment_ids=[item.enrolment_id for item in items], context=plan)
        except LifecycleError:
            plan.created.clear()
            for item in items:
                _number_one(plan, item)
        else:
            for item in items:
                item.certificate = plan.created[item.enrolment_id]
        IssuanceItem.objects.bulk_update(items, ["certificate", "status", "message", "finished_at"])


def _number_one(plan: Numbering, item: IssuanceItem) -> None:
    try:
        services.issue(officer=plan.officer, enrolment_ids=[item.enrolment_id], context=plan)
        item.certificate = plan.created[item.enrolment_id]
    except LifecycleError as error:
        # Issued meanwhile (another run, a resumed one) counts as done; anything else is skipped.
        existing = current_certificate(item.enrolment_id)
        if existing is not None and existing.status in (CertificateStatus.PENDING, CertificateStatus.VALID):
            item.certificate = existing
        else:
            item.status, item.message, item.finished_at = ItemStatus.SKIPPED, error.message[:255], timezone.now()


def freeze(certificate_ids: Iterable[int]) -> list[Certificate]:
    """Step 2: render and sign every certificate of these that has no PDF yet, make its credential,
    and store both."""
    waiting = list(
        Certificate.objects.filter(pk__in=list(certificate_ids), sha256="")
        .select_related("enrolment__trainee")
        .order_by("serial")
    )
    rendered, failures = {}, {}
    for certificate in waiting:
        try:
            rendered[certificate.pk] = signing.sign_pdf(
                rendering.render_certificate(certificate), number=certificate.number
            )
        except Exception as error:
            logger.exception("Certificate %s could not be rendered", certificate.number)
            failures[certificate.pk] = f"{type(error).__name__}: {error}"[:255]
    prepared = credentials.prepare_many([certificate for certificate in waiting if certificate.pk in rendered])
    frozen = _store(rendered, prepared)
    for certificate_id, message in failures.items():
        IssuanceItem.objects.filter(certificate_id=certificate_id, status=ItemStatus.PENDING).update(message=message)
    return frozen


def _store(rendered: dict[int, bytes], prepared: dict[int, credentials.Prepared]) -> list[Certificate]:
    if not rendered:
        return []
    now = timezone.now()
    frozen = []
    with transaction.atomic():
        for certificate in Certificate.objects.select_for_update().filter(pk__in=list(rendered)).order_by("pk"):
            if certificate.sha256:
                continue  # another worker stored it first: that file is the certificate
            pdf = rendered[certificate.pk]
            name = certificate.pdf.field.generate_filename(certificate, "certificate.pdf")
            if default_storage.exists(name):
                default_storage.delete(name)  # left by a worker that died before committing
            certificate.pdf.save(name, ContentFile(pdf), save=False)
            certificate.sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.pdf_size = len(pdf)
            certificate.issued_at = now
            if certificate.status == CertificateStatus.PENDING:
                certificate.status = CertificateStatus.VALID
            certificate.save(update_fields=["pdf", "sha256", "pdf_size", "issued_at", "status"])
            frozen.append(certificate)
        credentials.store_many(frozen, prepared)
        for certificate in frozen:
            if certificate.status == CertificateStatus.REVOKED:  # revoked while being issued
                status_lists.refresh_for(certificate)
        CertificateEvent.objects.bulk_create(
            [
                CertificateEvent(
                    certificate=certificate,
                    kind=EventKind.REISSUED if certificate.supersedes_id else EventKind.ISSUED,
                    actor_id=certificate.issued_by_id,
                    reason=certificate.correction_reason,
                    request_id=current_request_id.get(),
                    created_at=now,
                )
                for certificate in frozen
            ]
        )
        IssuanceItem.objects.filter(certificate__in=frozen, status=ItemStatus.PENDING).update(
            status=ItemStatus.ISSUED, finished_at=now, message=""
        )
    return frozen


def process_items(*, run_id: int, item_ids: list[int]) -> dict:
    """Issue some items of a run (a task's work). Safe to repeat: done items are left alone."""
    run = IssuanceRun.objects.select_related("officer").get(pk=run_id)
    token = current_request_id.set(f"issuance-run-{run.pk}")
    try:
        items = list(run.items.filter(pk__in=item_ids, status=ItemStatus.PENDING).order_by("pk"))
        number_items(run, [item for item in items if item.certificate_id is None])
        freeze(item.certificate_id for item in items if item.certificate_id)
        # Items whose certificate someone else stored (a resumed run, another worker) are done too.
        IssuanceItem.objects.filter(pk__in=item_ids, status=ItemStatus.PENDING, certificate__isnull=False).exclude(
            certificate__sha256=""
        ).update(status=ItemStatus.ISSUED, finished_at=timezone.now(), message="")
        finish_if_done(run)
    finally:
        current_request_id.reset(token)
    return {"run": run.pk, "items": len(item_ids)}


def finish_if_done(run: IssuanceRun) -> bool:
    if run.items.filter(status=ItemStatus.PENDING).exists():
        return False
    last = run.items.aggregate(last=Max("finished_at"))["last"] or timezone.now()
    with transaction.atomic():
        if IssuanceRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=last):
            _announce_finished(run)
    return True


def _announce_finished(run: IssuanceRun) -> None:
    """The office hears the run is over; each institution one summary of its certificates (not one a certificate)."""
    by_institution = (
        run.items.filter(status=ItemStatus.ISSUED)
        .values_list("enrolment__batch__institution_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    notifications.issuance_run_finished(
        run_id=run.pk,
        issued=run.items.filter(status=ItemStatus.ISSUED).count(),
        skipped=run.items.filter(status=ItemStatus.SKIPPED).count(),
        issued_by_institution=list(by_institution),
    )
