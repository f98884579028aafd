import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import MoveForbidden
from core.guards import require_institution_staff, require_officer
from core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_require_institution_staff_hands_back_the_staff_members_institution(inst1_staff, inst1):
    assert require_institution_staff(inst1_staff) == inst1.pk


@pytest.mark.parametrize("who", ["officer", "assessor", "trainee_user"])
def test_require_institution_staff_refuses_other_roles(request, who):
    with pytest.raises(MoveForbidden):
        require_institution_staff(request.getfixturevalue(who))


@pytest.mark.parametrize("user", [AnonymousUser(), None])
def test_require_institution_staff_refuses_anonymous_visitors(user):
    with pytest.raises(MoveForbidden):
        require_institution_staff(user)


def test_require_institution_staff_refuses_a_staff_login_without_an_institution(db):
    with pytest.raises(MoveForbidden):
        require_institution_staff(factories.user("orphan", Role.INSTITUTION))


def test_require_officer_lets_the_office_through_and_no_one_else(officer, inst1_staff):
    require_officer(officer)
    with pytest.raises(MoveForbidden):
        require_officer(inst1_staff)
