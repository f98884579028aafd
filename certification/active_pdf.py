"""Whether a PDF acts when it is opened or clicked (scripts, launches, automatic actions), rather
than only showing pages: such a PDF is never kept as evidence (docs/spec.md §9).

The bytes are looked at, never interpreted: every name in the file (with its #hex escapes
undone), and the dictionaries that PDF 1.5 packs into compressed object streams.
"""

import re
import zlib

# What makes a PDF act when it is opened or clicked, rather than only show pages. /OpenAction is
# fine as a page to open on (an array), not as an action.
PDF_ACTIVE_NAMES = {b"JS", b"JavaScript", b"AA", b"Launch", b"SubmitForm", b"ImportData", b"RichMedia"}
_PDF_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+)(?=\s*(.?))", re.DOTALL)
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"\bstream\r?\n")
# Object streams (PDF 1.5) hold dictionaries compressed: they are unpacked to look at, up to this much.
PDF_UNPACKED_BUDGET = 64 * 1024 * 1024


def is_active(content: bytes) -> bool:
    """True when the PDF holds scripts or actions, in plain sight or inside compressed object streams."""
    if _has_active_names(content):
        return True
    budget = PDF_UNPACKED_BUDGET
    for found in _PDF_STREAM.finditer(content):
        if budget <= 0:
            return True  # more packed dictionaries than any evidence PDF needs: not looked through, not kept
        dictionary = content[max(0, found.start() - 1024) : found.start()]
        if b"/ObjStm" not in dictionary.rsplit(b" obj", 1)[-1]:
            continue
        end = content.find(b"endstream", found.end())
        packed = content[found.end() : end if end != -1 else len(content)]
        try:
            unpacked = zlib.decompressobj().decompress(packed, budget)
        except zlib.error:
            continue
        budget -= len(unpacked)
        if _has_active_names(unpacked):
            return True
    return False


def _has_active_names(data: bytes) -> bool:
    for found in _PDF_NAME.finditer(data):
        name = _PDF_HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), found.group(1))
        if name in PDF_ACTIVE_NAMES or (name == b"OpenAction" and found.group(2) != b"["):
            return True
    return False
