"""Photos in bulk: a zip of JPEG/PNG files named by ID number (docs/spec.md §7).

Nothing is extracted to disk: each member that may be a photo is read into memory, up to the photo
size limit, and judged by certification.photos.checked_photo (type by content, size, dimensions,
re-encoded without metadata) exactly like a single upload. Members with unsafe paths, archives
inside the archive, encrypted or oversized members are refused unread. Matched photos are saved
through registration.update_trainee, the same service as the trainee form.
"""

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from certification import permissions, photos, registration
from certification.identity import normalise_id_number
from certification.models import Trainee, User
from core.errors import LifecycleError, MoveForbidden

from . import archives, limits, reading
from .errors import TOO_LARGE, WRONG_TYPE, FileRefused

# Files a computer adds to an archive by itself: skipped without a word.
SYSTEM_FILES = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class PhotoReport:
    matched: list[tuple[str, str]] = field(default_factory=list)  # (file name, trainee shown masked)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


def too_large_message(size: int) -> str:
    return _("This archive is %(size)s; it may be at most %(limit)s. Split the photos into several archives.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limits.get("EXCHANGE_PHOTO_ZIP_MAX_BYTES")),
    }


def import_photos(*, staff: User, upload) -> PhotoReport:
    """Match and save each photo of the archive; FileRefused when the archive itself is refused."""
    if not permissions.is_institution_staff(staff):
        raise MoveForbidden(_("Only institution staff can upload photos."))
    size = reading.size_of(upload)
    if size > limits.get("EXCHANGE_PHOTO_ZIP_MAX_BYTES"):
        raise FileRefused(too_large_message(size), TOO_LARGE)
    if not upload.read(4).startswith(reading.ZIP_MAGIC):
        raise FileRefused(_("This file is not a zip archive: put the photos in a .zip file."), WRONG_TYPE)
    upload.seek(0)
    report = PhotoReport()
    with archives.open_zip(upload) as archive:
        archives.check_sizes(archive, max_members=limits.get("EXCHANGE_PHOTO_ZIP_MAX_FILES"))
        members = _members_to_read(archive, report)
        trainees = _trainees_by_id(staff, members)
        for info, id_number in members:
            _import_one(staff, archive, info, trainees.get(id_number), report)
    return report


def _members_to_read(archive, report: PhotoReport) -> list:
    """(member, ID number) for each member that may be a photo; the others go to the report."""
    members, seen = [], {}
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or any(marker in name for marker in SYSTEM_FILES) or PurePosixPath(name).name.startswith("._"):
            continue
        if archives.is_unsafe_name(name):
            report.rejected.append((name, _("The path leaves the archive's folder: refused.")))
            continue
        if info.flag_bits & 0x1:
            report.rejected.append((name, _("This file is encrypted: refused.")))
            continue
        head = _read(archive, info, 8)
        if head is None:
            report.rejected.append((name, _("This file is damaged inside the archive.")))
            continue
        if archives.looks_like_archive(name, head):
            report.rejected.append((name, _("Archives inside the archive are not opened: put the photos in one zip.")))
            continue
        if info.file_size > settings.PHOTO_MAX_BYTES:
            report.rejected.append(
                (
                    name,
                    _("The photo is %(size)s; it may be at most %(limit)s.")
                    % {"size": filesizeformat(info.file_size), "limit": filesizeformat(settings.PHOTO_MAX_BYTES)},
                )
            )
            continue
        id_number = normalise_id_number(PurePosixPath(name).stem)
        if id_number in seen:
            report.rejected.append(
                (name, _("Another photo for this ID number comes first: %(name)s.") % {"name": seen[id_number]})
            )
            continue
        seen[id_number] = name
        members.append((info, id_number))
    return members


def _read(archive, info, limit: int) -> bytes | None:
    """At most `limit` bytes of a member (zipfile never gives more than its declared size), or None."""
    try:
        with archive.open(info) as member:
            return member.read(limit)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        return None


def _trainees_by_id(staff: User, members: list) -> dict[str, Trainee]:
    numbers = {id_number for _info, id_number in members}
    trainees = Trainee.objects.filter(institution_id=staff.institution_id, id_number__in=numbers)
    return {trainee.id_number: trainee for trainee in trainees}


def _import_one(staff: User, archive, info, trainee: Trainee | None, report: PhotoReport) -> None:
    name = info.filename
    if trainee is None:
        report.unmatched.append((name, _("No trainee of your institution has this ID number.")))
        return
    data = _read(archive, info, settings.PHOTO_MAX_BYTES + 1)
    if data is None:
        report.rejected.append((name, _("This file is damaged inside the archive.")))
        return
    try:
        photo = photos.checked_photo(SimpleUploadedFile(PurePosixPath(name).name, data))
    except ValidationError as error:
        report.rejected.append((name, error.messages[0]))
        return
    previous = trainee.photo.name
    try:
        registration.update_trainee(staff=staff, trainee_id=trainee.pk, photo=photo)
    except LifecycleError as error:
        report.rejected.append((name, error.message))
        return
    if previous:
        # The old picture of a person is not kept for nothing (as the single-photo upload does).
        transaction.on_commit(lambda: photos.discard(previous))
    report.matched.append((name, str(trainee)))
