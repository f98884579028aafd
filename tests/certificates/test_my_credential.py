"""The holder downloads their credential (.json) from their certificates page; nobody else does."""

import json

from django.urls import reverse

from certificates.models import Credential


def _url(certificate) -> str:
    return reverse("certificates:credential", args=[certificate.pk])


def test_the_trainee_downloads_their_credential_as_signed(client, issued):
    client.force_login(issued.enrolment.trainee.user)

    response = client.get(_url(issued))

    assert response.status_code == 200
    assert response.content.decode() == Credential.objects.get(certificate=issued).document
    assert f'filename="{issued.number}.credential.json"' in response["Content-Disposition"]
    assert json.loads(response.content)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_their_certificates_page_offers_the_credential_and_explains_wallets(client, issued):
    client.force_login(issued.enrolment.trainee.user)

    body = client.get(reverse("certificates:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _url(issued) in body
    assert 'id="wallet-help-title"' in body


def test_anonymous_is_sent_to_log_in(client, issued):
    response = client.get(_url(issued))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_trainee_gets_not_found(client, issued, trainee_user):
    assert trainee_user != issued.enrolment.trainee.user
    client.force_login(trainee_user)

    assert client.get(_url(issued)).status_code == 404


def test_institution_staff_and_officers_are_refused(client, issued, inst1_staff, officer):
    client.force_login(inst1_staff)
    assert client.get(_url(issued)).status_code == 403
    client.force_login(officer)
    assert client.get(_url(issued)).status_code == 403
