"""The content check of evidence uploads: by content, not by name (certification.evidence.identify).

The corpus builders here make real files in memory; the view and service tests import them.
"""

import io
import json
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from certification import evidence
from certification.models import EvidenceKind


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(output, format="PNG")
    return output.getvalue()


def jpeg_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


def pdf_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(output, format="PDF")
    return output.getvalue()


def obj_bytes() -> bytes:
    return b"# coat front\nmtllib coat.mtl\no front\nv 0 0 0\nv 1 0 0\nv 1 1 0\nvn 0 0 1\nusemtl cloth\ns off\nf 1//1 2//1 3//1\n"


def binary_stl_bytes(triangles: int = 2) -> bytes:
    header = b"solid-looking header of a binary STL".ljust(80, b" ")
    facet = struct.pack("<12fH", *([0.0] * 12), 0)
    return header + struct.pack("<I", triangles) + facet * triangles


def glb_bytes() -> bytes:
    document = json.dumps({"asset": {"version": "2.0"}, "scenes": [{"nodes": []}]}).encode()
    document += b" " * (-len(document) % 4)
    chunk = struct.pack("<I", len(document)) + b"JSON" + document
    return b"glTF" + struct.pack("<II", 2, 12 + len(chunk)) + chunk


def clo_project_bytes() -> bytes:
    """CLO 3D project and garment files (.zprj, .zpac) are zip archives of the project's parts."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("coat.pac", b"\x00\x01CLO pattern data" * 20)
        archive.writestr("fabric/cotton.jpg", jpeg_bytes())
    return output.getvalue()


def pdf_with(active: bytes) -> bytes:
    """A small PDF whose catalog carries `active` (an action, a script...)."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + active + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


VALID = {
    "photo.png": (png_bytes, "png"),
    "photo.jpg": (jpeg_bytes, "jpg"),
    "report.pdf": (pdf_bytes, "pdf"),
    "coat.obj": (obj_bytes, "obj"),
    "coat.stl": (binary_stl_bytes, "stl"),
    "coat.glb": (glb_bytes, "glb"),
}

# name, content, words the refusal must contain
REJECTED = {
    "text_named_png": ("photo.png", b"just some notes, not a picture\n", "not an accepted type"),
    "exe_named_obj": ("coat.obj", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "program"),
    "html_named_pdf": ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "web page"),
    "empty": ("coat.obj", b"", "empty"),
}


@pytest.mark.parametrize("name", VALID)
def test_it_recognises_real_files_by_content(name):
    build, code = VALID[name]
    assert evidence.identify(upload(name, build())).code == code


@pytest.mark.parametrize("case", REJECTED)
def test_it_refuses_files_whose_content_is_not_what_the_name_says(case):
    name, content, words = REJECTED[case]
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload(name, content))
    assert words in refused.value.messages[0]


def test_a_png_named_jpg_is_still_recognised_as_png():
    assert evidence.identify(upload("photo.jpg", png_bytes())).code == "png"


@override_settings(EVIDENCE_MAX_BYTES=1024 * 1024)
def test_it_refuses_an_oversize_file_with_the_limit_in_mb():
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload("coat.stl", binary_stl_bytes(21000)))
    assert "at most 1 MB" in refused.value.messages[0]


def test_an_ascii_stl_is_accepted_and_a_truncated_binary_one_is_not():
    ascii_stl = b"solid coat\n facet normal 0 0 1\n  outer loop\n  endloop\n endfacet\nendsolid coat\n"
    assert evidence.identify(upload("coat.stl", ascii_stl)).code == "stl"
    with pytest.raises(ValidationError):
        evidence.identify(upload("coat.stl", binary_stl_bytes(3)[:-7]))


def test_an_obj_with_foreign_lines_is_refused():
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload("coat.obj", b"v 0 0 0\nimport os\nos.system('rm -rf /')\n"))
    assert ".obj" in refused.value.messages[0]


def test_gltf_dxf_fbx_and_clo_files_are_checked_for_their_own_shape():
    assert evidence.identify(upload("coat.gltf", b'{"asset": {"version": "2.0"}}')).code == "gltf"
    assert evidence.identify(upload("coat.dxf", b"  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n")).code == "dxf"
    assert evidence.identify(upload("coat.fbx", b"Kaydara FBX Binary  \x00\x1a\x00" + b"\x00" * 40)).code == "fbx"
    assert evidence.identify(upload("coat.zprj", clo_project_bytes())).code == "zprj"
    assert evidence.identify(upload("coat.zpac", clo_project_bytes())).code == "zpac"
    with pytest.raises(ValidationError):
        evidence.identify(upload("coat.gltf", b'{"scenes": []}'))
    with pytest.raises(ValidationError):
        evidence.identify(upload("coat.glb", b"glTF" + struct.pack("<II", 2, 999) + b"\x00" * 8))


@pytest.mark.parametrize(
    "start",
    [
        b"\x7fELF\x02\x01",
        b"#!/bin/sh\nrm -rf /\n",
        b"  <script>alert(1)</script>",
        b"\xef\xbb\xbf<svg onload=alert(1)>",
        b"<HTML><body>",
    ],
)
def test_a_clo_project_that_starts_like_a_program_or_page_is_refused(start):
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload("coat.zprj", start + b"\x00" * 64))
    assert refused.value.code == "evidence_program"


def test_a_3d_model_must_be_a_3d_file_or_a_pdf_export():
    assert evidence.validate_evidence_upload(upload("coat.obj", obj_bytes()), kinds=[EvidenceKind.MODEL_3D]).is_3d
    assert evidence.validate_evidence_upload(upload("export.pdf", pdf_bytes()), kinds=[EvidenceKind.MODEL_3D])
    with pytest.raises(ValidationError) as refused:
        evidence.validate_evidence_upload(upload("photo.png", png_bytes()), kinds=[EvidenceKind.MODEL_3D])
    assert "PNG" in refused.value.messages[0] and "OBJ" in refused.value.messages[0]


def test_a_photo_must_be_an_image():
    with pytest.raises(ValidationError):
        evidence.validate_evidence_upload(upload("coat.obj", obj_bytes()), kinds=[EvidenceKind.PHOTO])


def test_the_form_field_validator_accepts_any_kind_by_default():
    validate = evidence.evidence_upload_validator()
    validate(upload("coat.obj", obj_bytes()))
    validate(upload("photo.png", png_bytes()))
    with pytest.raises(ValidationError):
        validate(upload("photo.png", b"not a picture"))


@pytest.mark.parametrize(
    "raw, code, shown",
    [
        ("C:\\Users\\li\\Desktop\\外套.obj", "obj", "外套.obj"),
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("coat\u202egpj.exe.obj", "obj", "coatgpj.exe.obj"),
        ("line\nbreak\x00.pdf", "pdf", "linebreak.pdf"),
        ("...", "obj", "evidence.obj"),
    ],
)
def test_the_display_name_keeps_no_folders_or_control_characters(raw, code, shown):
    assert evidence.display_name(raw, evidence.FORMATS[code]) == shown


@pytest.mark.parametrize(
    "raw, content, shown",
    [
        ("report.pdf\x00.html", pdf_bytes, "report.pdf.html.pdf"),
        ("report\x00.html", pdf_bytes, "report.html.pdf"),
        ("photo.html\x00", png_bytes, "photo.html.png"),
        ("photo.jpeg", jpeg_bytes, "photo.jpeg"),
        ("photo.JPG", jpeg_bytes, "photo.JPG"),
    ],
)
def test_a_name_with_a_nul_byte_never_keeps_an_extension_other_than_the_format_found(raw, content, shown):
    file = upload("x", content())
    file.name = raw  # as a multipart parser may hand it over, NUL byte included
    found = evidence.identify(file)
    assert evidence.display_name(raw, found) == shown


def test_control_characters_are_taken_out_before_the_extension_is_read():
    file = upload("x", clo_project_bytes())
    file.name = "coat.zp\x00rj"
    assert evidence.identify(file).code == "zprj"
    file.name = "coat.zprj\x00.html"
    with pytest.raises(ValidationError):
        evidence.identify(file)


@pytest.mark.parametrize("name", ["coat.zprj", "coat.zpac"])
@pytest.mark.parametrize(
    "content",
    [
        b"<p>hello</p><img src=x onerror=alert(document.cookie)>" + b" " * 64,
        b"PK\x03\x04" + b"\x01" * 100,  # a zip signature in front of nothing readable
        b"\x00\x01\x02 opaque bytes that are no archive" * 10,
    ],
    ids=["html", "zip_magic_only", "random_bytes"],
)
def test_a_clo_project_must_be_a_readable_zip_archive(name, content):
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload(name, content))
    assert refused.value.code == "evidence_not_3d"


@pytest.mark.parametrize(
    "active",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction 3 0 R",
        b"/Names << /JavaScript 4 0 R >>",
        b"/AA << /O 5 0 R >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",  # names may hide behind #hex escapes
    ],
)
def test_a_pdf_with_active_content_is_refused(active):
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload("report.pdf", pdf_with(active)))
    assert refused.value.code == "evidence_pdf_active"
    assert "runs actions or scripts" in refused.value.messages[0]


def test_a_script_hidden_in_a_compressed_object_stream_is_refused():
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    content = pdf_with(b"/OpenAction [2 0 R /Fit]") + (
        b"3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n"
    )
    with pytest.raises(ValidationError) as refused:
        evidence.identify(upload("report.pdf", content))
    assert refused.value.code == "evidence_pdf_active"


def test_a_pdf_opening_on_a_page_is_accepted():
    assert evidence.identify(upload("report.pdf", pdf_with(b"/OpenAction [2 0 R /Fit]"))).code == "pdf"


def test_a_very_long_name_is_cut_but_keeps_its_extension():
    shown = evidence.display_name("长" * 400 + ".obj", evidence.FORMATS["obj"])
    assert len(shown) == 255 and shown.endswith(".obj")


def test_content_types_come_from_the_checked_format():
    assert evidence.content_type_of("evidence/attempts/2026/11/ab12.pdf") == "application/pdf"
    assert evidence.content_type_of("evidence/attempts/2026/11/ab12.jpg") == "image/jpeg"
    assert evidence.content_type_of("evidence/attempts/2026/11/ab12.glb") == "application/octet-stream"
    assert evidence.content_type_of("evidence/attempts/2026/11/ab12.html") == "application/octet-stream"
