"""POST /api/v1/verify/bulk/: an employer's key or session (or the office's session); JSON or a file
in, JSON (or xlsx) out; a revoked, unknown or missing key is refused, and so is every other role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from certificates.models import VerificationLog
from integrations import services
from integrations.models import EmployerAPIKey

from .test_bulk_verify_page import UNKNOWN_NUMBER, csv_upload

URL = reverse("integrations_api:bulk")
pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def key(employer):
    _key, secret = services.create_employer_key(employer=employer, name="HR system")
    return secret


def with_key(api, secret):
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return api


def test_a_key_verifies_a_json_list_and_its_use_is_recorded(api, key, certificates):
    body = {
        "certificates": [
            {"number": certificates.valid.number, "name": certificates.valid.holder_name},
            {"number": certificates.revoked.number},
            {"number": certificates.superseded.number.lower()},
            {"number": UNKNOWN_NUMBER},
            {"number": certificates.valid.number, "name": "李四"},
        ]
    }

    response = with_key(api, key).post(URL, body, format="json")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["valid", "revoked", "superseded", "unknown", "name_mismatch"]
    assert results[0]["holder"] != certificates.valid.holder_name and results[0]["holder"].startswith("张")
    assert results[2]["superseded_by"] == certificates.replacement.number
    assert "holder" not in results[4]
    assert VerificationLog.objects.filter(channel="bulk").count() == 5
    assert EmployerAPIKey.objects.get().last_used_at is not None


def test_a_bare_list_of_numbers_is_accepted(api, key, certificates):
    response = with_key(api, key).post(URL, [certificates.valid.number], format="json")

    assert response.json()["results"][0]["status"] == "valid"


def test_a_csv_file_may_be_sent_and_an_xlsx_asked_for(api, key, certificates):
    upload = csv_upload([["证书编号"], [certificates.valid.number]])

    response = with_key(api, key).post(f"{URL}?output=xlsx", {"file": upload}, format="multipart")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1][3] == "valid"


def test_too_many_numbers_are_refused_and_nothing_is_logged(api, key, settings):
    settings.BULK_VERIFY_MAX_NUMBERS = 2

    response = with_key(api, key).post(URL, {"certificates": [{"number": "A1"}] * 3}, format="json")

    assert response.status_code == 413
    assert "at most 2 certificate numbers" in response.json()["detail"]
    assert not VerificationLog.objects.exists()


def test_bad_json_is_a_400_with_a_message(api, key):
    response = with_key(api, key).post(URL, {"certificates": [42]}, format="json")

    assert response.status_code == 400 and response.json()["detail"]


def test_without_a_key_or_session_it_is_refused(api):
    response = api.post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 401
    assert not VerificationLog.objects.exists()


def test_a_revoked_key_is_refused(api, key, employer):
    services.revoke_employer_key(employer=employer, prefix=key.partition(".")[0])

    response = with_key(api, key).post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 401
    assert not VerificationLog.objects.exists()


def test_a_wrong_secret_for_a_real_prefix_is_refused(api, key):
    prefix = key.partition(".")[0]

    response = with_key(api, f"{prefix}.wrong-secret").post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 401


def test_an_unknown_key_is_refused(api):
    response = with_key(api, "nosuchke.abcdef").post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 401


def test_the_key_of_a_switched_off_employer_is_refused(api, key, employer, officer):
    services.set_employer_active(officer=officer, employer_id=employer.pk, active=False)

    response = with_key(api, key).post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 401


def test_an_employers_session_works_with_csrf(employer, certificates):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(employer)

    without_token = api.post(URL, [certificates.valid.number], format="json")

    assert without_token.status_code == 403  # a session needs the CSRF token, as on the pages


def test_the_offices_session_may_call_it(api, officer, certificates):
    api.force_login(officer)

    response = api.post(URL, [certificates.valid.number], format="json")

    assert response.json()["results"][0]["status"] == "valid"


@pytest.mark.parametrize("who", ["inst1_staff", "assessor", "trainee_user"])
def test_other_roles_sessions_are_refused(api, who, request):
    api.force_login(request.getfixturevalue(who))

    response = api.post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 403
    assert not VerificationLog.objects.exists()


def test_get_is_not_allowed(api, key):
    assert with_key(api, key).get(URL).status_code == 405


def test_it_is_rate_limited_per_account(api, key, settings):
    settings.BULK_VERIFY_RATE_LIMIT = 1
    with_key(api, key).post(URL, [UNKNOWN_NUMBER], format="json")

    response = api.post(URL, [UNKNOWN_NUMBER], format="json")

    assert response.status_code == 429


def test_a_thousand_numbers_cost_the_same_queries_as_ten(api, key, certificates, django_assert_max_num_queries):
    few = [certificates.valid.number] * 10
    many = [certificates.valid.number] * 500 + [UNKNOWN_NUMBER] * 500
    with_key(api, key).post(URL, few, format="json")  # the statements made once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        api.post(URL, few, format="json")
    # SQLite takes 999 parameters a statement: the log goes in chunks of 142 rows there.
    with django_assert_max_num_queries(len(ten) + 1000 // 142):
        response = api.post(URL, many, format="json")

    assert [r["status"] for r in response.json()["results"]].count("unknown") == 500
    assert VerificationLog.objects.count() == 1020
