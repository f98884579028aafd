"""Notifications by e-mail through a real SMTP server (docs/spec.md §13): the right people, subjects
and links; nothing lost while the server is down; nothing sent for a move that was rolled back."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from certification import services
from certification.models import EnrolmentStatus
from notifications import delivery
from notifications.models import Delivery, Notification
from notifications.services import notify

from ..certification.test_lifecycle_transitions import enrolment_in
from .conftest import html_of, text_of

S = EnrolmentStatus


@pytest.fixture
def inst1_staff_with_mail(inst1_staff):
    inst1_staff.email = "inst1@example.org"
    inst1_staff.save()
    return inst1_staff


def test_a_return_for_correction_reaches_the_institutions_staff_with_a_link(
    smtp, inst1_staff_with_mail, officer, assessor
):
    enrolment = enrolment_in(S.UNDER_REVIEW, staff=inst1_staff_with_mail, officer=officer, assessor=assessor)

    services.decide_review(
        assessor=assessor, enrolment_id=enrolment.pk, decision="return_for_correction", reason="照片不清晰"
    )
    result = delivery.send_due()

    assert result == {"sent": 1, "failed": 0}
    [mail] = smtp.inbox.to("inst1@example.org")
    assert mail["To"] == "inst1@example.org"
    assert enrolment.trainee.name in mail["Subject"]
    assert "照片不清晰" in text_of(mail)
    assert f"http://127.0.0.1:8000/enrolments/{enrolment.pk}/" in text_of(mail)
    assert f'href="http://127.0.0.1:8000/enrolments/{enrolment.pk}/"' in html_of(mail)
    assert re.search(r"http://127\.0\.0\.1:8000/notifications/unsubscribe/[^/\s]+/", text_of(mail))
    assert str(mail["List-Unsubscribe"]).strip().startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    # Nobody else heard of it by mail, and a second round sends nothing again.
    assert len(smtp.inbox.messages) == 1
    assert delivery.send_due() == {"sent": 0, "failed": 0}


def test_nothing_is_lost_while_the_smtp_server_is_down_and_it_goes_when_it_is_back(smtp, inst1_staff_with_mail):
    notify(kind="issued", event_key="before", recipients=[inst1_staff_with_mail], params={"count": 1})
    assert delivery.send_due() == {"sent": 1, "failed": 0}

    smtp.stop()
    notify(kind="issued", event_key="while-down-1", recipients=[inst1_staff_with_mail], params={"count": 2})
    notify(kind="issued", event_key="while-down-2", recipients=[inst1_staff_with_mail], params={"count": 3})
    down = delivery.send_due()
    waiting = list(Notification.objects.filter(event_key__startswith="while-down"))
    print(f"\nserver down: {down}; waiting: {[(n.event_key, n.delivery, n.attempts, n.last_error) for n in waiting]}")

    assert down == {"sent": 0, "failed": 2}
    assert all(n.delivery == Delivery.PENDING and n.attempts == 1 and n.last_error for n in waiting)
    assert all(n.next_attempt_at > timezone.now() for n in waiting)  # backoff: not retried at once
    assert delivery.send_due() == {"sent": 0, "failed": 0}

    smtp.start()
    back = delivery.send_due(now=timezone.now() + timedelta(minutes=2))
    print(f"server back: {back}; inbox: {[m['Subject'] for _, m in smtp.inbox.messages]}")

    assert back == {"sent": 2, "failed": 0}
    assert len(smtp.inbox.to("inst1@example.org")) == 3  # each once, none twice
    assert set(Notification.objects.values_list("delivery", flat=True)) == {Delivery.SENT}


def test_the_wait_between_attempts_doubles_up_to_six_hours():
    waits = [delivery.backoff(n) for n in range(1, 12)]

    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6)


def test_a_rolled_back_move_notifies_and_sends_nothing(smtp, inst1_staff_with_mail, officer):
    enrolment = enrolment_in(S.SUBMITTED, staff=inst1_staff_with_mail, officer=officer, assessor=None)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.reject_enrolments(officer=officer, enrolment_ids=[enrolment.pk], reason="资料不全")
        assert Notification.objects.filter(recipient=inst1_staff_with_mail).count() == 1
        raise RuntimeError("the page failed after the move")

    assert Notification.objects.count() == 0
    assert delivery.send_due() == {"sent": 0, "failed": 0}
    assert smtp.inbox.messages == []


def test_one_event_reaches_one_person_once_even_when_told_twice(smtp, inst1_staff_with_mail):
    for _ in range(2):
        notify(kind="issued", event_key="issued:run:1:1", recipients=[inst1_staff_with_mail], params={"count": 5})
    delivery.send_due()

    assert Notification.objects.count() == 1
    assert len(smtp.inbox.messages) == 1


def test_the_mail_is_in_chinese_unless_the_person_chose_another_language(smtp, inst1_staff_with_mail, inst2_staff):
    from notifications.services import save_preferences

    inst2_staff.email = "inst2@example.org"
    inst2_staff.save()
    save_preferences(user=inst2_staff, language="en", muted_kinds=[], digest=False)
    notify(kind="issued", event_key="e", recipients=[inst1_staff_with_mail, inst2_staff], params={"count": 7})
    delivery.send_due()

    assert "7" in smtp.inbox.to("inst1@example.org")[0]["Subject"]
    assert smtp.inbox.to("inst2@example.org")[0]["Subject"].endswith("7 certificates issued")


def test_a_muted_kind_is_not_mailed_and_a_digest_gathers_the_day_in_one_mail(smtp, inst1_staff_with_mail):
    from notifications.services import save_preferences

    save_preferences(user=inst1_staff_with_mail, language="en", muted_kinds=["rejected"], digest=True)
    notify(kind="rejected", event_key="r", recipients=[inst1_staff_with_mail], params={"name": "甲"})
    for n in range(3):
        notify(kind="issued", event_key=f"i{n}", recipients=[inst1_staff_with_mail], params={"count": n + 1})

    assert delivery.send_due() == {"sent": 0, "failed": 0}  # kept for the digest
    assert delivery.send_due(now=timezone.now() + timedelta(days=1, minutes=1)) == {"sent": 1, "failed": 0}
    [mail] = smtp.inbox.messages
    assert "3 notifications" in mail[1]["Subject"]
    assert Notification.objects.get(kind="rejected").delivery == Delivery.NONE
