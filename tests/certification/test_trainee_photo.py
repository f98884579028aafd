import pytest

from certification.models import Role
from certification.photos import make_placeholder_photo

from .. import factories


def url(trainee) -> str:
    return f"/institution/trainees/{trainee.pk}/photo/"


@pytest.fixture
def trainee(trainee_user):
    """A trainee of institution 1 with an account and a photo."""
    trainee = trainee_user.trainee
    trainee.photo = make_placeholder_photo(trainee.name)
    trainee.save()
    return trainee


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "officer", "trainee_user"])
def test_it_serves_the_photo_to_staff_officers_and_the_trainee(client, request, role_fixture, trainee):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(url(trainee))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role_fixture", ["inst2_staff", "assessor", "assessor2"])
def test_it_is_404_for_everyone_else(client, request, role_fixture, trainee):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(trainee)).status_code == 404


def test_it_is_404_for_another_trainee(client, trainee):
    client.force_login(factories.user("330106199001010011", Role.TRAINEE))
    assert client.get(url(trainee)).status_code == 404


def test_it_is_404_when_there_is_no_photo(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(url(factories.trainee(inst1_staff.institution))).status_code == 404


def test_it_redirects_anonymous_to_login(client, trainee):
    response = client.get(url(trainee))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
