"""The bulk verification page (docs/spec.md §11): an xlsx or CSV of numbers in, an xlsx of statuses
out, masked facts only, every lookup logged; a file that is too large is refused with nothing logged."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from certificates.models import VerificationChannel, VerificationLog
from certification.identity import mask_name

URL = reverse("integrations:bulk_verify")
UNKNOWN_NUMBER = "Y000133000101264999999"


def xlsx_upload(rows, name="numbers.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def csv_upload(lines, name="numbers.csv") -> SimpleUploadedFile:
    text = "\r\n".join(",".join(cells) for cells in lines) + "\r\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def statuses_in(response) -> list[dict]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, row)) for row in rows[1:]]


def the_rows(certificates):
    return [
        ["证书编号", "姓名"],
        [certificates.valid.number, certificates.valid.holder_name],
        [certificates.revoked.number],
        [certificates.superseded.number],
        [UNKNOWN_NUMBER],
        [certificates.replacement.number, "王大锤"],
    ]


@pytest.mark.parametrize("make_upload", [xlsx_upload, csv_upload], ids=["xlsx", "csv with BOM"])
def test_an_employer_gets_each_status_with_masked_facts_only(client, employer, certificates, make_upload):
    client.force_login(employer)
    rows = the_rows(certificates)

    response = client.post(URL, {"file": make_upload(rows)})

    assert response.status_code == 200
    results = statuses_in(response)
    assert [r["Status"] for r in results] == ["valid", "revoked", "superseded", "unknown", "name does not match"]
    assert [r["Certificate number"] for r in results][:4] == [row[0] for row in rows[1:5]]
    valid = results[0]
    assert valid["Holder (masked)"] == mask_name(certificates.valid.holder_name)
    assert valid["ID number (masked)"] == certificates.valid.holder_id_number_masked
    assert results[2]["Superseded by"] == certificates.replacement.number
    assert results[1]["Revoked on"]
    # A name that does not match learns nothing about the certificate.
    assert results[4]["Holder (masked)"] in (None, "") and results[4]["ID number (masked)"] in (None, "")
    # The full name comes back only where the employer gave it; the full ID number never.
    assert all(r["Holder (masked)"] != certificates.valid.holder_name for r in results)
    assert certificates.valid.enrolment.trainee.id_number not in repr(results)


def test_every_lookup_is_in_the_verification_log(client, employer, certificates):
    client.force_login(employer)

    client.post(URL, {"file": csv_upload(the_rows(certificates))})

    logged = list(VerificationLog.objects.filter(channel=VerificationChannel.BULK).order_by("pk"))
    assert [row.query for row in logged] == [
        certificates.valid.number,
        certificates.revoked.number,
        certificates.superseded.number,
        UNKNOWN_NUMBER,
        certificates.replacement.number,
    ]
    assert [row.found for row in logged] == [True, True, True, False, True]


def test_a_file_over_the_limit_is_refused_with_a_clear_message_and_nothing_logged(client, employer, settings):
    settings.BULK_VERIFY_MAX_NUMBERS = 5
    client.force_login(employer)
    rows = [[f"Y0001330001012640{n:05d}"] for n in range(6)]

    response = client.post(URL, {"file": xlsx_upload(rows)})

    assert response.status_code == 413
    assert "at most 5 certificate numbers" in response.content.decode()
    assert not VerificationLog.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(client, employer, settings):
    settings.BULK_VERIFY_MAX_FILE_BYTES = 100
    client.force_login(employer)

    response = client.post(URL, {"file": csv_upload([["Y000133000101264000001"]] * 20)})

    assert response.status_code == 413
    assert "may be at most 100" in response.content.decode()
    assert not VerificationLog.objects.exists()


def test_a_formula_is_never_read(client, employer):
    client.force_login(employer)

    response = client.post(URL, {"file": xlsx_upload([["证书编号"], ['=HYPERLINK("http://x","Y0001")']])})

    assert response.status_code == 400
    assert "formulas are never read" in response.content.decode()
    assert not VerificationLog.objects.exists()


def test_a_file_that_is_no_spreadsheet_is_refused(client, employer):
    client.force_login(employer)
    upload = SimpleUploadedFile("numbers.xlsx", b"\x00\x01\x02 not a workbook", content_type="application/octet-stream")

    response = client.post(URL, {"file": upload})

    assert response.status_code in (400, 415)
    assert not VerificationLog.objects.exists()


def test_the_office_may_verify_in_bulk_too(client, officer, certificates):
    client.force_login(officer)

    response = client.post(URL, {"file": csv_upload([[certificates.valid.number]])})

    assert [r["Status"] for r in statuses_in(response)] == ["valid"]


def test_calls_are_rate_limited_per_account(client, employer, employer2, certificates, settings):
    settings.BULK_VERIFY_RATE_LIMIT = 1
    client.force_login(employer)
    assert client.post(URL, {"file": csv_upload([[certificates.valid.number]])}).status_code == 200

    refused = client.post(URL, {"file": csv_upload([[certificates.valid.number]])})

    assert refused.status_code == 429
    client.force_login(employer2)
    assert client.post(URL, {"file": csv_upload([[certificates.valid.number]])}).status_code == 200


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["inst1_staff", "assessor"])
def test_other_roles_are_refused(client, who, request, certificates):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": csv_upload([[certificates.valid.number]])}).status_code == 403
    assert not VerificationLog.objects.exists()


def test_the_page_shows_the_form(client, employer):
    client.force_login(employer)

    response = client.get(URL)

    assert response.status_code == 200 and 'type="file"' in response.content.decode()
