"""Open Badges 3.0 credentials of certificates (docs/spec.md §12).

Each issued certificate also exists as an `OpenBadgeCredential` (VC Data Model 2.0 + OB 3.0.3),
signed with the office's Ed25519 key (certificates.office_keys) as a Data Integrity proof
`eddsa-rdfc-2022` (certificates.data_integrity). It is made while the certificate is frozen
(certificates.issuance.freeze: built beside the render, stored in the same transaction as the PDF)
or, for certificates issued before credentials existed, by `manage.py issue_credentials`. Stored
once, with its SHA-256, as the exact bytes that were signed; never signed again.

What it says (the public's view of a person, SPEC §6: masked name, no ID number in clear):
- the subject: the ID number as a salted SHA-256 (OB 3.0 IdentityObject, `hashed: true`, the salt
  in the credential and kept with it) and the masked name;
- the achievement, one per track and level, with its criteria from the catalogue (modules and
  their minimum hours, pass marks, review and public notice);
- validFrom (the issue date), validUntil when the track has a validity period;
- credentialStatus: the certificate's bit in a BitstringStatusList (certificates.status_lists).

Every URL in it lives under PUBLIC_BASE_URL and stays stable: the issuer (a controller document
that lists the office's keys), each key (a Multikey document), the status lists, the achievements.
"""

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certification.identity import mask_name
from certification.models import Track

from . import data_integrity, office_keys, qr, status_lists
from .models import Certificate, Credential

ID_TYPE = {"resident_id": "nationalIdentityNumber"}  # any other ID document: a plain identifier


# Stable URLs ------------------------------------------------------------------------------------


issuer_id = office_keys.issuer_id
key_url = office_keys.verification_method


def achievement_url(track_code: str, level: int) -> str:
    return qr.base_url() + reverse("certificates:credential_achievement", args=[track_code, level])


# Published documents ----------------------------------------------------------------------------


def multikey_document(kid: str) -> dict | None:
    public_key = office_keys.published_keys().get(kid)
    if public_key is None:
        return None
    return {
        "@context": data_integrity.MULTIKEY_V1,
        "id": key_url(kid),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": office_keys.public_key_multibase(public_key),
    }


def issuer_document() -> dict:
    """The issuer's profile and controller document: every key the office has signed with, current
    and earlier, authorised for assertions (a verifier checks the proof's key against this list)."""
    keys = sorted(office_keys.published_keys())
    methods = [multikey_document(kid) for kid in keys]
    return {
        "@context": [data_integrity.DID_V1, data_integrity.MULTIKEY_V1],
        "id": issuer_id(),
        "verificationMethod": [{k: v for k, v in m.items() if k != "@context"} for m in methods if m],
        "assertionMethod": [key_url(kid) for kid in keys],
        "name": settings.CERT_ISSUER["name"],
        "url": qr.base_url() + "/",
    }


def issuer_profile(name: str) -> dict:
    return {"id": issuer_id(), "type": ["Profile"], "name": name, "url": qr.base_url() + "/"}


def achievement(track: Track, *, level: int, level_label: str, title: str) -> dict:
    """One track at one level, with its criteria as the catalogue states them today."""
    modules = "\n".join(
        f"- {m.name_zh}（{m.code}）：{'必修' if m.is_required else '选修'}，不少于 {m.min_hours.normalize():f} 学时"
        for m in track.modules.all()
    )
    narrative = (
        f"完成以下课程模块：\n{modules}\n"
        f"理论考试不低于 {track.pass_mark_theory} 分、实操考核不低于 {track.pass_mark_practical} 分"
        f"（最多 {track.max_attempts} 次考试），经 {track.reviewers_required} 名考评员审核通过，"
        f"公示 {track.publicity_working_days} 个工作日无异议。"
    )
    return {
        "id": achievement_url(track.code, level),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"{title}（{level_label}）",
        "description": f"{track.occupation}（{track.name_zh} / {track.name_en}）{level_label}",
        "criteria": {"narrative": narrative},
        "fieldOfStudy": track.occupation,
        "specialization": track.name_zh,
        "humanCode": f"{track.code}-{level}",
        "inLanguage": "zh-Hans",
    }


# Making a certificate's credential --------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A signed credential, ready to be stored with its certificate."""

    document: str
    sha256: str
    key_id: str
    salt: str
    status_list: int
    status_index: int


def _moment(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def identity_hash(id_number: str, salt: str) -> str:
    """OB 3.0's IdentityHash: "sha256$" and the hex SHA-256 of the value followed by the salt."""
    return "sha256$" + hashlib.sha256((id_number + salt).encode()).hexdigest()


def unsigned(certificate: Certificate, *, track: Track, id_number: str, id_type: str, salt: str) -> dict:
    """The credential of a certificate, before its proof: only recorded, printed facts, the
    catalogue's criteria and the hashed ID number."""
    list_number, index = status_lists.position(certificate.pk)
    list_url = status_lists.url(list_number)
    document = {
        "@context": [data_integrity.CREDENTIALS_V2, data_integrity.OPEN_BADGES_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.title}（{certificate.level_label}）",
        "issuer": issuer_profile(certificate.issuer_name),
        "validFrom": _moment(certificate.issue_date, time.min),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": ID_TYPE.get(id_type, "identifier"),
                    "hashed": True,
                    "identityHash": identity_hash(id_number, salt),
                    "salt": salt,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": mask_name(certificate.holder_name),
                },
            ],
            "achievement": achievement(
                track, level=certificate.level, level_label=certificate.level_label, title=certificate.title
            ),
        },
        "evidence": [
            {
                "id": qr.base_url() + reverse("certificates:verify", args=[certificate.number]),
                "type": ["Evidence"],
                "name": f"证书编号 {certificate.number}",
            }
        ],
        "credentialStatus": {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status_lists.PURPOSE,
            "statusListIndex": str(index),
            "statusListCredential": list_url,
        },
    }
    if certificate.valid_until:
        document["validUntil"] = _moment(certificate.valid_until, time(23, 59, 59))
    return document


def prepare(certificate: Certificate, *, track: Track, id_number: str, id_type: str) -> Prepared:
    """Build and sign a certificate's credential (no database write)."""
    salt = secrets.token_hex(16)
    kid, key = office_keys.current_key()
    signed = data_integrity.sign(
        unsigned(certificate, track=track, id_number=id_number, id_type=id_type, salt=salt),
        key=key,
        verification_method=key_url(kid),
        created=timezone.now(),
    )
    text = json.dumps(signed, ensure_ascii=False, indent=2)
    list_number, index = status_lists.position(certificate.pk)
    return Prepared(text, hashlib.sha256(text.encode()).hexdigest(), kid, salt, list_number, index)


def prepare_many(certificates: list[Certificate]) -> dict[int, Prepared]:
    """Credentials for certificates read with `enrolment__trainee`: the tracks read once."""
    codes = {certificate.track_code for certificate in certificates}
    tracks = {track.code: track for track in Track.objects.filter(code__in=codes).prefetch_related("modules")}
    return {
        certificate.pk: prepare(
            certificate,
            track=tracks[certificate.track_code],
            id_number=certificate.enrolment.trainee.id_number,
            id_type=certificate.enrolment.trainee.id_type,
        )
        for certificate in certificates
    }


def _row(certificate: Certificate, prepared: Prepared, *, now: datetime) -> Credential:
    return Credential(
        certificate=certificate,
        document=prepared.document,
        sha256=prepared.sha256,
        key_id=prepared.key_id,
        subject_salt=prepared.salt,
        status_list=prepared.status_list,
        status_index=prepared.status_index,
        created_at=now,
    )


def store(certificate: Certificate, prepared: Prepared) -> Credential:
    """Inside the transaction that stores the certificate's PDF."""
    credential = _row(certificate, prepared, now=timezone.now())
    credential.save()
    return credential


def store_many(certificates: list[Certificate], prepared: dict[int, Prepared]) -> list[Credential]:
    """store() for the certificates a worker froze together: one INSERT, inside the transaction
    that stores their PDFs."""
    now = timezone.now()
    return Credential.objects.bulk_create([_row(c, prepared[c.pk], now=now) for c in certificates])


def issue_missing(*, chunk_size: int = 200) -> int:
    """A credential for every issued certificate that has none (certificates issued before
    credentials existed). Safe to repeat; returns how many were made."""
    made = 0
    lists: set[int] = set()
    skipped: set[int] = set()
    while True:
        waiting = list(
            Certificate.objects.exclude(sha256="")
            .filter(credential__isnull=True)
            .exclude(pk__in=skipped)
            .select_related("enrolment__trainee")
            .order_by("pk")[:chunk_size]
        )
        if not waiting:
            break
        prepared = prepare_many(waiting)
        for certificate in waiting:
            try:
                with transaction.atomic():
                    store(certificate, prepared[certificate.pk])
            except IntegrityError:
                skipped.add(certificate.pk)  # made meanwhile by someone else: that one stands
                continue
            made += 1
            lists.add(prepared[certificate.pk].status_list)
    # Revoked certificates among them: their bits are set now.
    for number in sorted(lists):
        with transaction.atomic():
            status_lists.refresh(number)
    return made
