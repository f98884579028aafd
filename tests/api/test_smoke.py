from tests import factories


def test_a_key_lists_its_institutions_enrolments(inst1_key, draft_enrolment):
    response = inst1_key.get("/api/v1/enrolments/")
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [draft_enrolment.pk]


def test_a_key_registers_a_trainee(inst1_key):
    response = inst1_key.post(
        "/api/v1/trainees/",
        {"name": "王小明", "id_number": factories.resident_id(), "gender": "M", "birth_date": "1990-03-05", "education": "senior", "phone": "13800000000"},
        format="json",
    )
    assert response.status_code == 201, response.content
