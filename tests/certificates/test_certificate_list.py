"""The certificate register page: officers see every certificate, institutions their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services
from certification.models import Role

from .. import factories
from .conftest import ready_enrolments

URL = reverse("certificates:list")


def test_an_officer_sees_every_institutions_certificates(client, officer, issued, inst2_certificate):
    client.force_login(officer)

    body = client.get(URL).content.decode()

    assert issued.number in body and inst2_certificate.number in body


def test_institution_staff_see_only_their_own(client, inst1_staff, issued, inst2_certificate):
    client.force_login(inst1_staff)

    body = client.get(URL).content.decode()

    assert issued.number in body and inst2_certificate.number not in body


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.ASSESSOR])
def test_other_roles_are_refused(client, db, role):
    client.force_login(factories.user(f"someone-{role}", role))

    assert client.get(URL).status_code == 403


def test_it_filters_by_status_and_searches_by_number_or_name(client, officer, issued, inst2_certificate):
    client.force_login(officer)
    services.revoke_certificate(officer=officer, certificate_id=inst2_certificate.pk, reason="fraud")

    revoked = client.get(URL, {"status": "revoked"}).content.decode()
    by_number = client.get(URL, {"q": issued.number.lower()}).content.decode()
    by_name = client.get(URL, {"q": "张晓"}).content.decode()

    assert inst2_certificate.number in revoked and issued.number not in revoked
    assert issued.number in by_number and inst2_certificate.number not in by_number
    assert issued.number in by_name


def test_the_query_count_does_not_grow_with_rows(client, officer, inst1_staff, assessor, fast_rendering):
    client.force_login(officer)
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 6)
    services.issue_certificate(officer=officer, enrolment_id=enrolments[0].pk)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for enrolment in enrolments[1:]:
        services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert response.content.decode().count("badge-valid") == 6
    assert len(many) == len(one)
