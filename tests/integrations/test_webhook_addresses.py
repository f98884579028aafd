"""Webhooks go to the internet only (docs/spec.md §11): loopback, private, link-local, multicast,
reserved and metadata addresses are refused when an endpoint is registered and again at delivery,
unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is on; the request goes to the address that was checked."""

import ipaddress
import socket

import pytest
from django.utils import timezone

from certification import services as lifecycle
from core.errors import InvalidInput
from integrations import services
from integrations.models import EventType, WebhookAttempt, WebhookEndpoint
from integrations.webhooks import addresses, delivery

EVENTS = [EventType.ENROLMENT_APPROVED]


@pytest.fixture
def public_only(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.10/hooks",
        "https://172.16.0.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
        "https://240.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fc00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[::ffff:169.254.169.254]/hooks",
        "https://[64:ff9b::7f00:1]/hooks",
        "https://[2002:7f00:1::]/hooks",
    ],
)
def test_a_non_public_address_is_refused_at_registration(url, inst1_staff, public_only):
    with pytest.raises(InvalidInput, match="not a public address"):
        services.register_endpoint(staff=inst1_staff, url=url, events=EVENTS)

    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://example.org/hooks", "ftp://example.org/", "https://user:pw@example.org/", "not a url"]
)
def test_plain_http_and_odd_addresses_are_refused(url, inst1_staff, public_only):
    with pytest.raises(InvalidInput):
        services.register_endpoint(staff=inst1_staff, url=url, events=EVENTS)


def test_a_name_resolving_to_a_private_address_among_public_ones_is_refused(inst1_staff, public_only, monkeypatch):
    def resolver(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolver)

    with pytest.raises(InvalidInput, match="10.0.0.5"):
        services.register_endpoint(staff=inst1_staff, url="https://hooks.example.org/", events=EVENTS)


def test_public_addresses_pass():
    assert addresses.is_public(ipaddress.ip_address("93.184.216.34"))
    assert addresses.is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def test_the_check_runs_again_at_delivery(inst1_staff, officer, receiver, submitted_enrolment, settings):
    """Registered while allowed (as if the name resolved publicly then), refused when it is sent."""
    endpoint, _secret = services.register_endpoint(staff=inst1_staff, url=receiver.url, events=EVENTS)
    # As if it had been registered under its https name; the receiver never gets to answer anyway.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"https://127.0.0.1:{receiver.port}/hooks")
    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    delivery.send_due(now=timezone.now())

    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert not attempt.succeeded and "not a public address" in attempt.error
    assert endpoint.deliveries.get().status == "pending"  # retried: it may be a passing DNS fault


def test_the_request_goes_to_the_checked_address_with_the_hosts_name(
    inst1_staff, officer, receiver, submitted_enrolment, monkeypatch
):
    """The name is resolved once per attempt and the connection made to that address: a second
    resolution (DNS rebinding) never happens."""
    calls = []

    def resolver(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolver)
    services.register_endpoint(staff=inst1_staff, url=f"http://hooks.example.test:{receiver.port}/in", events=EVENTS)
    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])
    calls.clear()

    delivery.send_due(now=timezone.now())

    assert calls.count("hooks.example.test") == 1  # (the connection "resolves" the literal 127.0.0.1)
    assert set(calls) <= {"hooks.example.test", "127.0.0.1"}
    (received,) = receiver.received
    assert received.path == "/in" and received.headers["Host"] == f"hooks.example.test:{receiver.port}"
