"""What officers do with certificates: issue (one, a batch, everything ready), correct, revoke.

Each service checks the officer, runs in its own transaction and raises core.errors.*
with a message for the page. The lifecycle moves `issue` and `revoke` go through
certification.services, so every one of them has its StateLog row, and their effects here keep
certificates in step with the enrolment whichever page made the move; a correction, which does
not move the enrolment, is recorded as CertificateEvents on both certificates.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import effects, permissions
from certification import services as lifecycle_services
from certification.models import Enrolment, EnrolmentStatus, TrainingBatch, User
from core.errors import InvalidInput, MoveForbidden, StaleState
from core.middleware import current_request_id

from . import issuance, numbering, status_lists
from .models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    EventKind,
    IssuanceItem,
    IssuanceRun,
    ItemStatus,
)
from .tasks import freeze_certificates

# Enrolments per background task: small, so that two workers finish a run at nearly the same time
# and a killed worker loses at most this many renders.
CHUNK_SIZE = 10


class NothingToIssue(InvalidInput):
    """No enrolment in the scope is ready to issue: the command says so and exits 0 (docs/spec.md §8)."""


def _check_officer(user: User) -> None:
    if not permissions.is_officer(user):
        raise MoveForbidden(_("Only the certification office issues, corrects and revokes certificates."))


def start_issuance(*, officer: User, batch_id: int | None = None, enqueue: bool = True) -> IssuanceRun:
    """A run over every enrolment ready to issue (in one training batch, or all); its work is queued
    for the task workers once the run is committed. An enrolment waits in one run at a time: the
    database refuses a second waiting item, so of two runs started at the same moment over the same
    enrolments one is refused (StaleState)."""
    _check_officer(officer)
    try:
        with transaction.atomic():
            candidates = Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE)
            if batch_id is not None:
                if not TrainingBatch.objects.filter(pk=batch_id).exists():
                    raise InvalidInput(_("There is no such training batch."))
                candidates = candidates.filter(batch_id=batch_id)
            # An enrolment waiting in an unfinished run stays with that run (resume it instead).
            waiting = IssuanceItem.objects.filter(status=ItemStatus.PENDING)
            candidates = candidates.exclude(pk__in=waiting.values("enrolment_id"))
            enrolment_ids = list(candidates.order_by("batch_id", "pk").values_list("pk", flat=True))
            if not enrolment_ids:
                raise NothingToIssue(
                    _("Nothing is ready to issue here (or it is already in a run that has not finished).")
                )
            run = IssuanceRun.objects.create(officer=officer, batch_id=batch_id, total=len(enrolment_ids))
            IssuanceItem.objects.bulk_create(
                [IssuanceItem(run=run, enrolment_id=enrolment_id) for enrolment_id in enrolment_ids], batch_size=500
            )
            if enqueue:
                transaction.on_commit(lambda: enqueue_pending_items(run))
    except IntegrityError as error:
        # Only the one-waiting-item-per-enrolment constraint can fail here: another run took some of
        # these enrolments between our read and our insert.
        raise StaleState(
            _(
                "Another issuance run was started at the same time and took these certificates: "
                "follow its progress in the list of runs."
            )
        ) from error
    return run


def enqueue_pending_items(run: IssuanceRun) -> int:
    """Queue a task for each chunk of the run's pending items; returns the number of tasks."""
    from .tasks import issue_items

    item_ids = list(run.items.filter(status=ItemStatus.PENDING).order_by("pk").values_list("pk", flat=True))
    chunks = [item_ids[start : start + CHUNK_SIZE] for start in range(0, len(item_ids), CHUNK_SIZE)]
    with transaction.atomic():  # one commit for the lot, not one per task
        for chunk in chunks:
            issue_items.enqueue(run_id=run.pk, item_ids=chunk)
    return len(chunks)


def resume_issuance(*, officer: User, run_id: int, enqueue: bool = True) -> IssuanceRun:
    """Queue a run's pending items again, after a worker stopped half-way. Items already issued
    are left alone, and an item queued twice is issued once (see certificates.issuance)."""
    _check_officer(officer)
    run = IssuanceRun.objects.filter(pk=run_id).first()
    if run is None:
        raise InvalidInput(_("There is no such issuance run."))
    if issuance.finish_if_done(run):
        raise StaleState(_("This run has finished: there is nothing to resume."))
    IssuanceRun.objects.filter(pk=run.pk).update(resumed_count=run.resumed_count + 1)
    run.refresh_from_db()
    if enqueue:
        enqueue_pending_items(run)
    return run


def issue_certificate(*, officer: User, enrolment_id: int) -> Certificate:
    """Issue one enrolment's certificate now (number, then render, sign and store)."""
    _check_officer(officer)
    with transaction.atomic():
        plan = issuance.Numbering.locked_today(officer=officer)
        lifecycle_services.issue(officer=officer, enrolment_ids=[enrolment_id], context=plan)
    certificate = plan.created[enrolment_id]
    issuance.freeze([certificate.pk])
    return Certificate.objects.get(pk=certificate.pk)


def reissue_certificate(*, officer: User, certificate_id: int, reason: str) -> Certificate:
    """A correction: a new certificate (new number, today's facts) that supersedes a valid one.
    The enrolment stays certified; the old certificate stays verifiable as superseded."""
    _check_officer(officer)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please say what the correction is for."))
    old = Certificate.objects.filter(pk=certificate_id).only("enrolment_id").first()
    if old is None:
        raise StaleState(_("This certificate no longer exists."))
    issuer = numbering.configured_issuer()
    issue_date = timezone.localdate()
    with transaction.atomic():
        # Counter, enrolment, certificate: the order every issuing and revoking transaction keeps.
        counter = numbering.lock_counter(issuer_code=issuer.code, year=issue_date.year)
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "track", "trainee")
            .get(pk=old.enrolment_id)
        )
        old = Certificate.objects.select_for_update().get(pk=certificate_id)
        if old.status != CertificateStatus.VALID or enrolment.status != EnrolmentStatus.CERTIFIED:
            raise StaleState(
                _("Only a valid certificate can be corrected; this one is “%(status)s”.")
                % {"status": old.get_status_display()}
            )
        new = issuance.new_certificate(
            enrolment, officer=officer, counter=counter, issue_date=issue_date, supersedes=old, correction_reason=reason
        )
        old.status, old.superseded_at = CertificateStatus.SUPERSEDED, timezone.now()
        old.save(update_fields=["status", "superseded_at"])
        CertificateEvent.objects.create(
            certificate=old,
            kind=EventKind.SUPERSEDED,
            actor=officer,
            reason=reason,
            request_id=current_request_id.get(),
        )
    issuance.freeze([new.pk])
    return Certificate.objects.get(pk=new.pk)


def revoke_certificate(*, officer: User, certificate_id: int, reason: str) -> Certificate:
    """Revoke a certificate with a reason: the enrolment moves to revoked (StateLog), the
    certificate says so on the verify page from now on."""
    _check_officer(officer)
    certificate = Certificate.objects.filter(pk=certificate_id).only("enrolment_id").first()
    if certificate is None:
        raise StaleState(_("This certificate no longer exists."))
    lifecycle_services.revoke(
        officer=officer, enrolment_id=certificate.enrolment_id, reason=reason, context=RevokeThis(certificate_id)
    )
    return Certificate.objects.get(pk=certificate_id)


# What the lifecycle's moves do here (registered in certification.effects) ---------------------


@effects.of("issue")
def number_certificate(move: effects.Move) -> None:
    """Every certified enrolment has a numbered certificate. An issuing service passes its numbering
    plan (counter locked before the enrolments); a move made elsewhere (the enrolment page) numbers
    here, with the enrolment already locked, and queues the rendering for a task worker."""
    if isinstance(move.context, issuance.Numbering):
        move.context.number(move.enrolment)
        return
    assert move.actor is not None  # `issue` is the office's move
    certificate = issuance.Numbering.locked_today(officer=move.actor).number(move.enrolment)
    transaction.on_commit(lambda: freeze_certificates.enqueue(certificate_ids=[certificate.pk]))


@dataclass(frozen=True)
class RevokeThis:
    """The certificate the officer chose to revoke (it must be the enrolment's current one)."""

    certificate_id: int


@effects.of("revoke")
def revoke_current_certificate(move: effects.Move) -> None:
    """A revoked enrolment's certificate says "revoked" from now on, in the same transaction."""
    current = list(
        Certificate.objects.select_for_update()
        .filter(enrolment_id=move.enrolment.pk)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .order_by("pk")
    )
    if isinstance(move.context, RevokeThis):
        chosen = next((c for c in current if c.pk == move.context.certificate_id), None)
        if chosen is None or chosen.status not in (CertificateStatus.VALID, CertificateStatus.PENDING):
            status = chosen or Certificate.objects.get(pk=move.context.certificate_id)
            raise StaleState(
                _("Only a valid certificate can be revoked; this one is “%(status)s”.")
                % {"status": status.get_status_display()}
            )
    for certificate in current:
        if certificate.status in (CertificateStatus.VALID, CertificateStatus.PENDING):
            mark_certificate_revoked(certificate, actor=move.actor, reason=move.reason)


def mark_certificate_revoked(certificate: Certificate, *, actor: User | None, reason: str) -> None:
    """Inside a revoke move's transaction, with the certificate row locked."""
    certificate.status, certificate.revoked_at, certificate.revoked_reason = (
        CertificateStatus.REVOKED,
        timezone.now(),
        reason.strip(),
    )
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    # The published status list says so from the same commit on.
    status_lists.refresh_for(certificate)
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=EventKind.REVOKED,
        actor=actor,
        reason=reason.strip(),
        request_id=current_request_id.get(),
    )


def complete_pending() -> int:
    """Render and store every certificate that was numbered but never stored (its worker died and
    it belongs to no run, e.g. a correction). Returns how many were stored."""
    waiting = Certificate.objects.filter(sha256="").values_list("pk", flat=True)
    return len(issuance.freeze(list(waiting)))
