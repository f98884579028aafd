import pytest

from certification.models import Track

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(batch) -> str:
    return f"/institution/batches/{batch.pk}/edit/"


def form_fields(batch, **overrides) -> dict:
    fields = {
        "name": batch.name,
        "track": batch.track_id,
        "level": str(batch.level),
        "start_date": f"{batch.start_date:%Y-%m-%d}",
        "end_date": f"{batch.end_date:%Y-%m-%d}",
        "capacity": str(batch.capacity),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def batch(inst1_staff):
    return factories.batch(inst1_staff.institution, "PM")


def test_it_saves_changes(client, inst1_staff, batch):
    client.force_login(inst1_staff)
    response = client.post(url(batch), form_fields(batch, name="改名后的班级", capacity="80"))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.name, batch.capacity) == ("改名后的班级", 80)


def test_it_refuses_a_new_track_once_the_batch_has_enrolments(client, inst1_staff, draft_enrolment):
    batch = draft_enrolment.batch
    client.force_login(inst1_staff)
    response = client.post(url(batch), form_fields(batch, track=Track.objects.get(code="CR").pk))
    assert response.status_code == 409
    assert "Track and level cannot change once the batch has enrolments." in response.content.decode()
    batch.refresh_from_db()
    assert batch.track.code == "PM"


def test_it_is_404_for_another_institutions_batch(client, inst2_staff, batch):
    client.force_login(inst2_staff)
    assert client.get(url(batch)).status_code == 404
    assert client.post(url(batch), form_fields(batch, name="x")).status_code == 404


def test_it_redirects_anonymous_to_login(client, batch):
    response = client.get(url(batch))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(client, request, role_fixture, batch):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(batch)).status_code == 403
