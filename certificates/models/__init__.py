"""Certificates (docs/spec.md §6): the frozen certificate, its serial counter, batch issuance runs, the audit."""

from .audit import CertificateEvent, EventKind, VerificationChannel, VerificationLog
from .certificates import Certificate, CertificateSerial, CertificateStatus
from .issuance import IssuanceItem, IssuanceRun, ItemStatus

__all__ = [
    "Certificate",
    "CertificateEvent",
    "CertificateSerial",
    "CertificateStatus",
    "EventKind",
    "IssuanceItem",
    "IssuanceRun",
    "ItemStatus",
    "VerificationChannel",
    "VerificationLog",
]
