"""Looking inside zip archives (an .xlsx is one) before anything is unpacked.

The central directory says how large each member unpacks to, and Python's zipfile never returns
more than that size (a member that lies fails its CRC check), so checking the declared sizes bounds
the work. A zip bomb is a member far larger than its compressed bytes.
"""

import zipfile

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import limits
from .errors import TOO_LARGE, FileRefused

# Members smaller than this are never called a bomb: tiny XML parts compress very well.
RATIO_CHECK_FROM_BYTES = 1024 * 1024

NESTED_ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
NESTED_ARCHIVE_EXTENSIONS = {"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "xlsx", "docx", "jar"}


def damaged() -> FileRefused:
    return FileRefused(_("This file is damaged or incomplete: save it again and upload the new file."))


def open_zip(fileobj) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise damaged() from None


def check_sizes(archive: zipfile.ZipFile, *, max_members: int, whole_parts: set[str] | None = None) -> None:
    """Refuse archives with too many members or that unpack to far more than they weigh.

    `whole_parts`: members a reader loads whole into memory, held to a tighter limit.
    """
    infos = archive.infolist()
    if len(infos) > max_members:
        raise FileRefused(
            _("This archive holds %(count)s files; at most %(limit)s are accepted.")
            % {"count": len(infos), "limit": max_members},
            TOO_LARGE,
        )
    total = sum(info.file_size for info in infos)
    if total > limits.get("EXCHANGE_MAX_UNPACKED_BYTES"):
        raise _bomb(total)
    ratio = limits.get("EXCHANGE_MAX_COMPRESSION_RATIO")
    for info in infos:
        if info.file_size > RATIO_CHECK_FROM_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise _bomb(total)
        if (
            whole_parts
            and info.filename in whole_parts
            and info.file_size > limits.get("EXCHANGE_MAX_WHOLE_PART_BYTES")
        ):
            raise _bomb(total)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two members with one name: readers disagree on which one counts, a classic smuggling trick.
        raise damaged()


def _bomb(total: int) -> FileRefused:
    return FileRefused(
        _("This file unpacks to %(size)s, far more than its own size suggests (a “zip bomb”): it was refused.")
        % {"size": filesizeformat(total)},
        TOO_LARGE,
    )


def is_unsafe_name(name: str) -> bool:
    """A member name that would leave the folder it is unpacked into (zip slip)."""
    if name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    if len(name) > 1 and name[1] == ":":
        return True  # a Windows drive: C:/...
    return any(part == ".." for part in name.split("/"))


def looks_like_archive(name: str, head: bytes) -> bool:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    return extension in NESTED_ARCHIVE_EXTENSIONS or head.startswith(NESTED_ARCHIVE_MAGIC)
