"""Files of a backup: everything in the default storage (photos, evidence, uploads, certificate PDFs),
through Django's storage API, so local files and an S3-compatible bucket are copied the same way;
and the signing keys, sealed with a passphrase."""

import hashlib
import io
import os
import posixpath
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage

CHUNK = 1024 * 1024


def stored_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file's name in the storage, depth first; nothing when the storage does not exist yet."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(directory, name) if directory else name
    for name in sorted(directories):
        yield from stored_names(storage, posixpath.join(directory, name) if directory else name)


def copy_out(storage: Storage, name: str, target: Path) -> tuple[str, int]:
    """Copy one stored file to `target`; its SHA-256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
    with storage.open(name, "rb") as source, os.fdopen(descriptor, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def copy_in(storage: Storage, name: str, source: Path) -> None:
    with open(source, "rb") as file:
        saved = storage.save(name, File(file, name=name))
    if saved != name:
        raise FileExistsError(f"{name} was stored as {saved}: the storage was not empty")


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def safe_relative(name: str) -> PurePosixPath:
    """A manifest's file name, refused if it could point outside the backup (absolute, `..`)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"unsafe file name in the manifest: {name!r}")
    return path


def pack_keys(directory: Path) -> bytes:
    """The key directory (PDF signing key and certificate, credential keys, published public keys) as a tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=str(path.relative_to(directory)), recursive=False)
    return buffer.getvalue()


def unpack_keys(data: bytes, directory: Path) -> list[str]:
    """Write the keys back, regular files only, readable by the owner only."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            relative = safe_relative(member.name)
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            content = archive.extractfile(member).read()  # type: ignore[union-attr]
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(content)
            written.append(str(relative))
    return written
