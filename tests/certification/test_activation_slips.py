import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import accounts
from certification.models import ActivationCode
from core.errors import InvalidInput

from .. import factories

URL = "/institution/slips/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def approved_trainee(staff, officer):
    """A trainee of the staff member's institution whose enrolment was approved: they have an account."""
    enrolment = factories.advance(factories.draft_enrolment(staff), staff=staff, officer=officer, to="enrolled")
    return enrolment.trainee


def codes_on(page: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', page)


def test_it_lists_only_trainees_with_an_account(client, inst1_staff, trainee_user):
    without_account = factories.trainee(inst1_staff.institution, name="王建国")
    client.force_login(inst1_staff)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="trainees" value="{trainee_user.trainee.pk}"' in page
    assert without_account.name not in page


def test_it_prints_a_slip_with_a_working_one_time_code(client, inst1_staff, trainee_user):
    trainee = trainee_user.trainee
    client.force_login(inst1_staff)
    response = client.post(URL, {"trainees": [trainee.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="slip"') == 1
    assert trainee.name in page and trainee.id_number in page
    assert "Fashion Engineer Certification" in page
    assert "http://testserver/accounts/activate/" in page
    [code] = codes_on(page)
    stored = ActivationCode.objects.get(user=trainee_user)
    assert code.replace("\xa0", "") not in stored.code_hash
    assert f"{timezone.localdate(stored.expires_at):%Y-%m-%d}" in page
    assert (timezone.localdate(stored.expires_at) - timezone.localdate()).days == 30
    assert accounts.activate_account(id_number=trainee.id_number, code=code, password="a-long-new-passw0rd")


def test_the_printed_page_is_never_cached(client, inst1_staff, trainee_user):
    client.force_login(inst1_staff)
    response = client.post(URL, {"trainees": [trainee_user.trainee.pk]})
    assert "no-store" in response["Cache-Control"]


def test_a_new_slip_replaces_the_old_code(client, inst1_staff, trainee_user):
    trainee = trainee_user.trainee
    client.force_login(inst1_staff)
    [old] = codes_on(client.post(URL, {"trainees": [trainee.pk]}).content.decode())
    [new] = codes_on(client.post(URL, {"trainees": [trainee.pk]}).content.decode())
    assert old != new
    with pytest.raises(InvalidInput):
        accounts.activate_account(id_number=trainee.id_number, code=old, password="a-long-new-passw0rd")


def test_it_prints_one_slip_per_selected_trainee(client, inst1_staff, officer, trainee_user):
    second = approved_trainee(inst1_staff, officer)
    client.force_login(inst1_staff)
    page = client.post(URL, {"trainees": [trainee_user.trainee.pk, second.pk]}).content.decode()
    assert len(set(codes_on(page))) == 2


def test_the_list_shows_no_code(client, inst1_staff, trainee_user):
    client.force_login(inst1_staff)
    client.post(URL, {"trainees": [trainee_user.trainee.pk]})
    assert not codes_on(client.get(URL).content.decode())


def test_it_refuses_a_trainee_without_an_account(client, inst1_staff):
    trainee = factories.trainee(inst1_staff.institution)
    client.force_login(inst1_staff)
    response = client.post(URL, {"trainees": [trainee.pk]})
    assert response.status_code == 400
    assert "cannot get a slip" in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_it_refuses_another_institutions_trainee(client, inst2_staff, trainee_user):
    client.force_login(inst2_staff)
    response = client.post(URL, {"trainees": [trainee_user.trainee.pk]})
    assert response.status_code == 400
    assert trainee_user.trainee.name not in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(client, request, role_fixture, trainee_user):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"trainees": [trainee_user.trainee.pk]}).status_code == 403
    assert not ActivationCode.objects.exists()


def test_its_query_count_does_not_grow_with_rows(client, inst1_staff, officer):
    approved_trainee(inst1_staff, officer)
    client.force_login(inst1_staff)
    client.get(URL)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(URL).status_code == 200
    for _ in range(39):
        approved_trainee(inst1_staff, officer)
    with CaptureQueriesContext(connection) as many_rows:
        assert client.get(URL).status_code == 200
    assert len(many_rows) == len(one_row)


def test_a_search_with_a_nul_byte_finds_nothing_like_any_other_unknown_text(client, inst1_staff, trainee_user):
    client.force_login(inst1_staff)

    response = client.get(URL, {"q": trainee_user.trainee.name + "\x00"})

    assert response.status_code == 200
    assert f'name="trainees" value="{trainee_user.trainee.pk}"' not in response.content.decode()


def test_a_deactivated_account_is_not_listed_and_gets_no_slip(client, inst1_staff, trainee_user):
    trainee_user.is_active = False
    trainee_user.save()
    client.force_login(inst1_staff)

    page = client.get(URL).content.decode()
    response = client.post(URL, {"trainees": [trainee_user.trainee.pk]})

    assert f'name="trainees" value="{trainee_user.trainee.pk}"' not in page
    assert response.status_code == 400
    assert not ActivationCode.objects.filter(user=trainee_user).exists()


def test_slips_are_filtered_by_batch_and_by_not_yet_printed(client, inst1_staff, officer):
    first = approved_trainee(inst1_staff, officer)
    other_batch = factories.batch(inst1_staff.institution, "CR")
    second = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR", batch_obj=other_batch),
        staff=inst1_staff,
        officer=officer,
        to="enrolled",
    ).trainee
    batch = first.enrolments.get().batch
    accounts.issue_activation_code(staff=inst1_staff, trainee_id=second.pk)
    client.force_login(inst1_staff)
    page = client.get(URL, {"batch": batch.pk}).content.decode()
    assert f'name="trainees" value="{first.pk}"' in page and f'name="trainees" value="{second.pk}"' not in page
    page = client.get(URL, {"not_printed": "1"}).content.decode()
    assert f'name="trainees" value="{first.pk}"' in page and f'name="trainees" value="{second.pk}"' not in page


def test_a_whole_batch_is_printed_at_once_and_then_counts_as_printed(client, inst1_staff, officer):
    trainee = approved_trainee(inst1_staff, officer)
    batch = trainee.enrolments.get().batch
    client.force_login(inst1_staff)
    page = client.post(URL, {"whole_batch": "1", "batch": batch.pk, "not_printed": "1"}).content.decode()
    assert len(codes_on(page)) == 1
    assert ActivationCode.objects.filter(user=trainee.user).exists()
    response = client.post(URL, {"whole_batch": "1", "batch": batch.pk, "not_printed": "1"})
    assert response.status_code == 400 and "No trainee of this batch needs a slip." in response.content.decode()


def test_another_institutions_batch_prints_nobody(client, inst1_staff, inst2_staff, officer):
    trainee = approved_trainee(inst1_staff, officer)
    client.force_login(inst2_staff)
    response = client.post(URL, {"whole_batch": "1", "batch": trainee.enrolments.get().batch_id})
    assert response.status_code == 400
    assert not ActivationCode.objects.exists()
