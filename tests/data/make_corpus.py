"""Make the corpus of bad (and good) exchange files the tests read (docs/spec.md §7, issue 6).

    python tests/data/make_corpus.py          # the small files, into tests/data/corpus/ (committed)
    python tests/data/make_corpus.py --big    # also the 1,000,000-row and 50 MB files, into tests/data/big/

The big files are not committed (tests/data/.gitignore): the tests make them in a temporary folder
with the functions below. Every file is built from the constants here, which the test fixtures use
to set up the matching database (batch names, ID numbers).
"""

import argparse
import io
import random
import struct
import sys
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from certification.identity import resident_id_check_character  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
BIG = HERE / "big"

PM_BATCH = "2025春季制版班"
CR_BATCH = "2025春季工艺班"
OTHER_BATCH = "宁波制版班"  # institution 2's


def resident_id(birth: str, serial: int) -> str:
    first17 = f"330106{birth}{serial:03d}"
    return first17 + resident_id_check_character(first17)


# New trainees (not in the database).
NEW_IDS = [resident_id("19900305", n) for n in range(101, 111)]
# Registered by institution 2: institution 1 cannot register them again.
INST2_ID = resident_id("19850712", 201)
# Institution 1's trainee, already enrolled (PM) in another batch: a second PM enrolment is refused.
ENROLLED_ELSEWHERE_ID = resident_id("19880101", 301)
# Institution 1's trainees enrolled in PM_BATCH and approved (module completions, exam results).
ENROLLED_IDS = [resident_id("19920615", n) for n in range(401, 404)]
ENROLLED_NAMES = ["李雪梅", "王建国", "赵丽"]
UNKNOWN_ID = resident_id("19930303", 501)
BAD_CHECKSUM_ID = NEW_IDS[0][:17] + ("0" if NEW_IDS[0][17] != "0" else "1")

ENROLMENT_HEADERS = ["姓名*", "证件类型", "证件号码*", "性别*", "出生日期*", "民族", "文化程度*", "手机号码*",
                     "工作单位", "从业年限", "通讯地址", "培训班次*", "方向"]
ENROLMENT_KEYS = ["name", "id_type", "id_number", "gender", "birth_date", "ethnicity", "education", "phone",
                  "employer", "years_in_trade", "address", "batch", "track"]
COMPLETION_HEADERS = ["姓名", "证件类型", "证件号码*", "培训班次*", "课程模块*", "学时*", "模块成绩"]
COMPLETION_KEYS = ["name", "id_type", "id_number", "batch", "module", "hours", "score"]
RESULT_HEADERS = ["姓名", "证件类型", "证件号码*", "培训班次*", "理论成绩", "实操成绩", "考试日期"]
RESULT_KEYS = ["name", "id_type", "id_number", "batch", "theory_score", "practical_score", "exam_date"]


def person(id_number: str, name: str = "张晓明", birth=date(1990, 3, 5), batch: str = PM_BATCH, **changes) -> list:
    row = {"name": name, "id_type": "居民身份证", "id_number": id_number, "gender": "男", "birth_date": birth,
           "ethnicity": "汉族", "education": "高中/中专", "phone": "13800000000", "employer": "杭州某服饰有限公司",
           "years_in_trade": 8, "address": "杭州市西湖区文三路100号", "batch": batch, "track": "服装制版"}
    row.update(changes)
    return [row[key] for key in ENROLMENT_KEYS]


def workbook(headers: list, keys: list | None, rows: list[list]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(headers)
    if keys:
        sheet.append(keys)
    for row in rows:
        sheet.append(row)
    return book


def save(book: Workbook, path: Path) -> None:
    book.save(path)


def enrolments(rows: list[list], headers=ENROLMENT_HEADERS, keys=ENROLMENT_KEYS) -> Workbook:
    return workbook(headers, keys, rows)


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ── files made by hand: zips and OLE containers ────────────────────────────────────────────────

MINIMAL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
SHEET_START = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_rows_xml() -> str:
    from openpyxl.utils import get_column_letter

    rows = []
    for number, values in ((1, ENROLMENT_HEADERS), (2, ENROLMENT_KEYS)):
        cells = "".join(_inline(f"{get_column_letter(i)}{number}", v) for i, v in enumerate(values, start=1))
        rows.append(f'<row r="{number}">{cells}</row>')
    return "".join(rows)


def write_many_rows(path: Path, rows: int = 1_000_000, *, dimension: bool = False) -> None:
    """An enrolment sheet of `rows` data rows, written as XML directly (openpyxl would take minutes).

    Each row has a name and a batch only, so that a reader that does not stop at the limit would
    still spend little on each row; with `dimension`, the sheet declares its size as Excel does.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in MINIMAL_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = SHEET_START
            if dimension:
                head += f'<dimension ref="A1:L{rows + 2}"/>'
            sheet.write((head + "<sheetData>" + _header_rows_xml()).encode())
            buffer = []
            for number in range(3, rows + 3):
                buffer.append(f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>学员{number}</t></is></c>'
                              f'<c r="L{number}" t="inlineStr"><is><t>{PM_BATCH}</t></is></c></row>')
                if len(buffer) == 10_000:
                    sheet.write("".join(buffer).encode())
                    buffer = []
            sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())


def hand_made_sheet(body: str, after_data: str = "") -> bytes:
    """A workbook built by hand: the template's header rows, `body` (rows as XML) and what Excel writes
    after the data (merged cells...). For the row numbers and references openpyxl would not write."""
    parts = dict(MINIMAL_PARTS)
    parts["xl/worksheets/sheet1.xml"] = (SHEET_START + "<sheetData>" + _header_rows_xml() + body + "</sheetData>"
                                         + after_data + "</worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def _person_row_xml(number: int, id_number: str) -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(_inline(f"{get_column_letter(i)}{number}", v) if isinstance(v, str)
                    else f'<c r="{get_column_letter(i)}{number}"><v>{v}</v></c>'
                    for i, v in enumerate(person(id_number, birth="1990-03-05"), start=1))
    return f'<row r="{number}">{cells}</row>'


def merge_beyond_limit() -> bytes:
    """2 KB: one row, and a merged range reaching down to row 900,000,000 (issue 10)."""
    return hand_made_sheet(_person_row_xml(3, NEW_IDS[0]),
                           '<mergeCells count="1"><mergeCell ref="A4:A900000000"/></mergeCells>')


def row_beyond_limit() -> bytes:
    """One row, numbered 20,000,000: an error report would pad the rows above it (issue 10)."""
    return hand_made_sheet(_person_row_xml(3, NEW_IDS[0]) + _person_row_xml(20_000_000, NEW_IDS[1]))


def write_zip_bomb(path: Path, unpacked_mb: int = 100) -> None:
    """A sheet that is mostly whitespace: 100 MB that deflate to about 100 KB (1000 : 1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in MINIMAL_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((SHEET_START + "<sheetData>" + _header_rows_xml()).encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def xml_bomb() -> bytes:
    """Shared strings with a "billion laughs" entity: ten levels of ten, a gigabyte once expanded."""
    entities = "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol0 "lol">{entities}]>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               "<si><t>&lol9;</t></si></sst>")
    parts = dict(MINIMAL_PARTS)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace("</Relationships>", (
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
    parts["xl/sharedStrings.xml"] = strings
    parts["xl/worksheets/sheet1.xml"] = (SHEET_START + "<sheetData>" + _header_rows_xml()
                                         + '<row r="3"><c r="A3" t="s"><v>0</v></c></row></sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def write_fifty_megabytes(path: Path, megabytes: int = 50) -> None:
    """A real workbook carrying a large incompressible picture: over the upload limit by size alone."""
    payload = random.Random(6).randbytes(megabytes * 1024 * 1024)
    with zipfile.ZipFile(io.BytesIO(to_bytes(enrolments([person(NEW_IDS[0])]))), "r") as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info.filename))
        archive.writestr(zipfile.ZipInfo("xl/media/image1.png"), payload, compress_type=zipfile.ZIP_STORED)


def with_extra_parts(book_bytes: bytes, extra: dict[str, bytes], content_types_replace=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_types_replace:
                data = data.replace(*content_types_replace)
            target.writestr(info.filename, data)
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (CFB v3, 512-byte sectors): what .xls and encrypted Office files are.

    Each stream is padded to 4096 bytes so that it lives in regular sectors (no mini stream).
    """
    sector = 512
    end_of_chain, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data, fat, starts = b"", [], []
    for content in streams.values():
        content = content.ljust(max(4096, -(-len(content) // sector) * sector), b"\0")
        first = len(fat)
        count = len(content) // sector
        fat += [first + i + 1 for i in range(count - 1)] + [end_of_chain]
        starts.append((first, len(content)))
        data += content
    directory_sector = len(fat)
    fat.append(end_of_chain)
    fat_location = len(fat)
    fat.append(fat_sector)
    fat += [free] * (sector // 4 - len(fat))

    def entry(name, kind, start, size, child=free, right=free):
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    names = list(streams)
    entries = entry("Root Entry", 5, end_of_chain, 0, child=1)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else free
        entries += entry(name, 2, starts[index][0], starts[index][1], right=right)
    entries = entries.ljust(sector, b"\0")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, directory_sector, 0, 4096, end_of_chain, 0,
                                        end_of_chain, 0)
              + struct.pack("<I", fat_location) + struct.pack("<I", free) * 108)
    return header + data + entries + struct.pack(f"<{sector // 4}I", *fat)


# ── photos ──────────────────────────────────────────────────────────────────────────────────────

def photo_bytes(image_format: str = "JPEG", size=(300, 400), colour=(200, 210, 230)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=image_format)
    return out.getvalue()


def photos_mixed() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"photos/{ENROLLED_IDS[0]}.jpg", photo_bytes("JPEG"))
        archive.writestr(f"photos/{ENROLLED_IDS[1].lower()}.PNG", photo_bytes("PNG"))
        archive.writestr(f"photos/{UNKNOWN_ID}.jpg", photo_bytes("JPEG"))
        archive.writestr(f"../../etc/{ENROLLED_IDS[2]}.jpg", photo_bytes("JPEG"))
        archive.writestr("photos/more.zip", with_extra_parts(to_bytes(Workbook()), {}))
        archive.writestr(f"photos/{ENROLLED_IDS[2]}.jpg", b"this is not a picture at all")
        archive.writestr(f"photos/{ENROLLED_IDS[0]}.png", photo_bytes("PNG"))
        archive.writestr(f"{INST2_ID}.jpg", photo_bytes("JPEG"))
        archive.writestr(f"{ENROLLED_ELSEWHERE_ID}.jpeg", photo_bytes("JPEG", size=(40, 50)))
        archive.writestr("photos/", b"")
        archive.writestr(f"__MACOSX/photos/._{ENROLLED_IDS[0]}.jpg", b"\0\5\26\7")
    return out.getvalue()


# ── the corpus ──────────────────────────────────────────────────────────────────────────────────

def corpus_files() -> dict[str, bytes]:
    """File name → content of every small corpus file."""
    ids = NEW_IDS
    files = {}

    def book(name, value):
        files[name] = to_bytes(value) if isinstance(value, Workbook) else value

    book("enrolments_valid.xlsx", enrolments([person(ids[0], "张晓明"), person(ids[1], "李红"), person(ids[2], "王芳")]))
    book("enrolments_wrong_headers.xlsx", enrolments([person(ids[0])], headers=["名字"] + ENROLMENT_HEADERS[1:], keys=None))
    book("enrolments_missing_headers.xlsx", workbook(person(ids[0]), None, [person(ids[1])]))
    book("enrolments_missing_column.xlsx", enrolments(
        [person(ids[0])[:2] + person(ids[0])[3:]],
        headers=ENROLMENT_HEADERS[:2] + ENROLMENT_HEADERS[3:], keys=ENROLMENT_KEYS[:2] + ENROLMENT_KEYS[3:]))
    book("enrolments_shifted_columns.xlsx", enrolments([person(ids[0]), [None] + person(ids[1])]))

    merged = enrolments([person(ids[0]), person(ids[1])])
    merged.active.merge_cells("L3:L4")
    book("enrolments_merged_cells.xlsx", merged)

    book("enrolments_formulas.xlsx", enrolments([person(ids[0], phone='="138"&"00000000"')]))
    book("enrolments_dates_as_text.xlsx", enrolments([
        person(ids[0], birth="1990-03-05"), person(ids[1], birth="1990/3/5"), person(ids[2], birth="19900305")]))
    book("enrolments_dates_as_serials.xlsx", enrolments([person(ids[0], birth=32937), person(ids[1], birth=32937.0)]))
    book("enrolments_dates_chinese.xlsx", enrolments([
        person(ids[0], birth="1990年3月5日"), person(ids[1], birth="１９９０年３月５日")]))
    book("enrolments_dates_unreadable.xlsx", enrolments([
        person(ids[0], birth="05/03/1990"), person(ids[1], birth="1990-02-30")]))
    book("enrolments_fullwidth.xlsx", enrolments([
        person(ids[0].translate(str.maketrans("0123456789", "０１２３４５６７８９")), name="王　五",
               phone="１３８ ０００ ０００００")]))
    book("enrolments_id_as_number.xlsx", enrolments([person(int(ids[0][:15]) * 1000)]))
    book("enrolments_bad_checksum.xlsx", enrolments([person(BAD_CHECKSUM_ID)]))
    book("enrolments_duplicates_in_file.xlsx", enrolments([person(ids[0]), person(ids[0], "张晓明")]))
    book("enrolments_duplicates_in_db.xlsx", enrolments([person(INST2_ID, "陈静"), person(ENROLLED_ELSEWHERE_ID, "周杰")]))
    book("enrolments_other_institution_batch.xlsx", enrolments([person(ids[0], batch=OTHER_BATCH)]))
    empty = enrolments([person(ids[0]), [], [], person(ids[1])])
    book("enrolments_empty_rows.xlsx", empty)
    book("enrolments_no_rows.xlsx", enrolments([]))
    book("enrolments_as_completions.xlsx", workbook(COMPLETION_HEADERS, COMPLETION_KEYS, [
        ["李雪梅", "居民身份证", ENROLLED_IDS[0], PM_BATCH, "版样制作", 60, 85]]))

    valid = to_bytes(enrolments([person(ids[0])]))
    book("enrolments_macros.xlsm", with_extra_parts(valid, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 Attribute VB_Name"},
                                                     (b"sheet.main+xml", b"sheet.macroEnabled.main+xml")))
    book("enrolments_csv_renamed.xlsx", ",".join(ENROLMENT_HEADERS).encode("utf-8") + b"\r\n"
         + ",".join(str(v) for v in person(ids[0])).encode("utf-8") + b"\r\n")
    book("enrolments_xls_renamed.xlsx", ole_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"}))
    book("enrolments_password.xlsx", ole_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                                               "EncryptedPackage": random.Random(1).randbytes(6000)}))
    book("enrolments_not_a_workbook.xlsx", photo_bytes("PNG", size=(20, 20)))
    book("enrolments_damaged.xlsx", valid[: len(valid) // 2])
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    book("enrolments_ods_renamed.xlsx", ods.getvalue())

    names = ENROLLED_NAMES
    book("completions_valid.xlsx", workbook(COMPLETION_HEADERS, COMPLETION_KEYS, [
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, "版样制作", 60, 85],
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, "3D建模", 40, None],
        [names[1], "", ENROLLED_IDS[1], PM_BATCH, "Fabric science", 24.5, 90]]))
    book("completions_unknown_module.xlsx", workbook(COMPLETION_HEADERS, COMPLETION_KEYS, [
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, "立体裁剪", 60, 85]]))
    book("completions_hours_out_of_range.xlsx", workbook(COMPLETION_HEADERS, COMPLETION_KEYS, [
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, "版样制作", 2500, 85],
        [names[1], "居民身份证", ENROLLED_IDS[1], PM_BATCH, "版样制作", -5, 85],
        [names[2], "居民身份证", ENROLLED_IDS[2], PM_BATCH, "版样制作", 60, 101]]))
    book("results_valid.xlsx", workbook(RESULT_HEADERS, RESULT_KEYS, [
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, 78, 82, date(2025, 6, 20)],
        [names[1], "居民身份证", ENROLLED_IDS[1], PM_BATCH, 65.5, 70, "2025年6月20日"]]))
    book("results_scores_out_of_range.xlsx", workbook(RESULT_HEADERS, RESULT_KEYS, [
        [names[0], "居民身份证", ENROLLED_IDS[0], PM_BATCH, 105, 82, date(2025, 6, 20)],
        [names[1], "居民身份证", ENROLLED_IDS[1], PM_BATCH, 78, 82.25, date(2025, 6, 20)]]))

    bomb = io.BytesIO()
    write_zip_bomb(bomb)
    book("enrolments_zip_bomb.xlsx", bomb.getvalue())
    book("enrolments_xml_bomb.xlsx", xml_bomb())
    book("enrolments_merge_beyond_limit.xlsx", merge_beyond_limit())
    book("enrolments_row_beyond_limit.xlsx", row_beyond_limit())
    book("photos_mixed.zip", photos_mixed())
    book("photos_not_a_zip.zip", files["enrolments_csv_renamed.xlsx"])
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also write the 1,000,000-row and 50 MB files")
    arguments = parser.parse_args()
    CORPUS.mkdir(exist_ok=True)
    for name, content in corpus_files().items():
        (CORPUS / name).write_bytes(content)
    print(f"{len(list(CORPUS.iterdir()))} files in {CORPUS}")
    if arguments.big:
        BIG.mkdir(exist_ok=True)
        write_many_rows(BIG / "enrolments_million_rows.xlsx")
        write_fifty_megabytes(BIG / "enrolments_50mb.xlsx")
        print(f"big files in {BIG}")


if __name__ == "__main__":
    main()
