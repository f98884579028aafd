"""The audit view (docs/spec.md §9): every state change, score or hours change, vetting decision and
certificate event in one list, filtered, paged by keyset and exported; office only."""

import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from certificates import services as certificates
from certificates.models import CertificateEvent
from certification import vetting
from certification.models import InstitutionStatus, ScoreChange, StateLog, VettingDecision
from reports import audit

from .. import factories
from .conftest import ready_enrolments

URL = "/officer/audit/"


@pytest.fixture
def history(inst1_staff, inst2_staff, officer, assessor, assessor2, fast_rendering):
    """Institution 1: a certificate issued (moves, scores, an issue event); institution 2: one
    candidate trained; a third institution vetted."""
    issued = certificates.issue_certificate(
        officer=officer, enrolment_id=ready_enrolments(inst1_staff, officer, assessor, 1)[0].pk
    )
    other = factories.advance(
        factories.draft_enrolment(inst2_staff, "CR"), staff=inst2_staff, officer=officer, to="trained"
    )
    pending = factories.institution("新申请的培训学校", status=InstitutionStatus.PENDING)
    vetting.approve_institution(officer=officer, institution_id=pending.pk, note="材料齐全")
    return {"certificate": issued, "other": other, "vetted": pending}


def total_rows() -> int:
    return sum(model.objects.count() for model in (StateLog, ScoreChange, VettingDecision, CertificateEvent))


def kinds_on(response) -> list[str]:
    return re.findall(r'<tr data-kind="(\w+)"', response.content.decode())


def test_the_office_sees_every_kind_of_change_newest_first(client, officer, history):
    client.force_login(officer)

    response = client.get(URL)

    assert response.status_code == 200
    assert set(kinds_on(response)) == {"state", "score", "vetting", "certificate"}
    assert len(kinds_on(response)) == min(total_rows(), audit.PAGE_SIZE)
    page = response.content.decode()
    assert "材料齐全" in page and history["certificate"].number in page


def test_a_filter_by_kind_enrolment_institution_and_actor_narrows_the_list(
    client, officer, inst2, inst2_staff, history
):
    client.force_login(officer)
    other = history["other"]

    scores = kinds_on(client.get(URL, {"kind": "score"}))
    one = client.get(URL, {"enrolment": other.pk})
    theirs = kinds_on(client.get(URL, {"institution": inst2.pk}))
    by_staff = kinds_on(client.get(URL, {"actor": inst2_staff.username}))

    assert set(scores) == {"score"} and len(scores) == ScoreChange.objects.count()
    assert sorted(kinds_on(one)) == sorted(
        ["score"] * ScoreChange.objects.filter(enrolment=other).count()
        + ["state"] * StateLog.objects.filter(enrolment=other).count()
    )
    assert f"/enrolments/{history['certificate'].enrolment_id}/" not in one.content.decode()
    assert (
        len(theirs)
        == StateLog.objects.filter(enrolment__batch__institution=inst2).count()
        + ScoreChange.objects.filter(enrolment__batch__institution=inst2).count()
    )
    assert (
        len(by_staff)
        == StateLog.objects.filter(actor=inst2_staff).count() + ScoreChange.objects.filter(actor=inst2_staff).count()
    )


def test_an_unknown_actor_is_a_clear_message_and_no_list(client, officer, history):
    client.force_login(officer)

    response = client.get(URL, {"actor": "nobody-here"})

    assert response.status_code == 400 and kinds_on(response) == []


def test_keyset_pages_walk_every_entry_once_in_order(client, officer, history, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 7)
    client.force_login(officer)
    seen, url = [], URL
    while url:
        response = client.get(url)
        page = response.content.decode()
        seen += re.findall(r'<tr data-kind="(\w+)">\s*<td class="nowrap">([^<]+)</td>', page)
        following = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', page)
        url = URL + following.group(1).replace("&amp;", "&") if following else None

    everything = list(audit.every_entry(audit.Filters()))
    assert len(seen) == len(everything) == total_rows()
    assert [kind for kind, _time in seen] == [entry.kind for entry in everything]


def test_a_later_page_costs_the_queries_of_the_first(client, officer, history, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 5)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as first:
        response = client.get(URL)
    following = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', response.content.decode()).group(1)
    with CaptureQueriesContext(connection) as later:
        client.get(URL + following.replace("&amp;", "&"))

    assert len(later) == len(first)


def test_the_export_has_every_entry_of_the_filter(client, officer, inst2, history):
    client.force_login(officer)

    response = client.get("/officer/audit.xlsx", {"institution": inst2.pk})

    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == len(kinds_on(client.get(URL, {"institution": inst2.pk})))
    assert {row[3] for row in rows[1:]} == {inst2.name}


@pytest.mark.parametrize("path", [URL, "/officer/audit.xlsx"])
def test_anonymous_visitors_go_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["inst1_staff", "assessor", "trainee_user"])
@pytest.mark.parametrize("path", [URL, "/officer/audit.xlsx"])
def test_only_the_office_sees_the_audit(client, request, who, path, inst1):
    client.force_login(request.getfixturevalue(who))

    assert client.get(path, {"institution": inst1.pk}).status_code == 403
