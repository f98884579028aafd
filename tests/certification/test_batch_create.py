import pytest

from certification.models import Track, TrainingBatch

URL = "/institution/batches/new/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def batch_fields(**overrides) -> dict:
    fields = {
        "name": "2026春季制版班",
        "track": Track.objects.get(code="PM").pk,
        "level": "4",
        "start_date": "2026-03-02",
        "end_date": "2026-05-29",
        "capacity": "40",
    }
    fields.update(overrides)
    return fields


def test_it_shows_the_form(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(URL).status_code == 200


def test_it_plans_a_batch_for_the_staff_members_institution(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post(URL, batch_fields())
    batch = TrainingBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/institution/batches/{batch.pk}/"
    assert (batch.institution, batch.track.code, batch.level, batch.capacity) == (inst1_staff.institution, "PM", 4, 40)


def test_it_refuses_an_end_before_the_start(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post(URL, batch_fields(end_date="2026-01-01"))
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not TrainingBatch.objects.exists()


def test_it_offers_only_tracks_open_for_enrolment(client, inst1_staff):
    Track.objects.filter(code="NM").update(is_active=False)
    client.force_login(inst1_staff)
    response = client.post(URL, batch_fields(track=Track.objects.get(code="NM").pk))
    assert response.status_code == 400
    assert not TrainingBatch.objects.exists()


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(db, client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    before = TrainingBatch.objects.count()
    assert client.get(URL).status_code == 403
    assert client.post(URL, batch_fields()).status_code == 403
    assert TrainingBatch.objects.count() == before
