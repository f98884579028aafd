"""Certificates: a signing key for the whole session, candidates ready to issue, and a way to issue
without rendering for the tests that are about pages and permissions rather than PDFs."""

import datetime

import pytest

from certificates import rendering, services, signing
from certificates.models import Certificate
from certification.photos import make_placeholder_photo

from .. import factories


@pytest.fixture
def ready_enrolment(inst1_staff, officer, assessor):
    """A pattern-making candidate of institution 1, ready to issue, with a photo."""
    trainee = factories.trainee(inst1_staff.institution, name="张晓明")
    trainee.photo.save("photo.png", make_placeholder_photo("张晓明"), save=True)
    enrolment = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    return factories.advance(enrolment, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")


def ready_enrolments(staff, officer, assessor, count, track_code="PM", batch=None):
    """`count` candidates of `staff`'s institution in one batch, ready to issue."""
    batch = batch or factories.batch(staff.institution, track_code, capacity=max(count, 1))
    return [
        factories.advance(
            factories.draft_enrolment(staff, track_code, batch_obj=batch),
            staff=staff,
            officer=officer,
            assessor=assessor,
            to="ready_to_issue",
        )
        for _ in range(count)
    ]


@pytest.fixture
def fast_rendering(monkeypatch):
    """Issue without WeasyPrint: each 'PDF' is a few unique bytes. For page and permission tests."""
    monkeypatch.setattr(rendering, "render_certificate", lambda certificate: f"%PDF-1.7 {certificate.number}".encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf + b"\n%signed")


@pytest.fixture
def issued(ready_enrolment, officer, fast_rendering) -> Certificate:
    return services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)


@pytest.fixture
def inst2_certificate(inst2_staff, officer, assessor2, fast_rendering) -> Certificate:
    """A certificate of institution 2 (assessor2 has no affiliation, so may assess it)."""
    enrolment = ready_enrolments(inst2_staff, officer, assessor2, 1, track_code="NM")[0]
    return services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)


def unsaved_certificate(**overrides) -> Certificate:
    """A certificate with every printed fact, not in the database: for rendering tests."""
    fields = {
        "number": "Y000133000101264000001",
        "issuer_code": "Y000133000101",
        "year": 2026,
        "level": 4,
        "serial": 1,
        "track_code": "PM",
        "holder_name": "张晓明",
        "holder_id_type": "居民身份证",
        "holder_id_number_masked": "330***********1234",
        "occupation": "时尚工程师",
        "direction": "服装制版",
        "title": "时尚工程师（制版师）",
        "level_label": "四级/中级工",
        "modules": [
            {"code": "PAT", "name": "版样制作", "hours": "48"},
            {"code": "3D", "name": "3D建模", "hours": "64"},
            {"code": "FAB", "name": "面料学", "hours": "32"},
        ],
        "institution_name": "杭州时尚职业技能培训学校",
        "issuer_name": "浙江省时尚产业职业技能等级认定中心",
        "issue_date": datetime.date(2026, 11, 25),
        "template_version": rendering.CURRENT_TEMPLATE_VERSION,
    }
    fields.update(overrides)
    from certificates import qr

    fields.setdefault("verify_url", qr.scan_url(fields["number"]))
    return Certificate(**fields)
