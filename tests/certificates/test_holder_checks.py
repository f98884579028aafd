"""The holder's verification log (docs/spec.md §12): every check of their certificates, when and
through which channel, and never who checked (no address, no agent)."""

import contextlib
import io
import re

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import qr, verification
from certificates.models import VerificationChannel, VerificationLog

from .. import factories

URL = reverse("certificates:my_checks")
CHECKER = {"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "GateScanner/9.9"}
IP_ADDRESS = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")


def check_through_every_channel(client, certificate, tmp_path):
    client.get(reverse("certificates:verify", args=[certificate.number]), **CHECKER)
    client.get(reverse("certificates:verify_json", args=[certificate.number]), **CHECKER)
    client.get(
        reverse("certificates:verify_qr", args=[certificate.number, qr.token_for(certificate.number)]), **CHECKER
    )
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate.pdf.open("rb").read())
    # A test PDF is not signed for real: the command exits non-zero, and logs the check all the same.
    with contextlib.suppress(SystemExit):
        call_command("verify_pdf", str(pdf), stdout=io.StringIO())
    verification.record_check(certificate, VerificationChannel.CREDENTIAL)
    verification.record_check(certificate, VerificationChannel.BULK)


def test_the_holder_sees_every_check_with_when_and_how(client, issued, tmp_path):
    check_through_every_channel(client, issued, tmp_path)
    client.force_login(issued.enrolment.trainee.user)

    response = client.get(URL)

    assert response.status_code == 200
    channels = {check["channel"] for check in response.context["page_obj"]}
    assert channels == {"page", "json", "qr", "pdf", "credential", "bulk"}
    body = response.content.decode()
    assert issued.number in body
    assert 'data-channel="qr"' in body


def test_the_holder_never_sees_the_checkers_address_or_agent(client, issued, tmp_path):
    check_through_every_channel(client, issued, tmp_path)
    assert VerificationLog.objects.filter(ip_address="203.0.113.77").exists()  # the office keeps it
    client.force_login(issued.enrolment.trainee.user)

    response = client.get(URL)
    body = response.content.decode()

    assert "203.0.113.77" not in body and "GateScanner" not in body
    assert not IP_ADDRESS.search(response.content.decode().split("<main", 1)[1])
    assert all(
        set(check) == {"created_at", "channel", "certificate__number", "channel_label"}
        for check in response.context["page_obj"]
    )


def test_a_name_and_id_query_that_found_the_certificate_counts_as_a_query(client, issued):
    client.post(
        reverse("certificates:verify_query"),
        {"name": issued.holder_name, "id_number": issued.enrolment.trainee.id_number},
    )
    client.post(reverse("certificates:verify_query"), {"name": "李四", "id_number": "330106199001011234"})
    client.force_login(issued.enrolment.trainee.user)

    assert [c["channel"] for c in client.get(URL).context["page_obj"]] == ["query"]
    assert VerificationLog.objects.filter(channel="query", certificate=None, found=False).count() == 1


def test_another_trainee_sees_none_of_these_checks(client, issued, inst2_certificate):
    client.get(reverse("certificates:verify", args=[issued.number]))
    client.force_login(inst2_certificate.enrolment.trainee.user)

    response = client.get(URL)

    assert response.status_code == 200
    assert issued.number not in response.content.decode()
    assert list(response.context["page_obj"]) == []


def test_anonymous_is_sent_to_log_in_and_staff_and_officers_are_refused(client, issued, inst1_staff, officer):
    client.get(reverse("certificates:verify", args=[issued.number]))

    assert client.get(URL).status_code == 302
    for person in (inst1_staff, officer):
        client.force_login(person)
        assert client.get(URL).status_code == 403


def test_the_query_count_does_not_grow_with_checks(client, issued):
    client.force_login(issued.enrolment.trainee.user)
    verification.record_check(issued, VerificationChannel.BULK)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(20):
        verification.record_check(issued, VerificationChannel.CREDENTIAL)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(few)


def test_record_check_is_one_row_found_with_the_number(issued):
    verification.record_check(issued, VerificationChannel.CREDENTIAL)

    row = VerificationLog.objects.get()
    assert (row.channel, row.certificate_id, row.found, row.query) == ("credential", issued.pk, True, issued.number)


def test_my_certificates_links_to_the_checks_and_the_share_links(client, issued):
    client.force_login(issued.enrolment.trainee.user)

    body = client.get(reverse("certificates:mine")).content.decode()

    assert URL in body and reverse("certificates:share_links", args=[issued.pk]) in body


def test_a_trainee_with_two_certificates_sees_the_checks_of_both(client, issued, inst1_staff, officer, assessor):
    from certificates import services

    second_enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "NM", trainee_obj=issued.enrolment.trainee),
        staff=inst1_staff,
        officer=officer,
        assessor=assessor,
        to="ready_to_issue",
    )
    second = services.issue_certificate(officer=officer, enrolment_id=second_enrolment.pk)
    verification.record_check(issued, VerificationChannel.BULK)
    verification.record_check(second, VerificationChannel.BULK)
    client.force_login(issued.enrolment.trainee.user)

    numbers = {c["certificate__number"] for c in client.get(URL).context["page_obj"]}

    assert numbers == {issued.number, second.number}
