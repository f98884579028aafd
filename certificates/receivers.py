"""Keep enrolments and certificates in step whichever page made the move.

The enrolment page offers every legal move, `issue` and `revoke` included, through
certification.services.move. Every certified enrolment must have a numbered certificate, and a
certificate must say "revoked" when its enrolment is revoked, so these receivers run inside that
move's transaction, when its StateLog row is written:

- `issue` that did not come through certificates.services (which number inside the move) numbers the
  certificate here and queues its rendering for a task worker;
- `revoke` that did not come through certificates.services marks the current certificate revoked.

The certificates pages are the better way to issue: they lock the serial counter before the
enrolment, the order that keeps two issuing transactions from waiting on each other. Here the
enrolment is already locked when the counter is; PostgreSQL would detect the rare deadlock with a
batch run and roll one side back, and both are safe to repeat.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from certification.models import Enrolment, StateLog

from .models import Certificate, CertificateStatus


@receiver(post_save, sender=StateLog, dispatch_uid="certificates.sync_with_lifecycle")
def sync_with_lifecycle(sender, instance: StateLog, created: bool, **kwargs) -> None:
    if not created or instance.transition not in ("issue", "revoke"):
        return
    current = (
        Certificate.objects.select_for_update()
        .filter(enrolment_id=instance.enrolment_id)
        .exclude(status=CertificateStatus.SUPERSEDED)
    )
    if instance.transition == "issue" and not current.exists():
        _number_certificate(instance)
    elif instance.transition == "revoke":
        from .services import mark_certificate_revoked

        for certificate in current.filter(status__in=[CertificateStatus.VALID, CertificateStatus.PENDING]):
            mark_certificate_revoked(certificate, actor=instance.actor, reason=instance.reason)


def _number_certificate(log: StateLog) -> None:
    from . import issuance, numbering
    from .tasks import freeze_certificates

    enrolment = Enrolment.objects.select_related("batch__institution", "track", "trainee").get(pk=log.enrolment_id)
    issuer = numbering.configured_issuer()
    issue_date = timezone.localdate()
    counter = numbering.lock_counter(issuer_code=issuer.code, year=issue_date.year)
    certificate = issuance.new_certificate(enrolment, officer=log.actor, counter=counter, issue_date=issue_date)
    transaction.on_commit(lambda: freeze_certificates.enqueue(certificate_ids=[certificate.pk]))
