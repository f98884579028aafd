"""The results page /assessment/enrolments/<pk>/results/: scores, evidence uploads and removal.

Officers may view it read-only; every POST of theirs is 403.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import services
from certification.models import EvidenceFile, EvidenceKind

from .. import factories
from .test_evidence_checks import REJECTED, VALID, binary_stl_bytes, obj_bytes, png_bytes, upload


@pytest.fixture(autouse=True)
def english(client):
    # Messages are asserted in the source language, whatever the default language is.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_attempt_files(media: Path) -> list[Path]:
    return sorted(p for p in (media / "evidence" / "attempts").rglob("*") if p.is_file())


@pytest.fixture
def trained_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="trained")


def url(enrolment):
    return f"/assessment/enrolments/{enrolment.pk}/results/"


def scores(theory="72.5", practical="81", exam_date=None):
    return {
        "action": "scores",
        "theory_score": theory,
        "practical_score": practical,
        "exam_date": (exam_date or timezone.localdate()).isoformat(),
    }


def test_it_shows_pass_marks_attempt_and_the_forms_to_own_staff(client, inst1_staff, trained_enrolment):
    client.force_login(inst1_staff)
    response = client.get(url(trained_enrolment))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="theory_score"' in page and 'name="file"' in page and 'value="submit"' in page
    track = trained_enrolment.track
    assert f"<dd>{track.pass_mark_theory}</dd>" in page
    assert "1 of 2" in page


def test_it_saves_the_scores(client, inst1_staff, trained_enrolment):
    client.force_login(inst1_staff)
    response = client.post(url(trained_enrolment), scores())
    assert response.status_code == 302 and response["Location"] == url(trained_enrolment)
    attempt = trained_enrolment.current_attempt
    assert (str(attempt.theory_score), str(attempt.practical_score)) == ("72.5", "81.0")
    assert attempt.exam_date == timezone.localdate()


@pytest.mark.parametrize(
    "fields, words",
    [
        (scores(theory="100.5"), "less than or equal to 100"),
        (scores(practical="-1"), "greater than or equal to 0"),
        (scores(theory="70.25"), "decimal place"),
        (scores(exam_date=timezone.localdate() + timedelta(days=1)), "future"),
        (scores(exam_date=timezone.localdate() - timedelta(days=400)), "before the batch started"),
    ],
)
def test_it_refuses_invalid_scores_and_dates_and_saves_nothing(client, inst1_staff, trained_enrolment, fields, words):
    client.force_login(inst1_staff)
    response = client.post(url(trained_enrolment), fields)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not trained_enrolment.attempts.exists()


def test_a_resit_shows_the_kept_part_read_only_and_keeps_it(client, inst1_staff, officer, assessor):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    factories.enter_passing_results(enrolment, inst1_staff, theory=50, practical=82)
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="submit_results")
    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="fail", reason="理论未达标")
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")
    client.force_login(inst1_staff)
    page = client.get(url(enrolment)).content.decode()
    assert "2 of 2" in page
    assert "Kept from the earlier attempt" in page and "Practical score 82.0 (passed)" in page
    assert 'name="practical_score"' in page and "disabled" in page
    client.post(url(enrolment), scores(theory="66", practical="10"))
    attempt = enrolment.current_attempt
    assert (attempt.number, attempt.theory_score, attempt.practical_score) == (2, 66, 82)


@pytest.mark.parametrize("name", VALID)
def test_it_accepts_real_evidence_files(client, inst1_staff, trained_enrolment, media, name):
    build, code = VALID[name]
    kind = EvidenceKind.MODEL_3D if code in ("obj", "stl", "glb", "pdf") else EvidenceKind.PHOTO
    client.force_login(inst1_staff)
    response = client.post(url(trained_enrolment), {"action": "upload", "kind": kind, "file": upload(name, build())})
    assert response.status_code == 302
    kept = EvidenceFile.objects.get()
    assert kept.original_name == name and kept.file.name.endswith(f".{code}")
    assert len(stored_attempt_files(media)) == 1


@pytest.mark.parametrize("case", REJECTED)
def test_it_refuses_bad_uploads_with_a_message_and_stores_nothing(client, inst1_staff, trained_enrolment, media, case):
    name, content, words = REJECTED[case]
    client.force_login(inst1_staff)
    response = client.post(
        url(trained_enrolment), {"action": "upload", "kind": EvidenceKind.MODEL_3D, "file": upload(name, content)}
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_attempt_files(media) == []


@override_settings(EVIDENCE_MAX_BYTES=1024 * 1024)
def test_it_refuses_an_oversize_upload_naming_the_limit(client, inst1_staff, trained_enrolment, media):
    client.force_login(inst1_staff)
    response = client.post(
        url(trained_enrolment),
        {"action": "upload", "kind": EvidenceKind.MODEL_3D, "file": upload("coat.stl", binary_stl_bytes(21000))},
    )
    assert response.status_code == 400
    assert "at most 1 MB" in response.content.decode()
    assert not EvidenceFile.objects.exists() and stored_attempt_files(media) == []


def test_a_photo_is_not_accepted_as_the_3d_model(client, inst1_staff, trained_enrolment, media):
    client.force_login(inst1_staff)
    response = client.post(
        url(trained_enrolment),
        {"action": "upload", "kind": EvidenceKind.MODEL_3D, "file": upload("coat.png", png_bytes())},
    )
    assert response.status_code == 400
    assert not EvidenceFile.objects.exists() and stored_attempt_files(media) == []


def test_it_lists_several_files_and_removes_one(
    client, inst1_staff, trained_enrolment, media, django_capture_on_commit_callbacks
):
    client.force_login(inst1_staff)
    for name in ("front.obj", "back.obj"):
        client.post(
            url(trained_enrolment),
            {"action": "upload", "kind": EvidenceKind.MODEL_3D, "file": upload(name, obj_bytes())},
        )
    page = client.get(url(trained_enrolment)).content.decode()
    assert "front.obj" in page and "back.obj" in page
    front = EvidenceFile.objects.get(original_name="front.obj")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(trained_enrolment), {"action": "remove", "evidence": front.pk})
    assert response.status_code == 302
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["back.obj"]
    assert len(stored_attempt_files(media)) == 1


def test_removing_another_enrolments_file_is_404(client, inst1_staff, trained_enrolment, officer):
    other = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    foreign = other.current_attempt.evidence_files.get()
    client.force_login(inst1_staff)
    response = client.post(url(trained_enrolment), {"action": "remove", "evidence": foreign.pk})
    assert response.status_code == 404
    assert EvidenceFile.objects.filter(pk=foreign.pk).exists()


def test_after_submission_the_page_is_read_only_and_posts_are_409(client, inst1_staff, enrolment_ready_for_review):
    client.force_login(inst1_staff)
    page = client.get(url(enrolment_ready_for_review)).content.decode()
    assert 'name="theory_score"' not in page and 'value="submit"' not in page
    response = client.post(url(enrolment_ready_for_review), scores())
    assert response.status_code == 409


def test_an_officer_sees_the_page_read_only(client, officer, trained_enrolment):
    client.force_login(officer)
    response = client.get(url(trained_enrolment))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="theory_score"' not in page and 'name="file"' not in page and 'value="submit"' not in page


@pytest.mark.parametrize("action", ["scores", "upload", "remove", "submit"])
def test_an_officer_cannot_post(client, officer, trained_enrolment, action):
    client.force_login(officer)
    response = client.post(url(trained_enrolment), {**scores(), "action": action})
    assert response.status_code == 403
    assert not trained_enrolment.attempts.exists()


def test_an_assessor_or_trainee_gets_403(client, assessor, trained_enrolment):
    client.force_login(assessor)
    assert client.get(url(trained_enrolment)).status_code == 403
    assert client.post(url(trained_enrolment), scores()).status_code == 403
    client.force_login(trained_enrolment.trainee.user)
    assert client.get(url(trained_enrolment)).status_code == 403


def test_another_institution_gets_404(client, inst2_staff, trained_enrolment):
    client.force_login(inst2_staff)
    assert client.get(url(trained_enrolment)).status_code == 404
    assert client.post(url(trained_enrolment), scores()).status_code == 404
    assert not trained_enrolment.attempts.exists()


def test_it_redirects_anonymous_to_login(client, trained_enrolment):
    response = client.get(url(trained_enrolment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url(trained_enrolment), scores())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_action_is_400(client, inst1_staff, trained_enrolment):
    client.force_login(inst1_staff)
    assert client.post(url(trained_enrolment), {"action": "delete_everything"}).status_code == 400


def test_its_query_count_does_not_grow_with_the_evidence_files(client, inst1_staff, officer, settings):
    settings.EVIDENCE_MAX_FILES = 20
    from certification import evidence

    def enrolment_with(count):
        enrolment = factories.advance(
            factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
        )
        for number in range(count):
            evidence.attach_evidence(
                staff=inst1_staff,
                enrolment_id=enrolment.pk,
                kind=EvidenceKind.MODEL_3D,
                upload=upload(f"part{number}.obj", obj_bytes()),
            )
        return enrolment

    one, ten = enrolment_with(1), enrolment_with(10)
    client.force_login(inst1_staff)
    client.get(url(one))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(url(one)).status_code == 200
    with CaptureQueriesContext(connection) as with_ten:
        page = client.get(url(ten)).content.decode()
    assert "part9.obj" in page
    assert len(with_ten) == len(with_one)


def test_the_saved_exam_date_comes_back_in_the_date_box_in_every_language(client, inst1_staff, trained_enrolment):
    """<input type=date> shows only an ISO date: a localised 2026/11/20 would be blank on reload."""
    client.force_login(inst1_staff)
    client.post(url(trained_enrolment), scores())
    for language in ("zh-hans", "en"):
        page = client.get(url(trained_enrolment), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'value="{timezone.localdate().isoformat()}"' in page
