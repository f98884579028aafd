"""Share links (docs/spec.md §12): the holder creates one for 7, 30 or 90 days or until a date, and
may revoke it; the link opens the certificate's public facts and counts as a check through a share
link; an ended or revoked link says so and shows nothing of the certificate."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import sharing
from certificates.models import ShareLink, VerificationChannel, VerificationLog
from core.errors import InvalidInput, MoveForbidden


def share_page(certificate):
    return reverse("certificates:share_links", args=[certificate.pk])


def link_url(link):
    return reverse("certificates:verify_shared", args=[link.token])


@pytest.fixture
def holder(issued):
    return issued.enrolment.trainee.user


@pytest.mark.parametrize("days", ["7", "30", "90"])
def test_the_holder_creates_a_link_for_a_number_of_days(client, issued, holder, days):
    client.force_login(holder)

    response = client.post(share_page(issued), {"length": days})

    assert response.status_code == 302
    link = ShareLink.objects.get()
    last_day = timezone.localdate() + timedelta(days=int(days))
    assert timezone.localtime(link.expires_at) == timezone.make_aware(
        datetime.datetime.combine(last_day + timedelta(days=1), datetime.time.min)
    )
    assert link.certificate == issued and link.created_by == holder
    assert link_url(link) in client.get(share_page(issued)).content.decode()


def test_the_holder_creates_a_link_until_a_date(client, issued, holder):
    client.force_login(holder)
    until = timezone.localdate() + timedelta(days=45)

    client.post(share_page(issued), {"length": "date", "until": until.isoformat()})

    assert timezone.localdate(ShareLink.objects.get().expires_at) == until + timedelta(days=1)


@pytest.mark.parametrize(
    "data",
    [
        {"length": "date"},
        {"length": "date", "until": "2020-01-01"},
        {"length": "date", "until": (datetime.date.today() + timedelta(days=800)).isoformat()},
        {"length": "14"},
        {},
    ],
)
def test_a_wrong_length_is_refused_and_nothing_is_created(client, issued, holder, data):
    client.force_login(holder)

    response = client.post(share_page(issued), data)

    assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_the_link_opens_the_masked_public_facts_and_counts_as_a_share_link_check(client, issued, holder):
    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=7)

    response = client.get(link_url(link), REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 200
    body = response.content.decode()
    assert issued.number in body and "张*明" in body
    assert issued.holder_name not in body
    assert issued.enrolment.trainee.id_number not in body
    assert response.context["facts"]["holder"] == "张*明"
    check = VerificationLog.objects.get()
    assert (check.channel, check.certificate_id, check.found) == (VerificationChannel.SHARE_LINK, issued.pk, True)


def test_a_link_past_its_end_says_so_and_shows_nothing(client, issued, holder):
    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=7)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(link_url(link))

    assert response.status_code == 410
    body = response.content.decode()
    assert 'data-share-ended="expired"' in body
    assert issued.number not in body
    assert not VerificationLog.objects.exists()


def test_the_holder_revokes_a_link_and_it_stops_at_once(client, issued, holder):
    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=30)
    client.force_login(holder)

    response = client.post(reverse("certificates:revoke_share_link", args=[issued.pk, link.pk]))

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    ended = client.get(link_url(link))
    assert ended.status_code == 410 and 'data-share-ended="revoked"' in ended.content.decode()


def test_revoking_twice_keeps_the_first_time(issued, holder):
    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=30)
    first = sharing.revoke_share_link(holder=holder, certificate_id=issued.pk, link_id=link.pk).revoked_at

    assert sharing.revoke_share_link(holder=holder, certificate_id=issued.pk, link_id=link.pk).revoked_at == first


def test_an_unknown_token_is_not_found(client, issued):
    response = client.get(reverse("certificates:verify_shared", args=["no-such-token"]))

    assert response.status_code == 404
    assert VerificationLog.objects.get().channel == VerificationChannel.SHARE_LINK


def test_anonymous_is_sent_to_log_in_and_staff_and_officers_are_refused(client, issued, inst1_staff, officer):
    assert client.get(share_page(issued)).status_code == 302
    for person in (inst1_staff, officer):
        client.force_login(person)
        assert client.get(share_page(issued)).status_code == 403
        assert client.post(share_page(issued), {"length": "7"}).status_code == 403
    assert not ShareLink.objects.exists()


def test_another_trainee_can_neither_see_share_nor_revoke(client, issued, holder, inst2_certificate):
    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=30)
    client.force_login(inst2_certificate.enrolment.trainee.user)

    assert client.get(share_page(issued)).status_code == 404
    assert client.post(share_page(issued), {"length": "7"}).status_code == 404
    assert client.post(reverse("certificates:revoke_share_link", args=[issued.pk, link.pk])).status_code == 404
    # Nor through their own certificate's address with this link's id.
    own = inst2_certificate.pk
    assert client.post(reverse("certificates:revoke_share_link", args=[own, link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and ShareLink.objects.count() == 1


def test_the_services_refuse_anyone_but_the_holder(issued, inst2_certificate, inst1_staff):
    with pytest.raises(MoveForbidden):
        sharing.create_share_link(holder=inst1_staff, certificate_id=issued.pk, days=7)
    with pytest.raises(MoveForbidden):
        sharing.create_share_link(holder=inst2_certificate.enrolment.trainee.user, certificate_id=issued.pk, days=7)
    with pytest.raises(InvalidInput):
        sharing.create_share_link(
            holder=issued.enrolment.trainee.user, certificate_id=issued.pk, days=7, until=datetime.date.today()
        )


def test_a_revoked_certificates_link_shows_it_revoked(client, issued, holder, officer):
    from certificates import services

    link = sharing.create_share_link(holder=holder, certificate_id=issued.pk, days=7)
    services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="证件造假")

    response = client.get(link_url(link))

    assert response.status_code == 200 and response.context["facts"]["status"] == "revoked"
