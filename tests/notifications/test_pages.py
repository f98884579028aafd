"""The bell, the list, marking read, preferences and unsubscribing: each person sees only their own."""

import pytest
from django.urls import reverse

from notifications.models import Notification, Preference
from notifications.services import notify, unsubscribe_token


@pytest.fixture
def notice(inst1_staff):
    notify(kind="issued", event_key="k1", recipients=[inst1_staff], params={"count": 4}, url="/certificates/")
    return Notification.objects.get(recipient=inst1_staff)


@pytest.mark.parametrize("name", ["notifications:list", "notifications:preferences"])
def test_anonymous_goes_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_cannot_mark_read(client, notice):
    for url in (reverse("notifications:read", args=[notice.pk]), reverse("notifications:read_all")):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_bell_counts_the_unread_and_the_list_links_to_the_object(client, inst1_staff, notice):
    client.force_login(inst1_staff)

    page = client.get(reverse("dashboard")).content.decode()
    assert 'class="bell-count">1<' in page
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "4 certificates issued" in listing
    assert 'href="/certificates/"' in listing


def test_marking_read_lowers_the_count(client, inst1_staff, notice):
    client.force_login(inst1_staff)

    client.post(reverse("notifications:read", args=[notice.pk]))

    assert "bell-count" not in client.get(reverse("dashboard")).content.decode()


def test_another_persons_notification_is_not_found_nor_listed(client, inst2_staff, notice):
    client.force_login(inst2_staff)

    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    assert "4 certificates issued" not in client.get(reverse("notifications:list")).content.decode()
    client.post(reverse("notifications:read_all"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_needs_a_post(client, inst1_staff, notice):
    client.force_login(inst1_staff)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_preferences_are_saved(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post(
        reverse("notifications:preferences"), {"language": "en", "emailed_kinds": ["issued"], "digest": "on"}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=inst1_staff)
    assert preference.digest and "issued" not in preference.muted_kinds and "rejected" in preference.muted_kinds


def test_the_unsubscribe_link_works_without_logging_in(client, inst1_staff):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(inst1_staff, "issued")])

    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    assert Preference.objects.get(user=inst1_staff).muted_kinds == ["issued"]


def test_a_tampered_unsubscribe_link_is_not_found(client, inst1_staff):
    token = unsubscribe_token(inst1_staff) + "x"
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 404
    assert not Preference.objects.filter(user=inst1_staff).exists()
