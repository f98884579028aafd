"""The admin is no detour around the services: vetting status and quotas change only through the
vetting pages, and an officer cannot take over a superuser's account (docs/spec.md §3, §9)."""

import pytest

from certification.models import InstitutionStatus, Role, TrackQuota, User


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="root-pass-2024!", role=Role.OFFICER)


def institution_form(institution, **overrides) -> dict:
    quotas = list(institution.quotas.order_by("pk"))
    data = {
        "name": institution.name,
        "org_code": institution.org_code,
        "status": institution.status,
        "contact_name": "",
        "contact_phone": "",
        "address": "",
        "vetting_note": "",
        "quotas-TOTAL_FORMS": str(len(quotas)),
        "quotas-INITIAL_FORMS": str(len(quotas)),
        "quotas-MIN_NUM_FORMS": "0",
        "quotas-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, quota in enumerate(quotas):
        data.update(
            {
                f"quotas-{index}-id": str(quota.pk),
                f"quotas-{index}-institution": str(institution.pk),
                f"quotas-{index}-track": str(quota.track_id),
                f"quotas-{index}-year": str(quota.year),
                f"quotas-{index}-quota": str(quota.quota),
            }
        )
    data.update(overrides)
    return data


def test_the_officer_cannot_set_an_institutions_vetting_status_in_the_admin(client, officer, inst1):
    inst1.status = InstitutionStatus.SUSPENDED
    inst1.save()
    client.force_login(officer)
    url = f"/admin/certification/institution/{inst1.pk}/change/"

    assert 'name="status"' not in client.get(url).content.decode()
    client.post(url, institution_form(inst1, status=InstitutionStatus.APPROVED))

    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.SUSPENDED


def test_an_institution_added_in_the_admin_is_pending_vetting(client, officer):
    client.force_login(officer)

    client.post(
        "/admin/certification/institution/add/",
        {
            "name": "新机构",
            "org_code": "91330100MA00000099",
            "status": InstitutionStatus.APPROVED,
            "quotas-TOTAL_FORMS": "0",
            "quotas-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    from certification.models import Institution

    assert Institution.objects.get(name="新机构").status == InstitutionStatus.PENDING


def test_the_officer_cannot_set_a_quota_in_the_admin(client, officer, inst1):
    quota = inst1.quotas.order_by("pk").first()
    client.force_login(officer)
    url = f"/admin/certification/institution/{inst1.pk}/change/"

    assert 'name="quotas-0-quota"' not in client.get(url).content.decode()
    client.post(url, institution_form(inst1, **{"quotas-0-quota": "9999"}))

    quota.refresh_from_db()
    assert quota.quota == 100
    assert TrackQuota.objects.filter(institution=inst1).count() == inst1.quotas.count()


def test_the_officer_cannot_set_a_superusers_password_in_the_admin(client, officer, superuser):
    client.force_login(officer)
    url = f"/admin/certification/user/{superuser.pk}/password/"

    assert client.get(url).status_code in (403, 404)
    response = client.post(
        url,
        {"password1": "taken-over-2024!", "password2": "taken-over-2024!", "usable_password": "true"},
    )

    assert response.status_code in (403, 404)
    superuser.refresh_from_db()
    assert not superuser.check_password("taken-over-2024!")
    assert superuser.check_password("root-pass-2024!")


def test_the_officer_neither_sees_nor_changes_a_superuser_in_the_admin(client, officer, superuser):
    client.force_login(officer)

    assert "root" not in client.get("/admin/certification/user/").content.decode()
    response = client.post(
        f"/admin/certification/user/{superuser.pk}/change/",
        {"username": "root", "first_name": "hacked", "role": Role.OFFICER, "is_active": ""},
    )

    assert response.status_code in (302, 403, 404)
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.first_name == ""


def test_the_officer_still_manages_other_users_in_the_admin(client, officer, inst1_staff):
    client.force_login(officer)

    assert client.get(f"/admin/certification/user/{inst1_staff.pk}/change/").status_code == 200
    assert client.get(f"/admin/certification/user/{inst1_staff.pk}/password/").status_code == 200


def test_a_superuser_still_sets_another_superusers_password(client, superuser):
    other = User.objects.create_superuser("root2", password="root-pass-2024!", role=Role.OFFICER)
    client.force_login(superuser)

    response = client.post(
        f"/admin/certification/user/{other.pk}/password/",
        {"password1": "new-root-pass-2024!", "password2": "new-root-pass-2024!", "usable_password": "true"},
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.check_password("new-root-pass-2024!")


def test_the_officer_cannot_shrink_or_move_a_batch_with_enrolments_in_the_admin(client, officer, enrolled_enrolment):
    batch = enrolled_enrolment.batch
    before = (batch.start_date, batch.capacity, batch.track_id)
    client.force_login(officer)
    url = f"/admin/certification/trainingbatch/{batch.pk}/change/"

    page = client.get(url).content.decode()
    assert 'name="capacity"' not in page and 'name="start_date"' not in page
    client.post(
        url,
        {
            "institution": str(batch.institution_id),
            "track": str(batch.track_id),
            "level": str(batch.level),
            "name": "改名",
            "start_date": f"{batch.start_date.year + 1}-01-01",
            "end_date": f"{batch.start_date.year + 1}-03-01",
            "capacity": "0",
            "_save": "Save",
        },
    )

    batch.refresh_from_db()
    assert (batch.start_date, batch.capacity, batch.track_id) == before
    assert batch.name == "改名"
