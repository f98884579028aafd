"""The office's view of verifications (docs/spec.md §12): checks per day and per certificate."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import check_rollup, verification
from certificates.models import VerificationChannel, VerificationLog

URL = reverse("certificates:check_counts")


def test_the_office_sees_checks_per_day_and_per_certificate(client, officer, issued, inst2_certificate):
    for _ in range(3):
        client.get(reverse("certificates:verify", args=[issued.number]))
    verification.record_check(inst2_certificate, VerificationChannel.BULK)
    client.get(reverse("certificates:verify", args=["Y000133000101264999999"]))  # found nothing
    client.force_login(officer)

    response = client.get(URL)

    assert response.status_code == 200
    today = response.context["per_day"][0]
    assert (today["day"], today["found"], today["not_found"]) == (timezone.localdate(), 4, 1)
    rows = response.context["per_certificate"]
    assert [(row["number"], row["n"]) for row in rows] == [(issued.number, 3), (inst2_certificate.number, 1)]
    assert issued.number in response.content.decode()


def test_the_period_is_chosen_and_older_checks_are_left_out(client, officer, issued):
    VerificationLog.objects.create(
        channel="page",
        query=issued.number,
        certificate=issued,
        found=True,
        created_at=timezone.now() - timedelta(days=40),
    )
    verification.record_check(issued, VerificationChannel.CREDENTIAL)
    client.force_login(officer)

    assert len(client.get(URL).context["per_day"]) == 1
    assert len(client.get(URL, {"days": "90"}).context["per_day"]) == 2
    assert client.get(URL, {"days": "13"}).context["days"] == 30


def test_anonymous_is_sent_to_log_in_and_other_roles_are_refused(client, issued, inst1_staff, assessor):
    assert client.get(URL).status_code == 302
    for person in (inst1_staff, assessor, issued.enrolment.trainee.user):
        client.force_login(person)
        assert client.get(URL).status_code == 403


def test_the_query_count_does_not_grow_with_certificates_or_days(client, officer, issued, inst2_certificate):
    client.force_login(officer)
    verification.record_check(issued, VerificationChannel.BULK)
    check_rollup.refresh()
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    verification.record_check(inst2_certificate, VerificationChannel.BULK)
    VerificationLog.objects.create(
        channel="qr", query=issued.number, certificate=issued, found=True, created_at=timezone.now() - timedelta(days=3)
    )
    check_rollup.refresh()  # the scheduler's round: the late row's day is counted again
    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(few)


def test_the_register_links_the_office_to_it(client, officer, issued):
    client.force_login(officer)

    assert URL in client.get(reverse("certificates:list")).content.decode()
