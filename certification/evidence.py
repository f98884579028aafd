"""Evidence files of an exam attempt (docs/spec.md §5, §9): the content check, attaching and removing, who sees them.

An upload is judged by what it contains, not by what it is called. PDF, PNG and JPEG are recognised
from their content alone; the 3D garment formats (OBJ, STL, FBX, glTF/GLB, DXF, CLO 3D) cannot all be
told apart by content, so for them the name's extension says which format to expect and the content
must look like that format. Nothing that starts like a program or a web page is ever kept.

A kept file is stored through Django's storage API under a random name with the extension of the
format found; the uploaded name is kept only for display.
"""

import json
import struct
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from certification import active_pdf, permissions, registration, selectors
from certification.models import (
    AssessmentAttempt,
    AttemptOutcome,
    Enrolment,
    EnrolmentStatus,
    EvidenceFile,
    EvidenceKind,
    User,
)
from core.errors import InvalidInput, RuleNotMet

HEAD_BYTES = 64 * 1024  # enough of a file to recognise it; the rest is never parsed


@dataclass(frozen=True)
class EvidenceFormat:
    code: str  # also the extension of the stored file
    label: str
    content_type: str
    is_3d: bool = False


FORMATS = {
    f.code: f
    for f in [
        EvidenceFormat("pdf", "PDF", "application/pdf"),
        EvidenceFormat("png", "PNG", "image/png"),
        EvidenceFormat("jpg", "JPEG", "image/jpeg"),
        # A browser has no business rendering a 3D file: it is always a plain download.
        EvidenceFormat("obj", "OBJ", "application/octet-stream", is_3d=True),
        EvidenceFormat("stl", "STL", "application/octet-stream", is_3d=True),
        EvidenceFormat("fbx", "FBX", "application/octet-stream", is_3d=True),
        EvidenceFormat("glb", "GLB", "application/octet-stream", is_3d=True),
        EvidenceFormat("gltf", "glTF", "application/octet-stream", is_3d=True),
        EvidenceFormat("dxf", "DXF", "application/octet-stream", is_3d=True),
        EvidenceFormat("zprj", "CLO 3D (.zprj)", "application/octet-stream", is_3d=True),
        EvidenceFormat("zpac", "CLO 3D (.zpac)", "application/octet-stream", is_3d=True),
    ]
}
FORMATS_3D = {code for code, f in FORMATS.items() if f.is_3d}
# The extensions a name may keep for a format found by content.
EXTENSIONS_OF = {"jpg": {"jpg", "jpeg", "jpe"}}
FORMATS_BY_KIND: dict[str, set[str]] = {
    EvidenceKind.MODEL_3D: FORMATS_3D | {"pdf"},  # a PDF export of the model is accepted too
    EvidenceKind.PHOTO: {"png", "jpg"},
    EvidenceKind.DOCUMENT: {"pdf", "png", "jpg"},
}
ALL_KINDS = tuple(EvidenceKind)

# Starts of programs and of markup a browser would run. Text signatures are compared after
# leading blanks and a byte-order mark, ignoring case.
PROGRAM_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
SCRIPT_SIGNATURES = (b"#!", b"<script", b"<html", b"<svg", b"<!doctype", b"<?php", b"<?xml", b"<body", b"<iframe")
OBJ_STATEMENTS = {"v", "vt", "vn", "vp", "f", "l", "p", "o", "g", "s", "mtllib", "usemtl"}


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def max_files() -> int:
    return settings.EVIDENCE_MAX_FILES


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{max(value, 0.1):.1f}"


# The content check ----------------------------------------------------------------------------


def validate_evidence_upload(upload, *, kinds: Iterable[str]) -> EvidenceFormat:
    """The format of an upload that is acceptable as one of `kinds`, or ValidationError saying why not.

    Usable as a form field validator: `validators=[evidence_upload_validator(*kinds)]`.
    """
    kinds = tuple(kinds)
    found = identify(upload)
    allowed = set().union(*(FORMATS_BY_KIND[kind] for kind in kinds))
    if found.code not in allowed:
        raise ValidationError(
            _("%(found)s files are not accepted as this kind of evidence. Accepted: %(accepted)s.")
            % {"found": found.label, "accepted": accepted_labels(kinds)},
            code="evidence_wrong_kind",
        )
    return found


def evidence_upload_validator(*kinds: str) -> Callable:
    """A validator for forms.FileField(validators=[...]); every kind when none is named."""
    return partial(validate_evidence_upload, kinds=kinds or ALL_KINDS)


def accepted_labels(kinds: Iterable[str]) -> str:
    codes = set().union(*(FORMATS_BY_KIND[kind] for kind in kinds))
    return ", ".join(f.label for code, f in FORMATS.items() if code in codes)


def identify(upload) -> EvidenceFormat:
    """The evidence format of an upload, read from its content (and for 3D formats its extension)."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="evidence_empty")
    if size > max_bytes():
        raise ValidationError(
            _("The file is %(size)s MB; an evidence file may be at most %(limit)s MB.")
            % {"size": megabytes(size), "limit": megabytes(max_bytes())},
            code="evidence_too_large",
        )
    head = _read(upload, HEAD_BYTES)
    if _looks_like_a_program(head):
        raise ValidationError(
            _("This file looks like a program or a web page, which is never accepted as evidence."),
            code="evidence_program",
        )
    extension = _extension(upload.name)
    if extension in FORMATS_3D:
        if not CHECKS_3D[extension](upload, head, size):
            raise ValidationError(
                _("The file is named .%(extension)s but its content is not a %(format)s file.")
                % {"extension": extension, "format": FORMATS[extension].label},
                code="evidence_not_3d",
            )
        return FORMATS[extension]
    if head.startswith(b"%PDF-"):
        if active_pdf.is_active(_read(upload)):
            raise ValidationError(
                _(
                    "This PDF runs actions or scripts when it is opened (JavaScript, launch or automatic actions), "
                    "which is never accepted as evidence: print it to a new PDF and upload that."
                ),
                code="evidence_pdf_active",
            )
        return FORMATS["pdf"]
    image_format = _image_format(upload)
    if image_format:
        return FORMATS[image_format]
    raise ValidationError(
        _("The content of this file is not an accepted type. Accepted: %(accepted)s.")
        % {"accepted": accepted_labels(ALL_KINDS)},
        code="evidence_unknown_type",
    )


def _read(upload, count: int | None = None) -> bytes:
    upload.seek(0)
    data = upload.read() if count is None else upload.read(count)
    upload.seek(0)
    return data


def _visible(name: str) -> str:
    """The name without control, format or other invisible characters (a NUL byte, a right-to-left
    override): taken out before anything is read from the name, its extension first of all."""
    return "".join(ch for ch in (name or "") if not unicodedata.category(ch).startswith("C"))


def _extension(name: str) -> str:
    name = _visible(name).rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like_a_program(head: bytes) -> bool:
    if head.startswith(PROGRAM_SIGNATURES):
        return True
    text_start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:32].lower()
    return text_start.startswith(SCRIPT_SIGNATURES)


def _image_format(upload) -> str:
    """ "png" or "jpg" when Pillow recognises and verifies the image; "" otherwise."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, struct.error):
        return ""
    finally:
        upload.seek(0)
    # MPO is the multi-picture JPEG many phone cameras write.
    return {"PNG": "png", "JPEG": "jpg", "MPO": "jpg"}.get(image_format or "", "")


def _text_lines(head: bytes, size: int) -> list[str] | None:
    """The complete lines of the head of a text file; None for binary content."""
    if b"\x00" in head:
        return None
    if len(head) < size:
        head = head.rsplit(b"\n", 1)[0]  # the last line may be cut
    return head.decode("utf-8", errors="replace").splitlines()


def _is_obj(upload, head: bytes, size: int) -> bool:
    lines = _text_lines(head, size)
    if lines is None:
        return False
    statements = [line.split()[0] for line in lines if line.strip()]
    known = all(word.startswith("#") or word in OBJ_STATEMENTS for word in statements)
    return known and any(word in ("v", "f") for word in statements)


def _is_stl(upload, head: bytes, size: int) -> bool:
    # Binary first: many binary STL headers start with "solid" too.
    if size >= 84 and len(head) >= 84 and 84 + 50 * struct.unpack("<I", head[80:84])[0] == size:
        return True
    lowered = head.lstrip().lower()
    return b"\x00" not in head and lowered.startswith(b"solid") and (b"facet" in lowered or b"endsolid" in lowered)


def _is_fbx(upload, head: bytes, size: int) -> bool:
    if head.startswith(b"Kaydara FBX Binary"):
        return True
    return b"\x00" not in head and (head.lstrip().startswith(b"; FBX") or b"FBXHeaderExtension" in head)


def _is_glb(upload, head: bytes, size: int) -> bool:
    if len(head) < 12 or head[:4] != b"glTF":
        return False
    version, length = struct.unpack("<II", head[4:12])
    return version in (1, 2) and length == size


def _is_gltf(upload, head: bytes, size: int) -> bool:
    try:
        document = json.loads(_read(upload).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and isinstance(document.get("asset"), dict)


def _is_dxf(upload, head: bytes, size: int) -> bool:
    # AAMA/ASTM pattern files are ASCII DXF: group codes and values on alternate lines.
    lines = _text_lines(head, size)
    return lines is not None and "SECTION" in {line.strip() for line in lines[:200]}


def _is_clo(upload, head: bytes, size: int) -> bool:
    # CLO 3D project (.zprj) and garment (.zpac) files are zip archives: the signature first, then a
    # central directory that lists at least one member. Nothing is unpacked.
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False
    finally:
        upload.seek(0)


CHECKS_3D = {
    "obj": _is_obj,
    "stl": _is_stl,
    "fbx": _is_fbx,
    "glb": _is_glb,
    "gltf": _is_gltf,
    "dxf": _is_dxf,
    "zprj": _is_clo,
    "zpac": _is_clo,
}


def display_name(name: str, found: EvidenceFormat) -> str:
    """The uploaded name for display: no folders, no control or invisible characters, ≤ 255 characters."""
    name = _visible(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name.strip("."):
        return f"evidence.{found.code}"
    if _extension(name) not in EXTENSIONS_OF.get(found.code, {found.code}):
        # Downloaded under this name: it must not open as anything but what was checked (a PDF named .html).
        name = f"{name}.{found.code}"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 254 - len(extension)] + dot + extension if dot and len(extension) <= 16 else name[:255]
    return name


def random_name(found: EvidenceFormat) -> str:
    """The name a checked file is stored under: random, with the extension of the format found."""
    return f"{uuid.uuid4().hex}.{found.code}"


def content_type_of(stored_name: str) -> str:
    """The content type of a stored evidence file, from the extension this module gave it."""
    found = FORMATS.get(_extension(stored_name))
    return found.content_type if found else "application/octet-stream"


# Attaching and removing -----------------------------------------------------------------------


def evidence_locked_reason(enrolment: Enrolment, attempt: AssessmentAttempt | None) -> str:
    """Why the attempt's results cannot be changed now; empty while they can."""
    if enrolment.status != EnrolmentStatus.TRAINED:
        return _("Results and evidence can be changed only after training is complete and before they are submitted.")
    if attempt is not None and attempt.outcome in (AttemptOutcome.PASSED, AttemptOutcome.FAILED):
        return _("This attempt has been decided; its evidence is kept as it was.")
    return ""


def attach_evidence(*, staff: User, enrolment_id: int, kind: str, upload) -> EvidenceFile:
    """Check the upload's content and keep it as evidence of the enrolment's current attempt."""
    if kind not in EvidenceKind.values:
        raise InvalidInput(_("Choose what kind of evidence this file is."))
    try:
        found = validate_evidence_upload(upload, kinds=[kind])
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    stored_name = None
    try:
        with transaction.atomic():
            enrolment = registration.locked_enrolment_of_staff(staff, enrolment_id)
            attempt = enrolment.current_attempt
            locked = evidence_locked_reason(enrolment, attempt)
            if locked:
                raise RuleNotMet(locked)
            if attempt is None:
                # Evidence may come before the scores; record_scores fills this same attempt later.
                attempt = AssessmentAttempt.objects.create(enrolment=enrolment, number=1)
            if attempt.evidence_files.count() >= max_files():
                raise RuleNotMet(_("An attempt may have at most %(count)s evidence files.") % {"count": max_files()})
            evidence = EvidenceFile(
                attempt=attempt,
                kind=kind,
                original_name=display_name(upload.name, found),
                size=upload.size,
                uploaded_by=staff,
            )
            upload.seek(0)
            evidence.file.save(random_name(found), upload, save=False)
            stored_name = evidence.file.name
            evidence.save()
            return evidence
    except BaseException:
        if stored_name:  # the row was not kept, so neither is the file
            evidence.file.storage.delete(stored_name)
        raise


def remove_evidence(*, staff: User, evidence_id: int) -> None:
    """Remove an evidence file of the current attempt while its results can still be changed."""
    enrolment_id = EvidenceFile.objects.filter(pk=evidence_id).values_list("attempt__enrolment_id", flat=True).first()
    if enrolment_id is None:
        raise InvalidInput(_("This evidence file no longer exists."))
    with transaction.atomic():
        enrolment = registration.locked_enrolment_of_staff(staff, enrolment_id)
        evidence = EvidenceFile.objects.select_related("attempt").filter(pk=evidence_id).first()
        if evidence is None:
            raise InvalidInput(_("This evidence file no longer exists."))
        attempt = enrolment.current_attempt
        if attempt is None or evidence.attempt_id != attempt.pk:
            raise RuleNotMet(_("This file belongs to an earlier attempt and is kept as it was."))
        locked = evidence_locked_reason(enrolment, attempt)
        if locked:
            raise RuleNotMet(locked)
        file, storage = evidence.file.name, evidence.file.storage
        evidence.delete()
        if file:
            # Only once the row is surely gone: a rolled-back removal keeps its file.
            transaction.on_commit(lambda: storage.delete(file))


# Who sees them ------------------------------------------------------------------------------------


def evidence_visible_to(user: User) -> QuerySet[EvidenceFile]:
    """Evidence of candidates the user may see: their institution's staff, officers, the trainee
    themself, and assessors free of conflicts while the candidate is under review or decided."""
    return EvidenceFile.objects.select_related("attempt__enrolment__batch", "attempt__enrolment__trainee").filter(
        attempt__enrolment__in=selectors.enrolments_visible_to(user).values("pk")
    )


def may_download(user: User, evidence: EvidenceFile) -> bool:
    """The object-level check on top of evidence_visible_to, stated in the permission's own words."""
    enrolment = evidence.attempt.enrolment
    if permissions.is_assessor(user):
        return not permissions.has_conflict_of_interest(user, enrolment)
    return permissions.can_view_enrolment(user, enrolment)
