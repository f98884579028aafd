"""Error pages with DEBUG off: our layout, in Chinese by default, with a way back to the dashboard.

Not Django's bare "Server Error (500)" and not viewflow's English pages ("Access Forbidden … Log in
as another user", "Django Material … not_interested"), which are found under the same names.
"""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core import error_pages

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_our_page(response, status: int):
    page = response.content.decode()
    assert response.status_code == status
    assert '<html lang="zh-hans">' in page
    assert 'class="topbar"' in page and "时尚工程师认定" in page  # the site's header, translated
    assert f'<p class="error-code">{status}</p>' in page
    assert 'href="/" data-way-back>返回工作台</a>' in page
    for foreign in ("Django Material", "not_interested", "Access Forbidden", "Log in as another user", "mdc-"):
        assert foreign not in page
    return page


def test_an_unknown_address_shows_our_404(client):
    assert_our_page(client.get("/no-such-page/", **CHINESE), 404)


def test_another_institutions_object_shows_our_404_to_a_logged_in_user(client, inst1_staff):
    client.force_login(inst1_staff)
    page = assert_our_page(client.get("/institution/trainees/999999/", **CHINESE), 404)
    assert 'class="mainnav"' in page  # the role's menu is there too


def test_a_wrong_role_gets_our_403_without_an_offer_to_log_in_as_someone_else(client, inst1_staff):
    client.force_login(inst1_staff)
    page = assert_our_page(client.get(reverse("officer:approvals"), **CHINESE), 403)
    assert reverse("login") not in page


def test_a_bad_request_shows_our_400(client):
    assert_our_page(client.get("/test-errors/suspicious/", **CHINESE), 400)


def test_a_get_on_a_post_only_address_shows_our_405_and_keeps_the_allow_header(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.get(reverse("logout"), **CHINESE)
    assert_our_page(response, 405)
    assert "POST" in response["Allow"]


def test_a_stale_form_token_shows_our_csrf_page(inst1_staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"}, **CHINESE)
    page = assert_our_page(response, 403)
    assert 'class="error-panel' in page


def test_a_refused_activation_shows_our_429_with_the_way_back_to_the_form(client, monkeypatch):
    monkeypatch.setattr("core.ratelimit.hit", lambda *args: False)
    response = client.post(reverse("activate"), {"id_number": "x", "code": "y"}, **CHINESE)
    page = assert_our_page(response, 429)
    assert f'href="{reverse("activate")}">返回</a>' in page


def test_a_crash_shows_our_500_with_the_request_id_and_no_promise_of_an_email():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/broken/", HTTP_X_REQUEST_ID="req-42", **CHINESE)
    page = assert_our_page(response, 500)
    assert "req-42" in page
    assert "mail" not in page.lower() and "邮件" not in page


def test_the_500_page_needs_neither_the_database_nor_the_context_processors(django_assert_num_queries, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {"context_processors": ["tests.core.error_urls.broken_context_processor"]},
        }
    ]
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = error_pages.server_error(request)
    assert response.status_code == 500
    assert "error-panel" in response.content.decode()


@override_settings(LANGUAGE_CODE="zh-hans")
def test_without_a_language_asked_for_the_pages_are_in_chinese(client):
    assert_our_page(client.get("/no-such-page/"), 404)
