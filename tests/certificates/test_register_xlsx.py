"""The certificate register as xlsx: the officer's whole register or an institution's own, with no
cell that Excel would run as a formula."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certificates import services, xlsx
from certification.models import Role

from .. import factories

URL = reverse("certificates:register_xlsx")


def rows_of(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(cell.value for cell in row) for row in workbook.active.iter_rows()]


def test_an_officer_downloads_the_whole_register(client, officer, issued, inst2_certificate):
    client.force_login(officer)

    response = client.get(URL)
    rows = rows_of(response)

    assert response["Content-Disposition"].startswith('attachment; filename="certificate-register-')
    assert rows[0][:3] == ("证书编号", "状态", "姓名") and rows[1][:3] == ("number", "status", "name")
    assert {row[0] for row in rows[2:]} == {issued.number, inst2_certificate.number}
    assert issued.enrolment.trainee.id_number in [row[4] for row in rows]


def test_an_institution_downloads_only_its_own(client, inst1_staff, issued, inst2_certificate):
    client.force_login(inst1_staff)

    assert [row[0] for row in rows_of(client.get(URL))[2:]] == [issued.number]


def test_text_that_looks_like_a_formula_is_written_as_text(client, officer, inst1_staff, assessor, fast_rendering):
    trainee = factories.trainee(inst1_staff.institution, name='=HYPERLINK("http://x")')
    enrolment = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    factories.advance(enrolment, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")
    services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)
    client.force_login(officer)

    rows = rows_of(client.get(URL))

    assert rows[2][2] == '\'=HYPERLINK("http://x")'


def test_anonymous_is_sent_to_log_in(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.ASSESSOR])
def test_other_roles_are_refused(client, db, role):
    client.force_login(factories.user(f"someone-{role}", role))

    assert client.get(URL).status_code == 403


def test_the_workbook_stores_neutralised_text_as_strings():
    output = xlsx.workbook_file(title="t", headers=[("名", "name")], rows=[["=1+1"]])

    cell = load_workbook(output).active["A3"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")
