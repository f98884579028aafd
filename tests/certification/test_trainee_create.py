import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification.models import Trainee

from .. import factories

URL = "/institution/trainees/new/"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def photo_upload(name="photo.jpg", size=(295, 413), image_format="JPEG") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 210, 230)).save(output, format=image_format)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def register_fields(**overrides) -> dict:
    fields = {
        "name": "李雪梅",
        "id_type": "resident_id",
        "id_number": factories.resident_id(),
        "gender": "F",
        "birth_date": "1990-03-05",
        "ethnicity": "汉族",
        "education": "senior",
        "phone": "13800000001",
        "employer": "杭州某服饰有限公司",
        "years_in_trade": "6",
        "address": "杭州市西湖区",
    }
    fields.update(overrides)
    return fields


def stored_photo_count() -> int:
    return sum(1 for path in Path(settings.MEDIA_ROOT).glob("photos/**/*") if path.is_file())


def test_it_shows_the_form(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_it_registers_a_trainee_with_a_photo(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post(URL, {**register_fields(), "photo": photo_upload()})
    trainee = Trainee.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/institution/trainees/{trainee.pk}/"
    assert trainee.institution == inst1_staff.institution
    assert trainee.name == "李雪梅"
    assert trainee.photo.name.endswith(".jpg")


def test_it_normalises_full_width_id_digits(client, inst1_staff):
    id_number = factories.resident_id()
    client.force_login(inst1_staff)
    client.post(URL, register_fields(id_number=f" {id_number.translate(FULL_WIDTH)} "))
    assert Trainee.objects.get().id_number == id_number


def test_it_shows_the_checksum_message_for_a_mistyped_resident_id(client, inst1_staff):
    id_number = factories.resident_id()
    wrong = id_number[:17] + ("1" if id_number[17] != "1" else "2")
    client.force_login(inst1_staff)
    response = client.post(URL, register_fields(id_number=wrong))
    assert response.status_code == 400
    assert "fails its checksum" in response.content.decode()
    assert not Trainee.objects.exists()


def test_it_refuses_a_duplicate_id_number_with_its_message(client, inst1_staff):
    existing = factories.trainee(inst1_staff.institution)
    client.force_login(inst1_staff)
    response = client.post(URL, register_fields(id_number=existing.id_number))
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert Trainee.objects.count() == 1


def test_it_says_when_another_institution_holds_the_id_number(client, inst1_staff, inst2):
    existing = factories.trainee(inst2)
    client.force_login(inst1_staff)
    response = client.post(URL, register_fields(id_number=existing.id_number))
    assert response.status_code == 400
    assert "already registered by another institution" in response.content.decode()


def test_it_rejects_a_text_file_renamed_jpg_and_saves_nothing(client, inst1_staff):
    before = stored_photo_count()
    client.force_login(inst1_staff)
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not a picture\n" * 20, content_type="image/jpeg")
    response = client.post(URL, {**register_fields(), "photo": fake})
    assert response.status_code == 400
    assert "This file is not a photo: upload a JPEG or PNG image." in response.content.decode()
    assert not Trainee.objects.exists()
    assert stored_photo_count() == before


def test_it_rejects_a_photo_too_small_and_saves_nothing(client, inst1_staff):
    before = stored_photo_count()
    client.force_login(inst1_staff)
    response = client.post(URL, {**register_fields(), "photo": photo_upload(size=(60, 80))})
    assert response.status_code == 400
    assert "The photo is 60 × 80 pixels; it needs at least 120 × 160." in response.content.decode()
    assert not Trainee.objects.exists()
    assert stored_photo_count() == before


def test_it_rejects_a_photo_over_the_byte_limit_and_saves_nothing(client, inst1_staff, settings):
    settings.PHOTO_MAX_BYTES = 1024
    before = stored_photo_count()
    noisy = io.BytesIO()
    Image.frombytes("RGB", (300, 400), bytes(range(256)) * 1407).save(noisy, format="PNG")
    client.force_login(inst1_staff)
    upload = SimpleUploadedFile("photo.png", noisy.getvalue(), content_type="image/png")
    response = client.post(URL, {**register_fields(), "photo": upload})
    assert response.status_code == 400
    assert "it may be at most 1.0\xa0KB" in response.content.decode()
    assert not Trainee.objects.exists()
    assert stored_photo_count() == before


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(db, client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403
    assert client.post(URL, register_fields()).status_code == 403


def test_it_refuses_a_birth_date_that_differs_from_the_resident_ids(client, inst1_staff):
    client.force_login(inst1_staff)

    response = client.post(URL, register_fields(birth_date="1990-05-03"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code in (200, 400)
    assert "1990-03-05" in response.content.decode()
    assert not Trainee.objects.exists()
