"""People and ready-made situations, named for who and what they are."""

import pytest
from django.utils import translation

from certification.models import Role

from . import factories


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English (the source language), whatever an earlier test activated."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def catalogue_present(request):
    """The track catalogue seeded by migration 0002, put back if a transactional test's flush took it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    from importlib import import_module

    from django.apps import apps

    from certification.models import Track

    if not Track.objects.exists():
        import_module("certification.migrations.0002_catalogue_and_groups").seed(apps, None)
    yield


@pytest.fixture
def inst1(db):
    return factories.institution("杭州时尚职业培训学校")


@pytest.fixture
def inst2(db):
    return factories.institution("宁波服装技能培训中心")


@pytest.fixture
def officer(db):
    return factories.user("officer", Role.OFFICER)


@pytest.fixture
def assessor(db, inst2):
    # Affiliated with institution 2, so never conflicted with institution 1's candidates.
    return factories.user("assessor1", Role.ASSESSOR, institution=inst2)


@pytest.fixture
def assessor2(db):
    return factories.user("assessor2", Role.ASSESSOR)


@pytest.fixture
def inst1_staff(db, inst1):
    return factories.user("inst1", Role.INSTITUTION, institution=inst1)


@pytest.fixture
def inst2_staff(db, inst2):
    return factories.user("inst2", Role.INSTITUTION, institution=inst2)


@pytest.fixture
def draft_enrolment(inst1_staff):
    return factories.draft_enrolment(inst1_staff, "PM")


@pytest.fixture
def submitted_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="submitted")


@pytest.fixture
def enrolled_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="enrolled")


@pytest.fixture
def enrolment_ready_for_review(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="under_review")


@pytest.fixture
def trainee_user(enrolled_enrolment):
    """The trainee of an approved enrolment: their account exists (login = ID number)."""
    return enrolled_enrolment.trainee.user
