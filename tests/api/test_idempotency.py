"""Idempotency-Key on POST: a retry gets the first response and nothing is made twice, also when
two retries arrive at the same moment (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api import keys
from api.models import IdempotentResponse
from certification.models import Trainee
from tests import factories

from .conftest import client_with_key


def _trainee_data():
    id_number = factories.resident_id()
    return {
        "name": "李四",
        "id_number": id_number,
        "gender": "M",
        "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
        "education": "senior",
        "phone": "13800000000",
    }


def test_a_retry_returns_the_first_response_and_creates_nothing_twice(inst1_key):
    data = _trainee_data()
    first = inst1_key.post("/api/v1/trainees/", data, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = inst1_key.post("/api/v1/trainees/", data, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Trainee.objects.filter(id_number=data["id_number"]).count() == 1


def test_without_the_header_a_second_post_is_a_second_request(inst1_key):
    data = _trainee_data()
    inst1_key.post("/api/v1/trainees/", data, format="json")
    second = inst1_key.post("/api/v1/trainees/", data, format="json")
    assert second.status_code == 400  # the registration service: already registered
    assert "already registered" in second.json()["message"]


def test_a_refusal_is_replayed_too(inst1_key, submitted_enrolment):
    path = f"/api/v1/enrolments/{submitted_enrolment.pk}/submit/"
    first = inst1_key.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    again = inst1_key.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


def test_the_same_key_with_another_body_is_refused(inst1_key):
    inst1_key.post("/api/v1/trainees/", _trainee_data(), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    response = inst1_key.post("/api/v1/trainees/", _trainee_data(), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"


def test_two_clients_may_use_the_same_key(inst1_key, inst1_staff):
    _key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="b", access="read_write"
    )
    other = client_with_key(secret)
    assert (
        inst1_key.post("/api/v1/trainees/", _trainee_data(), format="json", HTTP_IDEMPOTENCY_KEY="same").status_code
        == 201
    )
    assert (
        other.post("/api/v1/trainees/", _trainee_data(), format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    )


def test_an_overlong_key_is_refused(inst1_key):
    response = inst1_key.post("/api/v1/trainees/", _trainee_data(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert not Trainee.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_create_one_trainee(inst1_staff, monkeypatch):
    # The work takes a while, so that the second retry surely arrives while the first is inside it.
    from certification import registration

    slow = registration.create_trainee

    def create_slowly(**kwargs):
        time.sleep(0.5)
        return slow(**kwargs)

    monkeypatch.setattr(registration, "create_trainee", create_slowly)
    _key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="c", access="read_write"
    )
    data = _trainee_data()
    barrier = threading.Barrier(2)
    responses = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        barrier.wait()
        try:
            responses.append(client.post("/api/v1/trainees/", data, format="json", HTTP_IDEMPOTENCY_KEY="concurrent"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert Trainee.objects.filter(id_number=data["id_number"]).count() == 1
    assert IdempotentResponse.objects.filter(key="concurrent").count() == 1
