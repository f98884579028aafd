"""Make the enrolment files saved by LibreOffice Calc that the tests read (tests/data/libreoffice/).

    python tests/data/libreoffice/make_libreoffice_files.py

Institutions fill the template in Excel, WPS or LibreOffice; each writes its own .xlsx (shared
strings, styles, date formats, data validations). These files start as the template the app
writes (exchange.blanks, for an institution with the batch LIBREOFFICE_BATCH), filled with 50 rows
by openpyxl, then opened and saved as .xlsx by LibreOffice itself (`soffice --headless
--convert-to xlsx`), so every byte is LibreOffice's:

- enrolments_libreoffice.xlsx: 50 valid rows. Birth dates typed as dates and, every fifth row, as
  text such as 1990年3月5日; one phone number in full-width digits; some ID types left empty.
- enrolments_libreoffice_two_bad_rows.xlsx: the same with two rows wrong (BAD_ROWS): a resident ID
  number whose check character is wrong, a batch the institution does not have.

LibreOffice is not installed by scripts/setup.sh (too big for CI): install it to regenerate the files
(`apt-get install libreoffice-calc-nogui`), then commit them. The tests only read them.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from certification.identity import resident_id_check_character

VALID_FILE = "enrolments_libreoffice.xlsx"
TWO_BAD_ROWS_FILE = "enrolments_libreoffice_two_bad_rows.xlsx"
FILES = (VALID_FILE, TWO_BAD_ROWS_FILE)

INSTITUTION_NAME = "杭州时尚职业培训学校"
LIBREOFFICE_BATCH = "2026秋季制版班"  # institution 1's pattern-making batch: the tests create it
OTHER_BATCH = "2026秋季工艺班"  # no such batch at the institution
TRACK = "服装制版"
FIRST_ROW = 3  # rows 1 and 2: headers and keys
ROWS = 50

NAMES = [
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏",
    "徐婷", "孙浩", "胡军", "朱琳", "高峰", "林晓燕", "何欣", "郭涛", "马超", "罗娟",
    "梁爽", "宋佳", "郑凯", "谢婷婷", "韩雪", "唐亮", "冯莉", "于洋", "董明", "萧红",
    "程刚", "曹颖", "袁媛", "邓超", "许晴", "傅雷", "沈月", "曾敏", "彭勇", "吕薇",
    "欧阳娜娜", "卢伟", "蒋欣", "蔡琴", "贾玲", "丁一", "魏来", "薛冰", "叶青", "阿依古丽",
]
FEMALE = {
    "王芳", "李娜", "陈静", "黄丽", "吴敏", "徐婷", "朱琳", "林晓燕", "何欣", "罗娟", "梁爽", "宋佳", "谢婷婷",
    "韩雪", "冯莉", "萧红", "曹颖", "袁媛", "许晴", "沈月", "曾敏", "吕薇", "欧阳娜娜", "蒋欣", "蔡琴", "贾玲",
    "叶青", "阿依古丽",
}
EDUCATIONS = ["初中", "高中/中专", "大专", "本科", "高中/中专"]
ETHNICITIES = {"马超": "回族", "阿依古丽": "维吾尔族", "丁一": ""}  # the rest 汉族; empty means 汉族
AREA_CODES = ["330106", "330102", "330282", "320582", "350521"]
FULL_WIDTH_PHONE_ROW = 7  # the file row whose phone number is typed in full-width digits
BAD_ROWS = {"checksum": 12, "batch": 29}  # file rows wrong in TWO_BAD_ROWS_FILE


def resident_id(area: str, birth: date, serial: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_character(first17)


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


def people() -> list[dict]:
    """The 50 trainees, in file order, with what the import should record for each: `birth_date`
    the date, `birth_cell` what the cell holds, `phone` the number, `phone_cell` as typed."""
    rows = []
    for index, name in enumerate(NAMES):
        female = name in FEMALE
        birth = date(1970 + index % 30, 1 + index % 12, 1 + (index * 7) % 28)
        serial = 100 + 2 * index + (0 if female else 1)  # the 17th digit is odd for men, even for women
        phone = f"139{index:08d}"
        file_row = FIRST_ROW + index
        rows.append({
            "file_row": file_row,
            "name": name,
            "id_type": "" if index % 4 == 3 else "居民身份证",
            "id_number": resident_id(AREA_CODES[index % len(AREA_CODES)], birth, serial),
            "gender": "女" if female else "男",
            "birth_date": birth,
            "birth_cell": f"{birth.year}年{birth.month}月{birth.day}日" if index % 5 == 4 else birth,
            "ethnicity": ETHNICITIES.get(name, "汉族"),
            "education": EDUCATIONS[index % len(EDUCATIONS)],
            "phone": phone,
            "phone_cell": full_width(phone) if file_row == FULL_WIDTH_PHONE_ROW else phone,
            "employer": f"杭州{'锦绣' if index % 2 else '云裳'}服饰有限公司",
            "years_in_trade": 3 + index % 20,
            "address": f"杭州市西湖区文三路{100 + index}号",
            "batch": LIBREOFFICE_BATCH,
            "track": TRACK,
        })
    return rows


def with_two_bad_rows(rows: list[dict]) -> list[dict]:
    rows = [dict(row) for row in rows]
    by_file_row = {row["file_row"]: row for row in rows}
    wrong = by_file_row[BAD_ROWS["checksum"]]
    good_check = wrong["id_number"][17]
    wrong["id_number"] = wrong["id_number"][:17] + ("1" if good_check == "0" else "0")
    by_file_row[BAD_ROWS["batch"]]["batch"] = OTHER_BATCH
    return rows


def bad_checksum_id() -> str:
    return next(row["id_number"] for row in with_two_bad_rows(people()) if row["file_row"] == BAD_ROWS["checksum"])


# ── writing ────────────────────────────────────────────────────────────────────────────────────

CELL_OF = {"birth_date": "birth_cell", "phone": "phone_cell"}


def _template(path: Path):
    """The enrolment template exactly as the app writes it for an institution with LIBREOFFICE_BATCH."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from certification.models import (
        Institution,
        InstitutionStatus,
        Track,
        TrainingBatch,
    )
    from exchange import blanks
    from exchange.columns import ENROLMENTS

    call_command("migrate", verbosity=0)
    institution = Institution.objects.create(name=INSTITUTION_NAME, org_code="91330100MA00000001",
                                             status=InstitutionStatus.APPROVED)
    TrainingBatch.objects.create(institution=institution, track=Track.objects.get(code="PM"), level=4,
                                 name=LIBREOFFICE_BATCH, start_date=date(2026, 9, 1), end_date=date(2026, 11, 30),
                                 capacity=60)
    with translation.override("zh-hans"):
        blanks.write_template(ENROLMENTS, path, institution=institution)
    return ENROLMENTS


def _filled(template: Path, kind, rows: list[dict], out: Path) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    sheet = workbook[kind.sheet]
    for row in rows:
        for number, column in enumerate(kind.columns, start=1):
            value = row[CELL_OF.get(column.key, column.key)]
            sheet.cell(row=row["file_row"], column=number, value=value if value != "" else None)
    workbook.save(out)


def _saved_by_libreoffice(soffice: str, sources: list[Path], out: Path, profile: Path) -> None:
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
    for source in sources:
        with zipfile.ZipFile(out / source.name) as archive:
            application = archive.read("docProps/app.xml").decode()
        if "LibreOffice" not in application:
            raise SystemExit(f"{source.name} was not saved by LibreOffice: {application[:200]}")


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit(
            "LibreOffice is not installed (no soffice on PATH). Install it with\n"
            "    apt-get install -y libreoffice-calc-nogui\n"
            "and run this script again. The committed files in tests/data/libreoffice/ are enough to run the tests."
        )
    with tempfile.TemporaryDirectory(prefix="libreoffice-files-") as scratch:
        scratch = Path(scratch)
        template = scratch / "template.xlsx"
        kind = _template(template)
        filled = scratch / "filled"
        filled.mkdir()
        rows = people()
        _filled(template, kind, rows, filled / VALID_FILE)
        _filled(template, kind, with_two_bad_rows(rows), filled / TWO_BAD_ROWS_FILE)
        _saved_by_libreoffice(soffice, [filled / name for name in FILES], HERE, scratch / "profile")
    for name in FILES:
        print(f"{HERE / name}: {(HERE / name).stat().st_size:,} bytes, saved by LibreOffice")


if __name__ == "__main__":
    main()
