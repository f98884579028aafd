"""The printable notice (HTML and PDF) with the office's 受理 details, objection receipts and checked contacts."""

import re

import pytest
from django.contrib.messages import get_messages

from workflows.models import Objection, PublicityOffice
from workflows.publicity import office

from .test_publicity_public_pages import objection_form, objection_url
from .test_publicity_services import MONDAY, at, open_notice, passed


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


@pytest.fixture
def notice(cast, officer):
    return open_notice(officer, passed(**cast))


@pytest.fixture
def office_details(officer):
    return office.update_office_contact(
        officer=officer,
        name="某区人力社保局职业能力建设科",
        address="杭州市某区某路 1 号 302 室",
        phone="0571-88888888",
        email="pxk@example.cn",
        hours="工作日 9:00–17:00",
        how_to_object="以真实姓名书面提出，并留联系方式；匿名异议不予受理。",
    )


def test_the_notice_page_and_its_printable_page_show_the_office(client, notice, office_details):
    with at(MONDAY):
        for address in (f"/publicity/{notice.pk}/", f"/publicity/{notice.pk}/print/"):
            page = client.get(address).content.decode()
            assert "0571-88888888" in page and "匿名异议不予受理" in page and "某区人力社保局职业能力建设科" in page
        printable = client.get(f"/publicity/{notice.pk}/print/").content.decode()
    assert notice.entries.get().enrolment.trainee.name in printable
    assert f"/publicity/{notice.pk}/notice.pdf" in printable


def test_the_notice_pdf_holds_the_candidates_and_the_office_as_text(client, notice, office_details, tmp_path):
    import subprocess

    with at(MONDAY):
        response = client.get(f"/publicity/{notice.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    trainee = notice.entries.get().enrolment.trainee
    assert trainee.name in text and "0571-88888888" in text
    assert trainee.id_number not in text


def test_a_closed_or_unknown_notice_has_no_printable_page(client, notice):
    from django.utils import timezone

    type(notice).objects.filter(pk=notice.pk).update(closed_at=timezone.now())
    assert client.get(f"/publicity/{notice.pk}/print/").status_code == 404
    assert client.get(f"/publicity/{notice.pk}/notice.pdf").status_code == 404
    assert client.get("/publicity/999999/print/").status_code == 404


def test_the_office_edits_its_details(client, officer):
    client.force_login(officer)
    assert client.get("/officer/publicity/office/").status_code == 200
    response = client.post(
        "/officer/publicity/office/", {"name": "认定办公室", "phone": "0571-1", "email": "", "how_to_object": "书面"}
    )
    assert response.status_code == 302
    saved = PublicityOffice.objects.get()
    assert (saved.name, saved.phone, saved.updated_by) == ("认定办公室", "0571-1", officer)
    response = client.post("/officer/publicity/office/", {"name": "", "email": "not-an-address"})
    assert response.status_code == 400 and PublicityOffice.objects.get().name == "认定办公室"


def test_only_the_office_edits_its_details(client, inst1_staff, assessor, trainee_user):
    response = client.get("/officer/publicity/office/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (inst1_staff, assessor, trainee_user):
        client.force_login(person)
        assert client.get("/officer/publicity/office/").status_code == 403
        assert client.post("/officer/publicity/office/", {"name": "x"}).status_code == 403
    assert not PublicityOffice.objects.exists()


def test_an_objection_gets_a_receipt_number_shown_to_the_objector_and_to_the_office(client, officer, notice):
    entry = notice.entries.get()
    with at(MONDAY):
        response = client.post(objection_url(entry), objection_form(contact="+86 139-0000-0000"))
    objection = Objection.objects.get()
    assert re.fullmatch(r"\d{8}-[2-9A-HJ-NP-Z]{6}", objection.receipt_number)
    assert objection.contact == "13900000000"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(objection.receipt_number in m for m in shown)
    client.force_login(officer)
    page = client.get("/officer/publicity/objections/").content.decode()
    assert objection.receipt_number in page
    assert ">Objector<" in page and ">By<" not in page


@pytest.mark.parametrize("contact", ["139", "12345678901", "call me", "a@b", "010-12345678"])
def test_an_objection_with_a_contact_that_reaches_nobody_is_refused(client, notice, contact):
    entry = notice.entries.get()
    with at(MONDAY):
        response = client.post(objection_url(entry), objection_form(contact=contact))
    assert response.status_code == 400
    assert "mainland mobile number" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_e_mail_address_is_a_contact_too(client, notice):
    with at(MONDAY):
        client.post(objection_url(notice.entries.get()), objection_form(contact="zhang@example.cn"))
    assert Objection.objects.get().contact == "zhang@example.cn"
