"""Every translation under locale/ is complete, not fuzzy, well-formed and compiled.

Until the first .po file exists these tests skip and say so; from then on they are real checks.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))

needs_po_files = pytest.mark.skipif(not PO_FILES, reason="no .po file under locale/ yet (translations come later)")
po_file_params = pytest.mark.parametrize("po_file", PO_FILES, ids=lambda p: str(p.relative_to(LOCALE_DIR)))

_QUOTED = re.compile(r'"(.*)"')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgstrs: dict[str, str] = field(default_factory=dict)


def read_entries(po_file: Path) -> list[Entry]:
    """The active entries of a .po file (obsolete `#~` entries left out), header included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current_key = None
    for number, line in enumerate(po_file.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#~"):
            entry, current_key = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt", "msgid_plural")):
            current_key = None
        elif line.startswith("msgid"):
            current_key = "msgid"
            entry.msgid = _QUOTED.search(line).group(1)
        elif line.startswith("msgstr"):
            current_key = line.split(" ", 1)[0]
            entry.msgstrs[current_key] = _QUOTED.search(line).group(1)
        elif line.startswith('"') and current_key:
            text = _QUOTED.search(line).group(1)
            if current_key == "msgid":
                entry.msgid += text
            else:
                entry.msgstrs[current_key] += text
    return [e for e in entries if e.msgstrs]


def where(po_file: Path, entry: Entry) -> str:
    return f"{po_file.relative_to(LOCALE_DIR)}:{entry.line} msgid {entry.msgid[:60]!r}"


@needs_po_files
@po_file_params
def test_every_message_is_translated(po_file):
    untranslated = [
        where(po_file, e) for e in read_entries(po_file) if e.msgid and any(not s for s in e.msgstrs.values())
    ]
    assert not untranslated, "empty msgstr:\n" + "\n".join(untranslated)


@needs_po_files
@po_file_params
def test_no_translation_is_fuzzy(po_file):
    fuzzy = [where(po_file, e) for e in read_entries(po_file) if e.msgid and "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)


@needs_po_files
@po_file_params
def test_placeholders_match_between_source_and_translation(po_file):
    # msgfmt --check compares %(name)s placeholders of python-format entries, among other things.
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: `make setup` installs gettext"
    result = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(po_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@needs_po_files
@po_file_params
def test_the_compiled_catalogue_is_up_to_date(po_file):
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file.name} is missing next to {po_file.name}: run `make setup`"
    assert mo_file.stat().st_mtime >= po_file.stat().st_mtime, f"{mo_file} is older than its .po: run `make setup`"
