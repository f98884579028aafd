"""One certificate's page: what was printed, its record and history; officers correct or revoke it there."""

import pytest
from django.urls import reverse

from certificates.models import Certificate, CertificateStatus

from .conftest import ready_enrolments


def detail(client, certificate):
    return client.get(reverse("certificates:detail", args=[certificate.pk]))


def test_the_officer_sees_it_with_the_correction_and_revocation_forms(client, officer, issued):
    client.force_login(officer)

    body = detail(client, issued).content.decode()

    assert issued.number in body and issued.sha256 in body
    assert reverse("certificates:reissue", args=[issued.pk]) in body
    assert reverse("certificates:revoke", args=[issued.pk]) in body


def test_the_holder_and_their_institution_see_it_without_the_forms(client, issued, inst1_staff):
    for user in (issued.enrolment.trainee.user, inst1_staff):
        client.force_login(user)
        response = detail(client, issued)
        assert response.status_code == 200
        assert reverse("certificates:revoke", args=[issued.pk]) not in response.content.decode()


def test_another_institution_or_trainee_gets_not_found(client, issued, inst2_staff, inst1_staff, officer, assessor):
    other_trainee = ready_enrolments(inst1_staff, officer, assessor, 1)[0].trainee.user
    for user in (inst2_staff, other_trainee):
        client.force_login(user)
        assert detail(client, issued).status_code == 404


def test_an_assessor_is_refused_and_anonymous_sent_to_log_in(client, issued, assessor):
    assert detail(client, issued).status_code == 302
    client.force_login(assessor)
    assert detail(client, issued).status_code == 403


def test_an_officer_issues_a_correction_from_the_page(client, officer, issued):
    client.force_login(officer)

    response = client.post(reverse("certificates:reissue", args=[issued.pk]), {"reissue-reason": "name misspelt"})

    new = Certificate.objects.get(supersedes=issued)
    assert response.status_code == 302 and response["Location"] == reverse("certificates:detail", args=[new.pk])
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.SUPERSEDED


def test_an_officer_revokes_from_the_page(client, officer, issued):
    client.force_login(officer)

    response = client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": "fraud"})

    issued.refresh_from_db()
    assert response.status_code == 302
    assert (issued.status, issued.revoked_reason) == (CertificateStatus.REVOKED, "fraud")


def test_a_revocation_without_a_reason_is_refused_with_the_message(client, officer, issued):
    client.force_login(officer)

    response = client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": ""})

    assert response.status_code == 400
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.VALID


def test_revoking_twice_says_it_is_already_revoked(client, officer, issued):
    client.force_login(officer)
    client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": "fraud"})

    response = client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": "again"})

    assert response.status_code == 409


@pytest.mark.parametrize("action", ["reissue", "revoke"])
def test_only_officers_correct_or_revoke(client, issued, inst1_staff, action):
    client.force_login(inst1_staff)

    response = client.post(reverse(f"certificates:{action}", args=[issued.pk]), {f"{action}-reason": "x"})

    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.VALID


def test_corrections_and_revocations_need_a_post(client, officer, issued):
    client.force_login(officer)

    assert client.get(reverse("certificates:revoke", args=[issued.pk])).status_code == 405
