"""The public verify page and its JSON twin (docs/spec.md §6): masked facts, the same answer for every
wrong number, a rate limit, and a log line for every lookup."""

import re
from datetime import UTC, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import VerificationChannel, VerificationLog
from certification import services as lifecycle_services
from certification.identity import mask_name

from .conftest import ready_enrolments

# What differs between two responses without telling anything: the CSRF token, and the language
# switcher's "come back to this address" field (base.html), which repeats the path that was asked.
PER_REQUEST = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|name="next" type="hidden" value="[^"]+"')


def page(client, number):
    return client.get(reverse("certificates:verify", args=[number]))


def test_it_shows_a_valid_certificate_with_masked_facts(client, issued):
    response = page(client, issued.number)

    body = response.content.decode()
    assert response.status_code == 200
    assert issued.number in body
    assert mask_name("张晓明") in body and "张晓明" not in body
    assert issued.holder_id_number_masked in body
    assert issued.enrolment.trainee.id_number not in body
    assert "时尚工程师（制版师）" in body and "四级/中级工" in body and issued.issuer_name in body
    assert "badge-valid" in body


def test_anyone_may_verify_without_logging_in(client, issued):
    assert page(client, issued.number).status_code == 200


def test_a_lower_case_or_spaced_number_is_found(client, issued):
    assert page(client, issued.number.lower()).status_code == 200


def test_every_wrong_number_gets_the_same_answer(client, issued, ready_enrolment, officer, inst1_staff, assessor):
    pending = ready_enrolments(inst1_staff, officer, assessor, 1)[0]
    lifecycle_services._move(actor=officer, enrolment_id=pending.pk, transition="issue")  # numbered, no PDF yet
    pending_number = pending.certificates.get().number
    wrong = ["Y000133000101264999999", "not-a-number", "Y0001", pending_number, issued.number[:-1] + "9"]

    responses = [page(client, number) for number in wrong]

    assert {response.status_code for response in responses} == {404}
    bodies = {PER_REQUEST.sub(b"", response.content) for response in responses}
    assert len(bodies) == 1
    assert b"Y000133000101264999999" not in bodies.pop()


def test_a_superseded_certificate_points_to_its_correction(client, issued, officer):
    new = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name")

    body = page(client, issued.number).content.decode()

    assert "badge-superseded" in body
    assert reverse("certificates:verify", args=[new.number]) in body


def test_a_revoked_certificate_says_so_with_the_date(client, issued, officer):
    revoked = services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")

    body = page(client, issued.number).content.decode()

    assert "badge-revoked" in body
    assert timezone.localdate(revoked.revoked_at).isoformat() in body
    assert "fraud" not in body  # the reason stays with the office


def test_every_lookup_is_logged(client, issued):
    page(client, issued.number)
    page(client, "Y000133000101264999999")

    logs = list(VerificationLog.objects.order_by("pk").values_list("channel", "query", "found", "certificate"))
    assert logs == [
        (VerificationChannel.PAGE, issued.number, True, issued.pk),
        (VerificationChannel.PAGE, "Y000133000101264999999", False, None),
    ]


def test_lookups_are_rate_limited_per_address(client, issued, settings):
    settings.CERT_VERIFY_RATE_LIMIT = 3

    statuses = [page(client, issued.number).status_code for _ in range(4)]
    other_address = client.get(reverse("certificates:verify", args=[issued.number]), REMOTE_ADDR="10.0.0.9")

    assert statuses == [200, 200, 200, 429]
    assert other_address.status_code == 200


def test_the_json_gives_the_same_masked_facts(client, issued):
    response = client.get(reverse("certificates:verify_json", args=[issued.number]))

    data = response.json()
    assert response.status_code == 200
    assert data["found"] is True and data["status"] == "valid" and data["number"] == issued.number
    assert data["holder"] == mask_name("张晓明")
    assert data["id_number"] == issued.holder_id_number_masked
    assert data["title"] == "时尚工程师（制版师）" and data["level_label"] == "四级/中级工"
    assert data["issue_date"] == issued.issue_date.isoformat()
    assert data["verify_url"].endswith(reverse("certificates:verify", args=[issued.number]))


@pytest.mark.parametrize("number", ["Y000133000101264999999", "garbage"])
def test_the_json_for_a_wrong_number_says_only_not_found(client, db, number):
    response = client.get(reverse("certificates:verify_json", args=[number]))

    assert (response.status_code, response.json()) == (404, {"found": False})


def test_the_json_reports_revocation(client, issued, officer):
    services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")

    data = client.get(reverse("certificates:verify_json", args=[issued.number])).json()

    assert data["status"] == "revoked" and data["revoked_on"]


def test_the_json_dates_a_revocation_on_the_applications_day(client, issued, officer):
    # 07:00 in Shanghai is 23:00 the day before in UTC.
    morning_in_shanghai = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(hour=23, minute=0)
    with time_machine.travel(morning_in_shanghai, tick=False):
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")

    data = client.get(reverse("certificates:verify_json", args=[issued.number])).json()

    assert data["revoked_on"] == timezone.localdate(morning_in_shanghai).isoformat()
    assert data["revoked_on"] != morning_in_shanghai.date().isoformat()


def test_the_json_is_rate_limited_too(client, issued, settings):
    settings.CERT_VERIFY_RATE_LIMIT = 1
    client.get(reverse("certificates:verify_json", args=[issued.number]))

    response = client.get(reverse("certificates:verify_json", args=[issued.number]))

    assert response.status_code == 429 and response.json()["error"] == "rate_limited"
