"""A trainee's own certificates, with their download links."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services

from .. import factories

URL = reverse("certificates:mine")


def test_a_trainee_sees_their_certificate_and_its_download(client, issued):
    client.force_login(issued.enrolment.trainee.user)

    body = client.get(URL).content.decode()

    assert issued.number in body
    assert reverse("certificates:download", args=[issued.pk]) in body


def test_a_trainee_sees_nobody_elses(client, issued, inst2_certificate):
    client.force_login(issued.enrolment.trainee.user)

    assert inst2_certificate.number not in client.get(URL).content.decode()


def test_anonymous_is_sent_to_log_in_and_staff_are_refused(client, issued, inst1_staff):
    assert client.get(URL).status_code == 302
    client.force_login(inst1_staff)
    assert client.get(URL).status_code == 403


def test_the_query_count_does_not_grow_with_certificates(client, issued, officer, inst1_staff, assessor):
    trainee = issued.enrolment.trainee
    client.force_login(trainee.user)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    second = factories.draft_enrolment(inst1_staff, "NM", trainee_obj=trainee)
    factories.advance(second, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")
    services.issue_certificate(officer=officer, enrolment_id=second.pk)
    with CaptureQueriesContext(connection) as two:
        body = client.get(URL).content.decode()

    assert body.count("badge-valid") == 2
    assert len(two) == len(one)
