"""Trainee account activation from the one-time code on the slip (/accounts/activate/)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certification.accounts import issue_activation_code
from certification.models import ActivationCode, User

NEW_PASSWORD = "sewing-machine-2024"
SAME_FAILURE = "The ID number or the activation code is not valid"


@pytest.fixture
def slip_code(trainee_user, inst1_staff):
    return issue_activation_code(staff=inst1_staff, trainee_id=trainee_user.trainee.pk)


def activate(client, id_number, code, password=NEW_PASSWORD, password2=None, **extra):
    return client.post(
        reverse("activate"),
        {
            "id_number": id_number,
            "code": code,
            "new_password1": password,
            "new_password2": password if password2 is None else password2,
        },
        **extra,
    )


def code_is_unused(user) -> bool:
    return ActivationCode.objects.filter(user=user, used_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_activation_form_is_public(client):
    response = client.get(reverse("activate"))
    assert response.status_code == 200
    assert b'name="code"' in response.content


def test_a_valid_code_sets_the_password_and_logs_the_trainee_in(client, trainee_user, slip_code):
    response = activate(client, trainee_user.username, slip_code)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    trainee_user.refresh_from_db()
    assert trainee_user.check_password(NEW_PASSWORD)
    assert client.get(reverse("dashboard")).wsgi_request.user == trainee_user
    assert not code_is_unused(trainee_user)


def test_the_code_may_be_typed_in_lower_case_with_spaces(client, trainee_user, slip_code):
    response = activate(client, f" {trainee_user.username.lower()} ", f"{slip_code[:5].lower()} {slip_code[5:]}")
    assert response.status_code == 302


def test_the_trainee_then_logs_in_with_id_number_and_new_password(client, trainee_user, slip_code):
    activate(client, trainee_user.username, slip_code)
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": trainee_user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_an_unknown_id_number_gets_the_same_message_as_a_wrong_code(client, trainee_user, slip_code):
    unknown = activate(client, "110101199003070000", slip_code)
    wrong_code = activate(client, trainee_user.username, "ABCDEFGHJK")
    assert unknown.status_code == wrong_code.status_code == 400
    assert unknown.context["form"].non_field_errors() == wrong_code.context["form"].non_field_errors()
    assert SAME_FAILURE in unknown.content.decode()
    assert code_is_unused(trainee_user)


def test_an_expired_code_is_refused_with_the_same_message(client, trainee_user, slip_code):
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = activate(client, trainee_user.username, slip_code)
    assert response.status_code == 400
    assert SAME_FAILURE in response.content.decode()
    assert not User.objects.get(pk=trainee_user.pk).has_usable_password()


def test_a_used_code_does_not_work_a_second_time(client, trainee_user, slip_code):
    activate(client, trainee_user.username, slip_code)
    client.post(reverse("logout"))
    response = activate(client, trainee_user.username, slip_code, password="another-long-secret-99")
    assert response.status_code == 400
    assert SAME_FAILURE in response.content.decode()
    assert User.objects.get(pk=trainee_user.pk).check_password(NEW_PASSWORD)


def test_an_earlier_code_stops_working_when_a_new_slip_is_printed(client, trainee_user, slip_code, inst1_staff):
    issue_activation_code(staff=inst1_staff, trainee_id=trainee_user.trainee.pk)
    assert activate(client, trainee_user.username, slip_code).status_code == 400


def test_two_different_passwords_are_refused_and_the_code_stays_usable(client, trainee_user, slip_code):
    response = activate(client, trainee_user.username, slip_code, password2="something-else-entirely")
    assert response.status_code == 400
    assert response.context["form"].errors["new_password2"]
    assert code_is_unused(trainee_user)


def test_a_password_that_fails_the_validators_is_refused(client, trainee_user, slip_code):
    response = activate(client, trainee_user.username, slip_code, password="12345678901")
    assert response.status_code == 400
    assert response.context["form"].errors["new_password1"]
    assert code_is_unused(trainee_user)


def test_the_id_number_itself_is_not_accepted_as_the_password(client, trainee_user, slip_code):
    response = activate(client, trainee_user.username, slip_code, password=trainee_user.username)
    assert response.status_code == 400
    assert code_is_unused(trainee_user)


def test_the_eleventh_try_within_fifteen_minutes_is_refused_with_429(client, trainee_user, slip_code):
    for _ in range(10):
        assert activate(client, trainee_user.username, "WRONGCODE2").status_code == 400
    response = activate(client, trainee_user.username, slip_code)
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()
    assert code_is_unused(trainee_user)


def test_the_limit_lifts_after_the_window(client, trainee_user, slip_code):
    for _ in range(11):
        activate(client, trainee_user.username, "WRONGCODE2")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert activate(client, trainee_user.username, slip_code).status_code == 302


def test_the_limit_is_kept_per_client_address(client, trainee_user, slip_code):
    for _ in range(11):
        activate(client, trainee_user.username, "WRONGCODE2", REMOTE_ADDR="203.0.113.9")
    assert activate(client, trainee_user.username, slip_code, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_logged_in_user_is_sent_to_the_dashboard(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.get(reverse("activate"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_the_page_says_a_deactivated_account_stays_deactivated(client, trainee_user, slip_code):
    trainee_user.is_active = False
    trainee_user.save()

    response = activate(client, trainee_user.username, slip_code, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert "deactivated" in response.content.decode()
    trainee_user.refresh_from_db()
    assert not trainee_user.is_active and "_auth_user_id" not in client.session
