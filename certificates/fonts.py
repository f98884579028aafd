"""Pre-subset certificate fonts: Noto Serif CJK SC cut down to the GB2312 characters.

WeasyPrint subsets every font it embeds, on every render, and the cost grows with the font: the
system Noto Serif CJK collection has 65,535 glyphs, and subsetting it took more than half of a
certificate's render time. Cut once to GB2312 (6,763 hanzi, which cover nearly every name) plus
Latin and punctuation, the per-render subset becomes cheap and the PDF shrinks by half. The cut is
made with HarfBuzz (libharfbuzz-subset0, which WeasyPrint needs anyway) in under a second, and kept
in CERT_FONT_CACHE so that later processes just read it.

A character outside the cut (a rare name character) still prints: the stylesheet lists the full
system font after the cut one, and fonts fall back character by character.
"""

import contextlib
import hashlib
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Cert Serif"
# (CSS weight, fontconfig pattern) of each face the certificate uses.
FACES = ((400, "Noto Serif CJK SC:style=Regular"), (700, "Noto Serif CJK SC:style=Bold"))
CHARSET_VERSION = "gb2312-1"


@dataclass(frozen=True)
class Face:
    weight: int
    name: str  # file name under the render host's /fonts/
    content: bytes


def cache_dir() -> Path:
    return Path(settings.CERT_FONT_CACHE)


@lru_cache(maxsize=1)
def charset() -> tuple[int, ...]:
    codepoints = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070))
    codepoints |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                codepoints.add(ord(bytes([high, low]).decode("gb2312")))
    return tuple(sorted(codepoints))


def certificate_faces() -> list[Face]:
    """The cut faces, from the cache or made now; [] when they cannot be made (then the stylesheet
    falls back to the system font, slower but the same glyphs)."""
    faces = []
    for weight, pattern in FACES:
        try:
            source = _font_file(pattern)
            if source is None:
                return []
            path, index = source
            faces.append(Face(weight=weight, name=f"cert-serif-{weight}.otf", content=_cut(path, index)))
        except (OSError, ValueError) as error:
            logger.warning("Certificate fonts: using the full system font (%s)", error)
            return []
    return faces


def _font_file(pattern: str) -> tuple[str, int] | None:
    try:
        output = subprocess.run(
            ["fc-match", "--format=%{file}\n%{index}", pattern], capture_output=True, text=True, timeout=10, check=True
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(output) != 2 or "NotoSerifCJK" not in output[0]:
        return None
    return output[0], int(output[1] or 0)


def _cut(path: str, index: int) -> bytes:
    stat = os.stat(path)
    key = hashlib.sha256(f"{CHARSET_VERSION}|{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[
        :16
    ]
    cached = cache_dir() / f"{Path(path).stem}-{index}-{key}.otf"
    if cached.exists():
        return cached.read_bytes()
    content = _harfbuzz_subset(path, index, charset())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a process that reads the cache never sees half a font.
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".part") as part:
            part.write(content)
        os.replace(part.name, cached)
    except OSError as error:  # a read-only deployment: each process cuts its own, under a second
        logger.info("Certificate fonts not cached in %s (%s)", cached.parent, error)
    return content


_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add_sorted_array (hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int num_codepoints);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""


@lru_cache(maxsize=1)
def _harfbuzz():
    import cffi  # a WeasyPrint dependency

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _harfbuzz_subset(path: str, index: int, codepoints: tuple[int, ...]) -> bytes:
    ffi, hb, hb_subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {path}")
    face = hb.hb_face_create(blob, index)
    subset_input = hb_subset.hb_subset_input_create_or_fail()
    try:
        wanted = ffi.new(f"hb_codepoint_t[{len(codepoints)}]", codepoints)
        hb.hb_set_add_sorted_array(hb_subset.hb_subset_input_unicode_set(subset_input), wanted, len(codepoints))
        subset = hb_subset.hb_subset_or_fail(face, subset_input)
        if subset == ffi.NULL:
            raise ValueError(f"HarfBuzz could not subset {path}")
        result = hb.hb_face_reference_blob(subset)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(result, length)
        content = bytes(ffi.buffer(data, length[0]))
        hb.hb_blob_destroy(result)
        hb.hb_face_destroy(subset)
        return content
    finally:
        hb_subset.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
