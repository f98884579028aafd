"""Certificates (docs/spec.md §6): the frozen certificate, its serial counter, batch issuance runs, the audit, share links."""

from .audit import (
    CertificateEvent,
    EventKind,
    VerificationChannel,
    VerificationDay,
    VerificationLog,
    VerificationRollupMark,
    VerificationTotal,
)
from .certificates import Certificate, CertificateSerial, CertificateStatus
from .credentials import Credential, StatusList
from .issuance import IssuanceItem, IssuanceRun, ItemStatus
from .sharing import ShareLink

__all__ = [
    "Certificate",
    "CertificateEvent",
    "CertificateSerial",
    "CertificateStatus",
    "Credential",
    "EventKind",
    "IssuanceItem",
    "IssuanceRun",
    "ItemStatus",
    "ShareLink",
    "StatusList",
    "VerificationChannel",
    "VerificationDay",
    "VerificationLog",
    "VerificationRollupMark",
    "VerificationTotal",
]
