"""The login page carries the security headers, and a form post without its CSRF token is refused."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def login_page(db, client):
    return client.get(reverse("login"))


def test_the_login_page_has_a_content_security_policy_of_self_only(login_page):
    policy = login_page["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


def test_the_login_page_cannot_be_framed(login_page):
    assert login_page["X-Frame-Options"] == "DENY"


def test_the_login_page_forbids_content_type_sniffing(login_page):
    assert login_page["X-Content-Type-Options"] == "nosniff"


def test_the_login_form_carries_a_csrf_token(login_page):
    assert b'name="csrfmiddlewaretoken"' in login_page.content


def test_the_login_page_has_no_inline_script_or_style(login_page):
    page = login_page.content.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_a_login_post_without_the_csrf_token_is_refused(db, inst1_staff):
    strict = Client(enforce_csrf_checks=True)
    strict.get(reverse("login"))  # sets the CSRF cookie, but the form field is left out
    response = strict.post(reverse("login"), {"username": "inst1", "password": "demo-pass-2024"})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session
