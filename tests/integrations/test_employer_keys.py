"""An employer's API keys: created on its page and shown once, stored hashed, revoked there; another
employer's key cannot be touched, and no other role has keys."""

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import EmployerAPIKey

URL = reverse("integrations:keys")


def test_an_employer_creates_a_key_shown_once_and_stored_hashed(client, employer):
    client.force_login(employer)

    response = client.post(URL, {"name": "HR system"})

    key = EmployerAPIKey.objects.get()
    body = response.content.decode()
    secret = body.split('<p class="mono">', 1)[1].split("</p>", 1)[0]
    assert response.status_code == 200 and secret.startswith(key.prefix + ".")
    assert secret not in key.hashed_key and key.is_valid(secret)
    assert key.user == employer and key.name == "HR system"
    assert secret not in client.get(URL).content.decode()


def test_an_employer_revokes_its_key(client, employer):
    key, _secret = services.create_employer_key(employer=employer, name="old")
    client.force_login(employer)

    client.post(reverse("integrations:key_revoke", args=[key.prefix]))

    key.refresh_from_db()
    assert key.revoked


def test_another_employers_key_is_not_found(client, employer, employer2):
    key, _secret = services.create_employer_key(employer=employer, name="theirs")
    client.force_login(employer2)

    response = client.post(reverse("integrations:key_revoke", args=[key.prefix]), follow=True)

    key.refresh_from_db()
    assert not key.revoked
    assert "does not exist" in response.content.decode()
    assert key.prefix not in client.get(URL).content.decode()


def test_a_key_needs_a_name(client, employer):
    client.force_login(employer)

    assert client.post(URL, {"name": ""}).status_code == 400
    assert not EmployerAPIKey.objects.exists()


@pytest.mark.parametrize("who", ["officer", "inst1_staff", "assessor", "trainee_user"])
def test_other_roles_have_no_keys(client, who, request, employer):
    key, _secret = services.create_employer_key(employer=employer, name="theirs")
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "mine"}).status_code == 403
    assert client.post(reverse("integrations:key_revoke", args=[key.prefix])).status_code == 403
    assert EmployerAPIKey.objects.count() == 1 and not EmployerAPIKey.objects.get().revoked


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
