"""An institution's webhook pages: register an endpoint (secret shown once), see every attempt,
switch it off. Other roles are refused and another institution's endpoint is not found."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification import services as lifecycle
from integrations import services
from integrations.models import EventType, WebhookEndpoint
from integrations.webhooks import delivery

LIST = reverse("integrations:webhooks")


@pytest.fixture
def endpoint(inst1_staff, receiver):
    endpoint, _secret = services.register_endpoint(
        staff=inst1_staff, url=receiver.url, events=[EventType.ENROLMENT_APPROVED]
    )
    return endpoint


def test_staff_register_an_endpoint_and_see_the_secret_once(client, inst1_staff, receiver):
    client.force_login(inst1_staff)

    response = client.post(LIST, {"url": receiver.url, "events": ["enrolment.approved", "certificate.issued"]})

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert endpoint.institution_id == inst1_staff.institution_id
    assert endpoint.events == ["certificate.issued", "enrolment.approved"]
    assert endpoint.secret not in client.get(LIST).content.decode()
    assert (
        endpoint.secret not in client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).content.decode()
    )


def test_a_refused_address_is_shown_and_nothing_saved(client, inst1_staff, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(inst1_staff)

    response = client.post(LIST, {"url": "https://127.0.0.1/x", "events": ["enrolment.approved"]})

    assert response.status_code == 400
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_refused(client, inst1_staff, receiver):
    client.force_login(inst1_staff)

    response = client.post(LIST, {"url": receiver.url})

    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()


def test_the_detail_shows_every_attempt(client, inst1_staff, endpoint, receiver, submitted_enrolment, officer):
    receiver.answers = [500]
    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])
    delivery.send_due(now=timezone.now())
    client.force_login(inst1_staff)

    response = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "enrolment.approved" in body and "HTTP 500" in body and " ms" in body


def test_the_detail_costs_the_same_queries_with_more_deliveries(
    client, inst1_staff, endpoint, officer, django_assert_max_num_queries, submitted_enrolment
):
    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])
    delivery.send_due(now=timezone.now())
    client.force_login(inst1_staff)
    url = reverse("integrations:webhook_detail", args=[endpoint.pk])
    client.get(url)
    with django_assert_max_num_queries(12) as captured:
        client.get(url)
    few = len(captured)
    for _ in range(5):
        endpoint.deliveries.create(event_type="enrolment.approved", payload={}, next_attempt_at=timezone.now())
    delivery.send_due(now=timezone.now())

    with django_assert_max_num_queries(few):
        client.get(url)


def test_staff_switch_their_endpoint_off(client, inst1_staff, endpoint):
    client.force_login(inst1_staff)

    client.post(reverse("integrations:webhook_active", args=[endpoint.pk]), {"active": "0"})

    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_another_institutions_endpoint_is_not_found(client, inst2_staff, endpoint):
    client.force_login(inst2_staff)

    assert client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("integrations:webhook_active", args=[endpoint.pk]), {"active": "0"}).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.url not in client.get(LIST).content.decode()


@pytest.mark.parametrize("who", ["officer", "assessor", "employer", "trainee_user"])
def test_other_roles_are_refused(client, who, request, endpoint, receiver):
    client.force_login(request.getfixturevalue(who))

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"url": receiver.url, "events": ["enrolment.approved"]}).status_code == 403
    assert client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_anonymous_goes_to_the_login_page(client, endpoint):
    for url in (LIST, reverse("integrations:webhook_detail", args=[endpoint.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
