"""Issued means frozen (docs/spec.md §6): the admin cannot change the name or ID of a certified or revoked
trainee; a correction goes through the certificate pages, which supersede the old certificate."""

import pytest

from certificates import services

from .. import factories


def trainee_form(trainee, **overrides) -> dict:
    data = {
        "institution": str(trainee.institution_id),
        "user": str(trainee.user_id or ""),
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
        "_save": "Save",
    }
    data.update(overrides)
    return data


def change_url(trainee) -> str:
    return f"/admin/certification/trainee/{trainee.pk}/change/"


@pytest.mark.parametrize("revoked", [False, True], ids=["certified", "revoked"])
def test_the_officer_cannot_change_a_certified_trainees_name_or_id_in_the_admin(client, officer, issued, revoked):
    if revoked:
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")
    trainee = issued.enrolment.trainee
    before = (trainee.name, trainee.id_type, trainee.id_number)
    client.force_login(officer)

    page = client.get(change_url(trainee)).content.decode()
    assert 'name="name"' not in page and 'name="id_number"' not in page and 'name="id_type"' not in page
    client.post(
        change_url(trainee),
        trainee_form(trainee, name="李四", id_type="passport", id_number=factories.resident_id(), phone="13900000000"),
    )

    trainee.refresh_from_db()
    assert (trainee.name, trainee.id_type, trainee.id_number) == before
    assert trainee.phone == "13900000000"  # the rest stays editable


def test_the_officer_still_corrects_a_trainee_before_certification_in_the_admin(client, officer, inst1):
    trainee = factories.trainee(inst1, name="张晓明")
    client.force_login(officer)

    response = client.post(change_url(trainee), trainee_form(trainee, name="张晓鸣"))

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.name == "张晓鸣"
