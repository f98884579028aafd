"""The office creates employer accounts on its own page; an employer logs in to a dashboard with its
bulk verification and keys, and sees nothing of the programme's data."""

import pytest
from django.urls import reverse

from certification.models import Role, User

URL = reverse("integrations:employers")
NEW = {"name": "宁波某制衣厂", "username": "nb-garments", "email": "hr@example.org", "password": "a-long-pass-2026"}


def test_the_office_creates_an_employer_account(client, officer):
    client.force_login(officer)

    response = client.post(URL, NEW)

    assert response.status_code == 302
    employer = User.objects.get(username="nb-garments")
    assert employer.role == Role.EMPLOYER and employer.is_employer and employer.first_name == "宁波某制衣厂"
    assert employer.institution_id is None and not employer.is_staff
    assert employer.check_password("a-long-pass-2026")


def test_a_taken_login_or_weak_password_is_refused_with_nothing_created(client, officer, employer):
    client.force_login(officer)

    taken = client.post(URL, {**NEW, "username": employer.username})
    weak = client.post(URL, {**NEW, "password": "12345"})

    assert taken.status_code == 400 and "already taken" in taken.content.decode()
    assert weak.status_code == 400
    assert User.objects.filter(role=Role.EMPLOYER).count() == 1


def test_the_office_switches_an_employer_off(client, officer, employer):
    client.force_login(officer)

    client.post(reverse("integrations:employer_active", args=[employer.pk]), {"active": "0"})

    employer.refresh_from_db()
    assert not employer.is_active


def test_the_switch_touches_only_employer_accounts(client, officer, inst1_staff):
    client.force_login(officer)

    client.post(reverse("integrations:employer_active", args=[inst1_staff.pk]), {"active": "0"})

    inst1_staff.refresh_from_db()
    assert inst1_staff.is_active


@pytest.mark.parametrize("who", ["inst1_staff", "assessor", "employer", "trainee_user"])
def test_other_roles_are_refused(client, who, request, employer):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, NEW).status_code == 403
    assert client.post(reverse("integrations:employer_active", args=[employer.pk]), {"active": "0"}).status_code == 403
    assert not User.objects.filter(username="nb-garments").exists()
    employer.refresh_from_db()
    assert employer.is_active


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_employers_dashboard_and_menu_lead_to_bulk_verification(client, employer):
    client.force_login(employer)

    body = client.get(reverse("dashboard")).content.decode()

    assert reverse("integrations:bulk_verify") in body and reverse("integrations:keys") in body


@pytest.mark.parametrize(
    "page", ["enrolments:list", "institution:trainees", "certificates:list", "exchange:index", "officer:approvals"]
)
def test_an_employer_sees_none_of_the_programmes_pages(client, employer, page):
    client.force_login(employer)

    assert client.get(reverse(page)).status_code in (403, 404)
