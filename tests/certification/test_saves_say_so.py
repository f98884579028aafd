"""After every save the page says what was saved (Django messages), and the batch picker of the
trainee page shows the places taken and leaves full batches out."""

import pytest
from django.contrib.messages import get_messages

from certification import services

from .. import factories
from .test_batch_create import batch_fields
from .test_trainee_create import register_fields


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def success_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


def test_registering_and_editing_a_trainee_say_so(client, inst1_staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(inst1_staff)
    response = client.post("/institution/trainees/new/", register_fields())
    assert response.status_code == 302 and success_messages(response) == ["李雪梅 is registered."]
    edit = response["Location"] + "edit/"
    response = client.post(edit, register_fields(employer="宁波某厂"))
    assert response.status_code == 302 and success_messages(response)[-1] == "Changes to 李雪梅 saved."


def test_creating_and_editing_a_batch_say_so(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post("/institution/batches/new/", batch_fields())
    assert response.status_code == 302 and success_messages(response) == ["Batch “2026春季制版班” created."]
    response = client.post(response["Location"] + "edit/", batch_fields(name="2026春季制版二班"))
    assert (
        response.status_code == 302 and success_messages(response)[-1] == "Changes to batch “2026春季制版二班” saved."
    )


def test_enrolling_a_trainee_says_so(client, inst1_staff):
    trainee = factories.trainee(inst1_staff.institution, name="李雪梅")
    batch = factories.batch(inst1_staff.institution, "CR")
    client.force_login(inst1_staff)
    response = client.post(f"/institution/trainees/{trainee.pk}/enrol/", {"batch": batch.pk})
    assert response.status_code == 302
    assert success_messages(response)[0].startswith("李雪梅 is enrolled in")


def test_the_batch_picker_shows_places_taken_and_leaves_full_batches_out(client, inst1_staff):
    institution = inst1_staff.institution
    roomy = factories.batch(institution, "CR", capacity=3)
    full = factories.batch(institution, "PM", capacity=1)
    factories.draft_enrolment(inst1_staff, "PM", batch_obj=full)
    withdrawn = factories.draft_enrolment(inst1_staff, "CR", batch_obj=roomy)
    factories.draft_enrolment(inst1_staff, "CR", batch_obj=roomy)
    services.withdraw(actor=inst1_staff, enrolment_id=withdrawn.pk, reason="搬家")  # frees its place
    trainee = factories.trainee(institution, name="王芳")
    client.force_login(inst1_staff)
    page = client.get(f"/institution/trainees/{trainee.pk}/").content.decode()
    assert f'value="{roomy.pk}"' in page and "· 1/3<" in page
    assert f'value="{full.pk}"' not in page
    response = client.post(f"/institution/trainees/{trainee.pk}/enrol/", {"batch": full.pk})
    assert response.status_code == 400
