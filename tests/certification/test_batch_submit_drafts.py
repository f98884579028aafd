import pytest

from certification.models import EnrolmentStatus, InstitutionStatus, StateLog

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(batch) -> str:
    return f"/institution/batches/{batch.pk}/submit/"


@pytest.fixture
def batch_with_drafts(inst1_staff):
    batch = factories.batch(inst1_staff.institution)
    drafts = [factories.draft_enrolment(inst1_staff, batch_obj=batch) for _ in range(3)]
    return batch, drafts


def statuses(enrolments) -> list[str]:
    for enrolment in enrolments:
        enrolment.refresh_from_db()
    return [enrolment.status for enrolment in enrolments]


def test_it_submits_the_selected_drafts_and_logs_each_move(client, inst1_staff, batch_with_drafts):
    batch, drafts = batch_with_drafts
    client.force_login(inst1_staff)
    response = client.post(url(batch), {"enrolments": [drafts[0].pk, drafts[1].pk]}, follow=True)
    assert response.redirect_chain == [(f"/institution/batches/{batch.pk}/", 302)]
    assert "2 enrolments submitted for approval." in response.content.decode()
    assert statuses(drafts) == [EnrolmentStatus.SUBMITTED, EnrolmentStatus.SUBMITTED, EnrolmentStatus.DRAFT]
    logs = StateLog.objects.filter(transition="submit")
    assert sorted(log.enrolment_id for log in logs) == sorted([drafts[0].pk, drafts[1].pk])
    assert {log.actor for log in logs} == {inst1_staff}


def test_it_submits_none_when_one_cannot_be_submitted(client, inst1_staff, officer, batch_with_drafts):
    batch, drafts = batch_with_drafts
    factories.advance(drafts[2], staff=inst1_staff, officer=officer, to="submitted")
    client.force_login(inst1_staff)
    response = client.post(url(batch), {"enrolments": [d.pk for d in drafts]})
    assert response.status_code == 409
    assert "is not possible while the enrolment is" in response.content.decode()
    assert statuses(drafts[:2]) == [EnrolmentStatus.DRAFT, EnrolmentStatus.DRAFT]


def test_it_shows_the_rule_when_the_institution_is_not_approved(client, inst1_staff, batch_with_drafts):
    batch, drafts = batch_with_drafts
    inst1_staff.institution.status = InstitutionStatus.SUSPENDED
    inst1_staff.institution.save()
    client.force_login(inst1_staff)
    response = client.post(url(batch), {"enrolments": [drafts[0].pk]})
    assert response.status_code == 409
    assert "The institution is not approved" in response.content.decode()
    assert statuses(drafts) == [EnrolmentStatus.DRAFT] * 3


def test_it_refuses_enrolments_of_another_batch(client, inst1_staff, batch_with_drafts):
    batch, drafts = batch_with_drafts
    elsewhere = factories.draft_enrolment(inst1_staff)
    client.force_login(inst1_staff)
    response = client.post(url(batch), {"enrolments": [drafts[0].pk, elsewhere.pk]})
    assert response.status_code == 400
    assert "not in this batch" in response.content.decode()
    assert statuses([drafts[0], elsewhere]) == [EnrolmentStatus.DRAFT, EnrolmentStatus.DRAFT]


def test_it_asks_to_select_something(client, inst1_staff, batch_with_drafts):
    batch, _drafts = batch_with_drafts
    client.force_login(inst1_staff)
    response = client.post(url(batch), {})
    assert response.status_code == 400
    assert "Select at least one draft enrolment." in response.content.decode()


def test_it_is_404_for_another_institutions_batch(client, inst2_staff, batch_with_drafts):
    batch, drafts = batch_with_drafts
    client.force_login(inst2_staff)
    assert client.post(url(batch), {"enrolments": [drafts[0].pk]}).status_code == 404
    assert statuses(drafts[:1]) == [EnrolmentStatus.DRAFT]


def test_it_accepts_only_post(client, inst1_staff, batch_with_drafts):
    client.force_login(inst1_staff)
    assert client.get(url(batch_with_drafts[0])).status_code == 405


def test_it_redirects_anonymous_to_login(client, batch_with_drafts):
    response = client.post(url(batch_with_drafts[0]), {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(client, request, role_fixture, batch_with_drafts):
    batch, drafts = batch_with_drafts
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.post(url(batch), {"enrolments": [drafts[0].pk]}).status_code == 403
    assert statuses(drafts[:1]) == [EnrolmentStatus.DRAFT]
