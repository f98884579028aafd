"""DEBUG only: the officer closes a 公示 early so that a demo reaches a certificate in one sitting."""

import pytest

from certification.models import EnrolmentStatus, StateLog
from workflows.models import PublicityNotice

from .test_publicity_services import lodge, open_notice, passed


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def url(notice) -> str:
    return f"/officer/publicity/notices/{notice.pk}/close-early/"


def test_with_debug_on_the_officer_closes_a_notice_now_and_the_log_says_demo_only(client, settings, cast, officer):
    settings.DEBUG = True
    clean, objected = passed(**cast, count=2)
    notice = open_notice(officer, [clean, objected])
    lodge(notice.entries.get(enrolment=objected))
    client.force_login(officer)
    assert url(notice) in client.get(f"/officer/publicity/notices/{notice.pk}/").content.decode()
    assert client.post(url(notice), {"reason": "给新同事演示"}).status_code == 302
    clean.refresh_from_db()
    objected.refresh_from_db()
    assert (clean.status, objected.status) == (EnrolmentStatus.READY_TO_ISSUE, EnrolmentStatus.IN_PUBLICITY)
    log = StateLog.objects.get(enrolment=clean, transition="close_publicity")
    assert log.actor == officer and log.reason.startswith("Demo only") and "给新同事演示" in log.reason


def test_a_reason_is_required(client, settings, cast, officer):
    settings.DEBUG = True
    (enrolment,) = passed(**cast)
    notice = open_notice(officer, [enrolment])
    client.force_login(officer)
    client.post(url(notice), {"reason": " "})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_PUBLICITY


def test_with_debug_off_the_action_does_not_exist(client, settings, cast, officer):
    settings.DEBUG = False
    (enrolment,) = passed(**cast)
    notice = open_notice(officer, [enrolment])
    client.force_login(officer)
    assert url(notice) not in client.get(f"/officer/publicity/notices/{notice.pk}/").content.decode()
    assert client.post(url(notice), {"reason": "试试"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_PUBLICITY
    assert PublicityNotice.objects.get().closed_at is None


def test_only_the_office_may_close_early(client, settings, cast, officer, inst1_staff, assessor):
    settings.DEBUG = True
    (enrolment,) = passed(**cast)
    notice = open_notice(officer, [enrolment])
    response = client.post(url(notice), {"reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (inst1_staff, assessor):
        client.force_login(person)
        assert client.post(url(notice), {"reason": "x"}).status_code == 403
    client.force_login(officer)
    assert client.post("/officer/publicity/notices/999999/close-early/", {"reason": "x"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_PUBLICITY
