"""A bulk event gives one summary per recipient: a run issuing 30 certificates mails each institution's
staff once, with the count, not once a certificate (docs/spec.md §13)."""

from certificates import issuance
from certificates import services as certificate_services
from certification.models import Role
from notifications import delivery
from notifications.models import Notification

from .. import factories
from ..certificates.conftest import fast_rendering, ready_enrolments  # noqa: F401


def test_a_run_of_thirty_mails_each_institutions_staff_one_summary(
    smtp,
    inst1_staff,
    inst2_staff,
    officer,
    assessor,
    assessor2,
    fast_rendering,  # noqa: F811
):
    colleague = factories.user("inst1-colleague", Role.INSTITUTION, institution=inst1_staff.institution)
    for person, address in ((inst1_staff, "a@inst1.org"), (colleague, "b@inst1.org"), (inst2_staff, "c@inst2.org")):
        person.email = address
        person.save()
    ready_enrolments(inst1_staff, officer, assessor, 20)
    ready_enrolments(inst2_staff, officer, assessor2, 10, track_code="NM")

    Notification.objects.all().delete()  # what the walk to "ready to issue" told them (each pass) is not the run's

    run = certificate_services.start_issuance(officer=officer, enqueue=False)
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(item_ids), certificate_services.CHUNK_SIZE):
        issuance.process_items(run_id=run.pk, item_ids=item_ids[start : start + certificate_services.CHUNK_SIZE])
    issuance.finish_if_done(run)  # told again: still once
    delivery.send_due()

    subjects = {
        address: [m["Subject"] for m in smtp.inbox.to(address)]
        for address in ("a@inst1.org", "b@inst1.org", "c@inst2.org")
    }
    assert {address: len(mails) for address, mails in subjects.items()} == {
        "a@inst1.org": 1,
        "b@inst1.org": 1,
        "c@inst2.org": 1,
    }
    # In zh-hans, the language of e-mails unless the user chose another.
    assert "已签发 20 张证书" in subjects["a@inst1.org"][0]
    assert "已签发 10 张证书" in subjects["c@inst2.org"][0]
