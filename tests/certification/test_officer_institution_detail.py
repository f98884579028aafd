"""The institution's page and what the officer does on it: register, staff, quotas, vetting."""

import pytest

from certification import services, vetting
from certification.models import Institution, InstitutionStatus, Role, StateLog, Track, TrackQuota, User
from core.errors import RuleNotMet

from .. import factories
from .test_vetting import valid_org_code


def detail_url(institution) -> str:
    return f"/officer/institutions/{institution.pk}/"


PAGES = [
    ("get", "/officer/institutions/new/"),
    ("get", "/officer/institutions/{pk}/"),
    ("post", "/officer/institutions/{pk}/staff/"),
    ("post", "/officer/institutions/{pk}/quotas/"),
    ("post", "/officer/institutions/{pk}/vetting/suspend/"),
]


# Registering an institution


def test_it_registers_an_institution_as_pending(client, officer):
    code = valid_org_code()
    client.force_login(officer)
    response = client.post(
        "/officer/institutions/new/",
        {
            "name": "温州服装技能学校",
            "org_code": f" {code.lower()} ",
            "contact_name": "陈老师",
            "contact_phone": "0577-8888",
            "address": "温州市鹿城区",
        },
    )
    institution = Institution.objects.get(org_code=code)
    assert response.status_code == 302 and response["Location"] == detail_url(institution)
    assert institution.status == InstitutionStatus.PENDING


def test_it_shows_the_registration_form(client, officer):
    client.force_login(officer)
    response = client.get("/officer/institutions/new/")
    assert response.status_code == 200
    assert 'name="org_code"' in response.content.decode()


def test_it_explains_a_wrong_org_code(client, officer):
    client.force_login(officer)
    code = valid_org_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post("/officer/institutions/new/", {"name": "学校", "org_code": wrong})
    assert response.status_code == 400
    assert "check character" in response.content.decode()
    assert not Institution.objects.filter(name="学校").exists()


# The detail page


def test_it_shows_facts_staff_and_quotas(client, officer, inst1, inst1_staff):
    client.force_login(officer)
    response = client.get(detail_url(inst1))
    assert response.status_code == 200
    page = response.content.decode()
    assert inst1.org_code in page and inst1_staff.username in page
    this_year = response.context["quota_rows"][0]
    assert [cell["quota"] for cell in this_year["cells"]] == [100, 100, 100]
    assert [move for move, _label, _style in response.context["vetting_buttons"]] == ["suspend"]


def test_unknown_institution_is_404(client, officer):
    client.force_login(officer)
    assert client.get("/officer/institutions/999999/").status_code == 404
    assert client.post("/officer/institutions/999999/quotas/", {}).status_code == 404


@pytest.mark.parametrize("method, url", PAGES)
def test_it_redirects_anonymous_to_login(client, inst1, method, url):
    response = getattr(client, method)(url.format(pk=inst1.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor", "trainee_user"])
@pytest.mark.parametrize("method, url", PAGES)
def test_it_refuses_everyone_but_officers(client, request, inst1, role_fixture, method, url):
    client.force_login(request.getfixturevalue(role_fixture))
    assert getattr(client, method)(url.format(pk=inst1.pk), {"note": "x", "quota": 0}).status_code == 403
    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.APPROVED


# Staff accounts


def test_it_adds_a_staff_account(client, officer, inst1):
    client.force_login(officer)
    response = client.post(
        f"{detail_url(inst1)}staff/",
        {
            "username": "hz-zhou",
            "name": "周老师",
            "email": "zhou@example.com",
            "password": "Sewing-2026-pattern",
        },
    )
    assert response.status_code == 302
    staff = User.objects.get(username="hz-zhou")
    assert staff.role == Role.INSTITUTION and staff.institution == inst1
    assert staff.check_password("Sewing-2026-pattern")


def test_it_explains_a_weak_password_and_keeps_the_other_fields(client, officer, inst1):
    client.force_login(officer)
    response = client.post(
        f"{detail_url(inst1)}staff/",
        {
            "username": "hz-zhou",
            "name": "周老师",
            "email": "zhou@example.com",
            "password": "123",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="hz-zhou"' in page and 'value="123"' not in page
    assert not User.objects.filter(username="hz-zhou").exists()


# Quotas


def test_it_sets_a_quota(client, officer, inst1):
    track = Track.objects.get(code="NM")
    client.force_login(officer)
    response = client.post(f"{detail_url(inst1)}quotas/", {"track": track.pk, "year": 2031, "quota": 60})
    assert response.status_code == 302
    assert TrackQuota.objects.get(institution=inst1, track=track, year=2031).quota == 60
    context = client.get(detail_url(inst1)).context
    nm_column = context["tracks"].index(track)
    assert context["quota_rows"][0]["year"] == 2031 and context["quota_rows"][0]["cells"][nm_column]["quota"] == 60


def test_a_quota_below_the_approved_enrolments_is_refused_with_a_clear_message(client, officer, inst1, inst1_staff):
    enrolments = [factories.draft_enrolment(inst1_staff, "PM") for _ in range(2)]
    for enrolment in enrolments:
        services.submit_enrolment(actor=inst1_staff, enrolment_id=enrolment.pk)
    services.approve_enrolments(officer=officer, enrolment_ids=[e.pk for e in enrolments])
    quota = TrackQuota.objects.get(institution=inst1, track__code="PM")
    client.force_login(officer)
    response = client.post(f"{detail_url(inst1)}quotas/", {"track": quota.track_id, "year": quota.year, "quota": 1})
    assert response.status_code == 409
    assert "2 enrolments are already approved" in response.content.decode()
    quota.refresh_from_db()
    assert quota.quota == 100


def test_a_negative_quota_is_bad_input(client, officer, inst1):
    track = Track.objects.get(code="PM")
    client.force_login(officer)
    response = client.post(f"{detail_url(inst1)}quotas/", {"track": track.pk, "year": 2031, "quota": -1})
    assert response.status_code == 400


# Vetting


def test_it_approves_a_pending_institution_with_a_note(client, officer):
    institution = factories.institution("新学校", status=InstitutionStatus.PENDING)
    client.force_login(officer)
    response = client.post(f"{detail_url(institution)}vetting/approve/", {"note": "材料齐全"})
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED and institution.vetting_decisions.get().note == "材料齐全"
    assert institution.vetted_at is not None
    assert "材料齐全" in client.get(detail_url(institution)).content.decode()


def test_it_lists_the_vetting_decisions_with_who_and_when(client, officer, inst1):
    officer.first_name = "王科长"
    officer.save()
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    vetting.reinstate_institution(officer=officer, institution_id=inst1.pk, note="调查结束")
    client.force_login(officer)
    page = client.get(detail_url(inst1)).content.decode()
    history = page[page.index('class="vetting-history"') :]
    history = history[: history.index("</ol>")]
    assert history.count("王科长") == 2
    assert history.index("投诉调查中") < history.index("调查结束")
    assert "Suspended" in history or "suspended" in history


def test_notes_written_before_decisions_were_rows_are_still_shown(client, officer, inst1):
    Institution.objects.filter(pk=inst1.pk).update(vetting_note="2025-03-01 09:00 · 老科长 · 已批准: 现场核查合格")
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    client.force_login(officer)
    page = client.get(detail_url(inst1)).content.decode()
    assert page.index("现场核查合格") < page.index("投诉调查中")
    inst1.refresh_from_db()
    assert inst1.vetting_note == "2025-03-01 09:00 · 老科长 · 已批准: 现场核查合格"


def test_the_institution_page_query_count_does_not_grow_with_decisions(client, officer, inst1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="one")
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(inst1))
    for note in ("two", "three", "four"):
        vetting.reinstate_institution(officer=officer, institution_id=inst1.pk, note=note)
        vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note=note)
    with CaptureQueriesContext(connection) as many:
        client.get(detail_url(inst1))
    assert len(many) == len(few)


def test_it_suspends_then_reinstates(client, officer, inst1):
    client.force_login(officer)
    assert client.post(f"{detail_url(inst1)}vetting/suspend/", {"note": "投诉调查中"}).status_code == 302
    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.SUSPENDED
    page = client.get(detail_url(inst1)).content.decode()
    assert "投诉调查中" in page
    assert client.post(f"{detail_url(inst1)}vetting/reinstate/", {"note": "调查结束"}).status_code == 302
    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.APPROVED


def test_suspending_without_a_reason_is_bad_input(client, officer, inst1):
    client.force_login(officer)
    response = client.post(f"{detail_url(inst1)}vetting/suspend/", {"note": ""})
    assert response.status_code == 400
    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.APPROVED


def test_a_move_from_the_wrong_status_is_a_conflict(client, officer, inst1):
    client.force_login(officer)
    response = client.post(f"{detail_url(inst1)}vetting/approve/", {"note": ""})
    assert response.status_code == 409


def test_an_unknown_vetting_move_is_404(client, officer, inst1):
    client.force_login(officer)
    assert client.post(f"{detail_url(inst1)}vetting/delete/", {"note": "x"}).status_code == 404


def test_a_suspended_institutions_staff_cannot_submit(client, officer, inst1, inst1_staff, draft_enrolment):
    client.force_login(officer)
    client.post(f"{detail_url(inst1)}vetting/suspend/", {"note": "投诉调查中"})
    with pytest.raises(RuleNotMet):
        services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)
    assert not StateLog.objects.filter(enrolment=draft_enrolment).exists()
