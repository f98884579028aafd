from datetime import date

import pytest

from certification import registration
from certification.models import Track, TrackQuota
from core.errors import RuleNotMet

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


# Quota and capacity: what the batch already holds stays within both --------------------------


def next_year_dates(batch) -> dict:
    start = batch.start_date.replace(year=batch.start_date.year + 1)
    return {"start_date": start, "end_date": start + (batch.end_date - batch.start_date)}


def test_an_approved_batch_cannot_move_into_a_year_without_a_quota(inst1_staff, enrolled_enrolment):
    batch = enrolled_enrolment.batch
    before = (batch.start_date, batch.end_date)

    with pytest.raises(RuleNotMet, match="no .* quota"):
        registration.update_batch(staff=inst1_staff, batch_id=batch.pk, **next_year_dates(batch))

    batch.refresh_from_db()
    assert (batch.start_date, batch.end_date) == before


def test_an_approved_batch_cannot_move_into_a_year_whose_quota_is_used_up(inst1_staff, enrolled_enrolment):
    batch = enrolled_enrolment.batch
    TrackQuota.objects.create(institution=batch.institution, track=batch.track, year=batch.year + 1, quota=0)
    before = batch.start_date

    with pytest.raises(RuleNotMet, match="quota"):
        registration.update_batch(staff=inst1_staff, batch_id=batch.pk, **next_year_dates(batch))

    batch.refresh_from_db()
    assert batch.start_date == before


def test_an_approved_batch_moves_into_a_year_with_room_in_its_quota(inst1_staff, enrolled_enrolment):
    batch = enrolled_enrolment.batch
    TrackQuota.objects.create(institution=batch.institution, track=batch.track, year=batch.year + 1, quota=1)

    registration.update_batch(staff=inst1_staff, batch_id=batch.pk, **next_year_dates(batch))

    batch.refresh_from_db()
    assert batch.year == date.today().year + 1


def test_a_batch_of_drafts_moves_into_any_year(inst1_staff, draft_enrolment):
    batch = draft_enrolment.batch

    registration.update_batch(staff=inst1_staff, batch_id=batch.pk, **next_year_dates(batch))

    batch.refresh_from_db()
    assert batch.year == date.today().year + 1


def test_the_capacity_cannot_go_below_the_enrolments_the_batch_holds(inst1_staff, batch):
    for _ in range(2):
        factories.draft_enrolment(inst1_staff, batch_obj=batch)

    with pytest.raises(RuleNotMet, match="2 enrolments"):
        registration.update_batch(staff=inst1_staff, batch_id=batch.pk, capacity=1)

    batch.refresh_from_db()
    assert batch.capacity == 50
    assert registration.update_batch(staff=inst1_staff, batch_id=batch.pk, capacity=2).capacity == 2


def test_the_edit_page_says_why_the_capacity_is_refused(client, inst1_staff, batch):
    for _ in range(2):
        factories.draft_enrolment(inst1_staff, batch_obj=batch)
    client.force_login(inst1_staff)

    response = client.post(url(batch), form_fields(batch, capacity="1"))

    assert response.status_code == 409
    assert "2 enrolments" in response.content.decode()
    batch.refresh_from_db()
    assert batch.capacity == 50
