"""The API's clients: a session of each role, and institution API keys (read-write, read-only, revoked)."""

import pytest
from rest_framework.test import APIClient

from api import keys
from tests.certificates.conftest import fast_rendering, issued, ready_enrolment  # noqa: F401


@pytest.fixture
def api():
    return APIClient()


def client_with_key(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def inst1_key(inst1_staff):
    key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="sync", access="read_write"
    )
    return client_with_key(secret)


@pytest.fixture
def inst1_read_key(inst1_staff):
    key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="reports", access="read_only"
    )
    return client_with_key(secret)


@pytest.fixture
def inst1_revoked_key(inst1_staff):
    key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="old", access="read_write"
    )
    keys.revoke_api_key(actor=inst1_staff, key_id=key.pk)
    return client_with_key(secret)
