"""Photos in bulk: a zip of photos named by ID number, matched to the institution's trainees."""

import pytest
from django.test import override_settings
from django.utils.html import escape

from certification.models import Trainee

from ..data import make_corpus as corpus
from .conftest import corpus_file, snapshot

URL = "/exchange/photos/"


def upload(client, user, name):
    client.force_login(user)
    return client.post(URL, {"file": corpus_file(name)}, HTTP_ACCEPT_LANGUAGE="en")


def reasons(response) -> dict:
    report = response.context["report"]
    return dict(report.rejected + report.unmatched)


def test_matched_photos_are_saved_and_every_other_file_is_reported(client, inst1_staff, world):
    response = upload(client, inst1_staff, "photos_mixed.zip")
    assert response.status_code == 200
    report = response.context["report"]
    assert sorted(name for name, _ in report.matched) == [
        f"photos/{corpus.ENROLLED_IDS[0]}.jpg",
        f"photos/{corpus.ENROLLED_IDS[1]}.PNG",
    ]
    assert reasons(response) == {
        f"photos/{corpus.UNKNOWN_ID}.jpg": "No trainee of your institution has this ID number.",
        f"{corpus.INST2_ID}.jpg": "No trainee of your institution has this ID number.",
        f"../../etc/{corpus.ENROLLED_IDS[2]}.jpg": "The path leaves the archive's folder: refused.",
        "photos/more.zip": "Archives inside the archive are not opened: put the photos in one zip.",
        f"photos/{corpus.ENROLLED_IDS[2]}.jpg": "This file is not a photo: upload a JPEG or PNG image.",
        f"photos/{corpus.ENROLLED_IDS[0]}.png": f"Another photo for this ID number comes first: photos/{corpus.ENROLLED_IDS[0]}.jpg.",
        f"{corpus.ENROLLED_ELSEWHERE_ID}.jpeg": "The photo is 40 × 50 pixels; it needs at least 120 × 160.",
    }
    photos = dict(Trainee.objects.values_list("id_number", "photo"))
    assert photos[corpus.ENROLLED_IDS[0]].endswith(".jpg") and photos[corpus.ENROLLED_IDS[1]].endswith(".png")
    assert not photos[corpus.ENROLLED_IDS[2]] and not photos[corpus.INST2_ID]


def test_another_institution_matches_none_of_these_trainees(client, inst2_staff, world):
    response = upload(client, inst2_staff, "photos_mixed.zip")
    assert response.status_code == 200
    assert [name for name, _ in response.context["report"].matched] == [f"{corpus.INST2_ID}.jpg"]
    assert not Trainee.objects.filter(institution=world[0].trainee.institution).exclude(photo="").exists()


@override_settings(PHOTO_MAX_BYTES=500)
def test_an_oversized_photo_is_refused_unread(client, inst1_staff, world):
    response = upload(client, inst1_staff, "photos_mixed.zip")
    assert reasons(response)[f"photos/{corpus.ENROLLED_IDS[0]}.jpg"].startswith("The photo is ")
    assert not response.context["report"].matched


@pytest.mark.parametrize(
    "name, status, message",
    [
        ("photos_not_a_zip.zip", 415, "This file is not a zip archive: put the photos in a .zip file."),
        ("enrolments_zip_bomb.xlsx", 413, "far more than its own size suggests (a “zip bomb”): it was refused."),
    ],
)
def test_a_refused_archive_is_a_4xx_and_changes_nothing(client, inst1_staff, world, name, status, message):
    before = snapshot()
    response = upload(client, inst1_staff, name)
    assert response.status_code == status
    assert escape(message) in response.content.decode()
    assert snapshot() == before


def test_the_photo_page_is_for_institution_staff(client, officer, inst1_staff):
    assert client.get(URL).status_code == 302
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    client.force_login(inst1_staff)
    assert client.get(URL).status_code == 200
