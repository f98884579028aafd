"""The public pages of the notice (/publicity/): no login, full names with masked ID numbers, objections rate-limited."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.models import EnrolmentStatus
from workflows.models import Objection, PublicityNotice
from workflows.publicity import services as publicity

from .test_publicity_services import MONDAY, NEXT_MONDAY, at, open_notice, passed

LIST_URL = "/publicity/"


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


@pytest.fixture
def notice(cast, officer):
    return open_notice(officer, passed(**cast))


def notice_url(notice) -> str:
    return f"/publicity/{notice.pk}/"


def objection_url(entry) -> str:
    return f"/publicity/{entry.notice_id}/candidates/{entry.pk}/objection/"


def objection_form(**overrides) -> dict:
    return {"name": "李四", "contact": "13900000000", "text": "该考生实操作品非本人完成。", **overrides}


# The list of notices


def test_anyone_sees_the_open_notices(client, notice):
    with at(MONDAY):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert notice.title in page
    assert "2026-03-09" in page


def test_a_closed_notice_is_not_listed(client, notice):
    PublicityNotice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())

    response = client.get(LIST_URL)

    assert notice.title not in response.content.decode()
    assert 'class="empty"' in response.content.decode()


def test_the_list_query_count_does_not_grow_with_notices(client, cast, officer):
    open_notice(officer, passed(**cast), title="公示 0")
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as one_row:
        client.get(LIST_URL)
    for number in range(1, 30):
        open_notice(officer, passed(**cast), title=f"公示 {number}")
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(LIST_URL)
    assert response.context["page_obj"].paginator.count == 30
    assert len(many_rows) == len(one_row)


# One notice


def test_a_notice_shows_full_name_gender_masked_id_institution_track_level_and_period(client, notice):
    enrolment = notice.entries.get().enrolment

    with at(MONDAY):
        response = client.get(notice_url(notice))

    assert response.status_code == 200
    page = response.content.decode()
    assert enrolment.trainee.name in page  # so that people can recognise whom they object to
    assert enrolment.trainee.get_gender_display() in page
    assert enrolment.trainee.masked_id_number in page and enrolment.trainee.id_number not in page
    assert enrolment.batch.institution.name in page
    assert enrolment.track.display_name in page
    assert enrolment.batch.get_level_display() in page
    assert "2026-03-02" in page and "2026-03-09" in page


def test_a_notice_never_shows_id_numbers_or_phones(client, notice):
    trainee = notice.entries.get().enrolment.trainee

    with at(MONDAY):
        pages = [client.get(notice_url(notice)), client.get(objection_url(notice.entries.get()))]

    for response in pages:
        page = response.content.decode()
        assert trainee.name in page
        assert trainee.id_number not in page
        assert trainee.masked_id_number in page
        assert trainee.phone not in page


@pytest.mark.parametrize("closed", [True, False])
def test_a_closed_or_unknown_notice_is_not_found(client, notice, closed):
    if closed:
        PublicityNotice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())
        url, entry_url = notice_url(notice), objection_url(notice.entries.get())
    else:
        url, entry_url = f"/publicity/{notice.pk + 100}/", f"/publicity/{notice.pk + 100}/candidates/1/objection/"

    assert client.get(url).status_code == 404
    assert client.get(entry_url).status_code == 404
    assert client.post(entry_url, objection_form()).status_code == 404
    assert not Objection.objects.exists()


def test_a_candidate_no_longer_in_notice_is_not_shown(client, cast, officer):
    stays, leaves = passed(**cast, count=2)
    notice = open_notice(officer, [stays, leaves])
    leaving_entry = notice.entries.get(enrolment=leaves)
    with at(MONDAY):
        objection = publicity.lodge_objection(
            entry_id=leaving_entry.pk, name="李四", contact="13900000000", text="造假"
        )
    publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason="造假属实")

    response = client.get(notice_url(notice))

    assert [c.entry_id for c in response.context["candidates"]] == [notice.entries.get(enrolment=stays).pk]
    assert client.get(objection_url(leaving_entry)).status_code == 404


def test_a_candidate_of_another_notice_is_not_found_under_this_one(client, cast, officer, notice):
    other = open_notice(officer, passed(**cast), title="另一批公示")
    entry_of_other = other.entries.get()

    response = client.get(f"/publicity/{notice.pk}/candidates/{entry_of_other.pk}/objection/")

    assert response.status_code == 404


def test_the_notice_page_query_count_does_not_grow_with_candidates(client, cast, officer):
    small = open_notice(officer, passed(**cast))
    client.get(notice_url(small))
    with CaptureQueriesContext(connection) as one_row:
        client.get(notice_url(small))
    big = open_notice(officer, passed(**cast, count=15) + passed(**cast, count=15, track_code="NM"), title="大公示")
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(notice_url(big))
    assert len(response.context["candidates"]) == 30
    assert len(many_rows) == len(one_row)


# Objections


def test_an_objection_is_stored_with_a_fingerprint_and_never_the_address(client, notice):
    entry = notice.entries.get()

    with at(MONDAY):
        response = client.post(
            objection_url(entry), objection_form(), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0"
        )

    assert response.status_code == 302
    assert response["Location"] == notice_url(notice)
    objection = Objection.objects.get()
    assert (objection.entry, objection.name, objection.contact) == (entry, "李四", "13900000000")
    assert objection.client_fingerprint == publicity.client_fingerprint("203.0.113.9", "Mozilla/5.0")
    assert "203.0.113.9" not in objection.client_fingerprint


def test_the_objection_form_is_public_and_shows_the_candidate_with_the_id_masked(client, notice):
    with at(MONDAY):
        response = client.get(objection_url(notice.entries.get()))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="text"' in page
    assert "csrfmiddlewaretoken" in page


def test_an_objection_without_the_csrf_token_is_refused(notice):
    strict = Client(enforce_csrf_checks=True)

    with at(MONDAY):
        response = strict.post(objection_url(notice.entries.get()), objection_form())

    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_an_incomplete_objection_is_shown_again_with_the_errors(client, notice):
    with at(MONDAY):
        response = client.post(objection_url(notice.entries.get()), objection_form(text=""))

    assert response.status_code == 400
    assert response.context["form"].errors["text"]
    assert not Objection.objects.exists()


def test_an_objection_after_the_period_gets_a_clear_message_and_nothing_is_stored(client, notice):
    entry = notice.entries.get()
    after = NEXT_MONDAY + timedelta(days=1)

    with at(after):
        page = client.get(objection_url(entry))
        response = client.post(objection_url(entry), objection_form())

    assert 'name="text"' not in page.content.decode()
    assert "2026-03-09" in page.content.decode()
    assert response.status_code == 409
    assert "2026-03-09" in response.context["error_message"]
    assert not Objection.objects.exists()


def test_the_sixth_objection_within_an_hour_from_one_address_is_refused_with_429(client, notice):
    url = objection_url(notice.entries.get())

    with at(MONDAY):
        for _ in range(5):
            assert client.post(url, objection_form(), REMOTE_ADDR="198.51.100.7").status_code == 302
        refused = client.post(url, objection_form(), REMOTE_ADDR="198.51.100.7")
        another_address = client.post(url, objection_form(), REMOTE_ADDR="198.51.100.8")

    assert refused.status_code == 429
    assert "429.html" in [t.name for t in refused.templates]
    assert another_address.status_code == 302
    assert Objection.objects.count() == 6


def test_the_limit_lifts_after_an_hour(client, notice):
    url = objection_url(notice.entries.get())
    with at(MONDAY):
        for _ in range(6):
            client.post(url, objection_form(), REMOTE_ADDR="198.51.100.7")
    with at(date(2026, 3, 3)):
        assert client.post(url, objection_form(), REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_logged_in_user_sees_the_same_public_page(client, notice, inst1_staff):
    client.force_login(inst1_staff)
    with at(MONDAY):
        assert client.get(notice_url(notice)).status_code == 200


def test_the_candidate_stays_in_notice_after_an_objection(client, notice):
    entry = notice.entries.get()
    with at(MONDAY):
        client.post(objection_url(entry), objection_form())
    entry.enrolment.refresh_from_db()
    assert entry.enrolment.status == EnrolmentStatus.IN_PUBLICITY
