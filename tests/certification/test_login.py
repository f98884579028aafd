"""Log in, log out, the django-axes lockout and the password change."""

import pytest
from django.urls import reverse

from certification.models import User

PASSWORD = "demo-pass-2024"  # tests/factories.user's default


def log_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_the_login_page_shows_the_form_and_the_activation_link(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert reverse("activate").encode() in response.content


def test_staff_log_in_and_land_on_the_dashboard(client, inst1_staff):
    response = log_in(client, "inst1", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).wsgi_request.user == inst1_staff


def test_a_wrong_password_shows_the_form_again_with_an_error(client, inst1_staff):
    response = log_in(client, "inst1", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_the_sixth_try_is_refused_even_with_the_right_password(client, inst1_staff):
    for _ in range(5):
        log_in(client, "inst1", "not-the-password")
    response = log_in(client, "inst1", PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()  # minutes to wait
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_another_user_from_the_same_address(client, inst1_staff, officer):
    for _ in range(6):
        log_in(client, "inst1", "not-the-password")
    assert log_in(client, "officer", PASSWORD).status_code == 302


def test_logging_out_takes_a_post_and_returns_to_the_login_page(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_logged_in_user_visiting_the_login_page_goes_to_the_dashboard(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


@pytest.mark.django_db
def test_anonymous_cannot_open_the_password_change(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_changes_their_password(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-secret-77",
            "new_password2": "a-new-long-secret-77",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert User.objects.get(pk=inst1_staff.pk).check_password("a-new-long-secret-77")
    assert client.get(reverse("password_change_done")).status_code == 200


def test_a_password_change_with_the_wrong_old_password_changes_nothing(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-secret-77",
            "new_password2": "a-new-long-secret-77",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert User.objects.get(pk=inst1_staff.pk).check_password(PASSWORD)
