"""Names read as they print: a name with an invisible format character (Unicode Cf), such as the
right-to-left override U+202E that shows 吴十一 as 吴一十, is refused wherever a name is written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from certification import registration, vetting
from certification.models import Institution, Module, Track, Trainee, TrainingBatch, User
from core.errors import InvalidInput
from core.validators import refuse_format_characters

from .. import factories

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
HIDDEN = [RLO, "\u200b", "\u200d", "\u2066", "\ufeff", "\u00ad"]  # all Unicode category Cf


@pytest.mark.parametrize("hidden", HIDDEN)
def test_the_validator_refuses_every_format_character(hidden):
    with pytest.raises(ValidationError, match="invisible"):
        refuse_format_characters(f"吴{hidden}十一")


@pytest.mark.parametrize("name", ["吴十一", "欧阳娜娜", "Anna-Maria O'Neill", "阿依古丽·买买提", ""])
def test_the_validator_lets_ordinary_names_through(name):
    refuse_format_characters(name)


def trainee_fields(**overrides) -> dict:
    fields = {
        "name": "吴十一",
        "id_number": factories.resident_id(),
        "gender": "M",
        "birth_date": date(1990, 3, 5),
        "ethnicity": "汉族",
        "education": "senior",
        "phone": "13900000000",
    }
    fields.update(overrides)
    return fields


def test_a_trainee_name_with_a_direction_override_is_refused(inst1_staff):
    with pytest.raises(InvalidInput, match="invisible"):
        registration.create_trainee(staff=inst1_staff, **trainee_fields(name=f"吴{RLO}十一"))

    assert not Trainee.objects.exists()


def test_a_trainee_cannot_be_renamed_with_a_direction_override(inst1_staff, draft_enrolment):
    trainee = draft_enrolment.trainee

    with pytest.raises(InvalidInput, match="invisible"):
        registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, name=f"张{RLO}晓明")

    trainee.refresh_from_db()
    assert trainee.name == "张晓明"


def test_the_trainee_page_says_why_the_name_is_refused(client, inst1_staff):
    client.force_login(inst1_staff)
    fields = trainee_fields(name=f"吴{RLO}十一", id_type="resident_id", years_in_trade="3")
    fields["birth_date"] = "1990-03-05"

    response = client.post("/institution/trainees/new/", fields, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code in (200, 400)
    assert "invisible" in response.content.decode()
    assert not Trainee.objects.exists()


def test_a_batch_name_with_a_direction_override_is_refused(inst1_staff):
    with pytest.raises(InvalidInput, match="invisible"):
        registration.create_batch(
            staff=inst1_staff,
            track=Track.objects.get(code="PM"),
            level=4,
            name=f"2026{RLO}春季班",
            start_date=date(2026, 3, 1),
            end_date=date(2026, 5, 1),
            capacity=30,
        )

    assert not TrainingBatch.objects.exists()


def test_an_institution_name_or_contact_with_a_direction_override_is_refused(officer):
    for fields in ({"name": f"杭州{RLO}培训学校"}, {"name": "杭州培训学校", "contact_name": f"王{RLO}五"}):
        with pytest.raises(InvalidInput, match="invisible"):
            vetting.create_institution(officer=officer, org_code="91330100MA27XK5C0D", **fields)

    assert not Institution.objects.exists()


def test_a_staff_members_name_with_a_direction_override_is_refused(officer, inst1):
    with pytest.raises(InvalidInput, match="invisible"):
        vetting.add_staff_account(
            officer=officer,
            institution_id=inst1.pk,
            username="wang",
            name=f"王{RLO}五",
            email="wang@example.com",
            password="a-long-passw0rd-2026",
        )

    assert not User.objects.filter(username="wang").exists()


@pytest.mark.parametrize("field", ["name_zh", "name_en"])
def test_track_and_module_names_refuse_a_direction_override(db, field):
    track = Track.objects.get(code="PM")
    module = Module.objects.filter(track=track).first()

    for obj in (track, module):
        setattr(obj, field, f"制{RLO}版")
        with pytest.raises(ValidationError, match="invisible"):
            obj.full_clean()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_users_full_name_refuses_a_direction_override(officer, field):
    setattr(officer, field, f"王{RLO}五")

    with pytest.raises(ValidationError, match="invisible"):
        officer.full_clean()
