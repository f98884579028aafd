"""The admin back office never moves an enrolment and never edits the state log (docs/spec.md §4, §3)."""

import pytest

from certification.models import Enrolment, EnrolmentStatus, Role, StateLog, User


def change_url(enrolment) -> str:
    return f"/admin/certification/enrolment/{enrolment.pk}/change/"


def test_the_officer_sees_an_enrolment_read_only_with_no_status_input(client, officer, submitted_enrolment):
    client.force_login(officer)

    response = client.get(change_url(submitted_enrolment))

    assert response.status_code in (200, 403)
    if response.status_code == 200:
        page = response.content.decode()
        assert 'name="status"' not in page
        assert 'name="_save"' not in page
        assert str(submitted_enrolment.get_status_display()) in page


def test_posting_a_status_in_the_admin_is_refused_and_changes_nothing(client, officer, submitted_enrolment):
    client.force_login(officer)

    response = client.post(change_url(submitted_enrolment), {"status": EnrolmentStatus.CERTIFIED, "_save": "Save"})

    assert response.status_code == 403
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED
    assert StateLog.objects.filter(enrolment=submitted_enrolment).count() == 1


def test_the_admin_cannot_add_or_delete_enrolments(client, officer, submitted_enrolment):
    client.force_login(officer)

    assert client.get("/admin/certification/enrolment/add/").status_code == 403
    assert (
        client.post(f"/admin/certification/enrolment/{submitted_enrolment.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        "/admin/certification/enrolment/",
        {
            "action": "delete_selected",
            "_selected_action": [submitted_enrolment.pk],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 302, 403)
    assert Enrolment.objects.filter(pk=submitted_enrolment.pk).exists()


def test_the_state_log_has_no_add_change_or_delete_in_the_admin(client, officer, submitted_enrolment):
    client.force_login(officer)
    log = StateLog.objects.get(enrolment=submitted_enrolment)

    assert client.get("/admin/certification/statelog/").status_code == 200
    assert client.get("/admin/certification/statelog/add/").status_code == 403
    assert client.post(f"/admin/certification/statelog/{log.pk}/change/", {"reason": "edited"}).status_code == 403
    assert client.post(f"/admin/certification/statelog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/certification/statelog/{log.pk}/change/").content.decode()
    assert 'name="reason"' not in page
    log.refresh_from_db()
    assert log.reason == ""


@pytest.mark.parametrize("model", ["enrolment", "statelog"])
def test_no_admin_user_gets_add_change_or_delete_even_a_superuser(db, rf, model):
    from django.contrib import admin

    superuser = User.objects.create_superuser("root", password="x" * 12, role=Role.OFFICER)
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[{"enrolment": Enrolment, "statelog": StateLog}[model]]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_institution_staff_and_trainees_do_not_reach_the_admin(client, inst1_staff, trainee_user):
    for person in (inst1_staff, trainee_user):
        client.force_login(person)
        response = client.get("/admin/certification/enrolment/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_officer_cannot_make_themselves_a_superuser_in_the_admin(client, officer):
    client.force_login(officer)
    page = client.get(f"/admin/certification/user/{officer.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page

    client.post(
        f"/admin/certification/user/{officer.pk}/change/",
        {
            "username": officer.username,
            "role": Role.OFFICER,
            "is_active": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    officer.refresh_from_db()
    assert not officer.is_superuser
