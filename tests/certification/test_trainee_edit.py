import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification.models import Trainee

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(trainee) -> str:
    return f"/institution/trainees/{trainee.pk}/edit/"


def photo_upload(size=(295, 413)) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 210, 230)).save(output, format="PNG")
    return SimpleUploadedFile("new.png", output.getvalue(), content_type="image/png")


def form_fields(trainee, **overrides) -> dict:
    fields = {
        "name": trainee.name,
        "id_type": trainee.id_type,
        "id_number": trainee.id_number,
        "gender": trainee.gender,
        "birth_date": f"{trainee.birth_date:%Y-%m-%d}",
        "ethnicity": trainee.ethnicity,
        "education": trainee.education,
        "phone": trainee.phone,
        "employer": trainee.employer,
        "years_in_trade": str(trainee.years_in_trade),
        "address": trainee.address,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def trainee(inst1_staff):
    return factories.trainee(inst1_staff.institution, name="李雪梅", photo=ContentFile(b"old", name="old.png"))


def test_it_shows_the_form_filled_in(client, inst1_staff, trainee):
    client.force_login(inst1_staff)
    response = client.get(url(trainee))
    assert response.status_code == 200
    assert trainee.id_number in response.content.decode()


def test_it_saves_changes_and_keeps_the_photo_when_none_is_uploaded(client, inst1_staff, trainee):
    photo_name = trainee.photo.name
    client.force_login(inst1_staff)
    response = client.post(url(trainee), form_fields(trainee, employer="宁波某制衣厂", years_in_trade="9"))
    assert response.status_code == 302
    assert response["Location"] == f"/institution/trainees/{trainee.pk}/"
    trainee.refresh_from_db()
    assert (trainee.employer, trainee.years_in_trade, trainee.photo.name) == ("宁波某制衣厂", 9, photo_name)


def test_a_new_photo_replaces_the_old_file(client, inst1_staff, trainee):
    old_name = trainee.photo.name
    client.force_login(inst1_staff)
    client.post(url(trainee), {**form_fields(trainee), "photo": photo_upload()})
    trainee.refresh_from_db()
    assert trainee.photo.name != old_name and trainee.photo.name.endswith(".png")
    assert not default_storage.exists(old_name)


def test_a_bad_photo_leaves_the_trainee_unchanged(client, inst1_staff, trainee):
    old_name = trainee.photo.name
    client.force_login(inst1_staff)
    response = client.post(url(trainee), {**form_fields(trainee, employer="改了"), "photo": photo_upload((50, 50))})
    assert response.status_code == 400
    assert "it needs at least" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.photo.name == old_name and trainee.employer != "改了"


def test_it_refuses_to_rename_a_trainee_once_approved(client, inst1_staff, trainee_user):
    trainee = trainee_user.trainee
    client.force_login(inst1_staff)
    response = client.post(url(trainee), form_fields(trainee, name="改名字"))
    assert response.status_code == 409
    assert "Name and ID cannot change once an enrolment is approved" in response.content.decode()
    assert Trainee.objects.get(pk=trainee.pk).name == trainee.name


def test_it_refuses_another_trainees_id_number(client, inst1_staff, trainee):
    other = factories.trainee(inst1_staff.institution)
    client.force_login(inst1_staff)
    response = client.post(url(trainee), form_fields(trainee, id_number=other.id_number))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()  # the registration service's words


def test_it_is_404_for_another_institutions_trainee(client, inst2_staff, trainee):
    client.force_login(inst2_staff)
    assert client.get(url(trainee)).status_code == 404
    assert client.post(url(trainee), form_fields(trainee, name="x")).status_code == 404


def test_it_redirects_anonymous_to_login(client, trainee):
    response = client.get(url(trainee))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(client, request, role_fixture, trainee):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(trainee)).status_code == 403
