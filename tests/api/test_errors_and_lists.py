"""What the API answers: the services' refusals in one shape (403 / 409 / 400 with fields), the
lists' filters and cursor pages, and a query count that does not grow with the rows."""

from datetime import timedelta

from django.utils import timezone

from certification.models import Enrolment
from tests import factories

from .conftest import client_as


def test_a_wrong_check_digit_is_a_400_naming_the_field(inst1_key):
    number = factories.resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = inst1_key.post(
        "/api/v1/trainees/",
        {
            "name": "王五",
            "id_number": wrong,
            "gender": "M",
            "birth_date": "1990-03-05",
            "education": "senior",
            "phone": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and "id_number" in body["fields"]


def test_a_missing_field_is_a_400_naming_it(inst1_key):
    response = inst1_key.post("/api/v1/trainees/", {"name": "王五"}, format="json")
    assert response.status_code == 400
    assert {"id_number", "gender", "birth_date", "education", "phone"} <= set(response.json()["fields"])


def test_a_move_from_the_wrong_state_is_a_409(inst1_key, enrolled_enrolment):
    response = inst1_key.post(f"/api/v1/enrolments/{enrolled_enrolment.pk}/submit/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "stale_state"


def test_a_move_someone_else_made_first_is_a_409(inst1_key, submitted_enrolment):
    response = inst1_key.post(
        f"/api/v1/enrolments/{submitted_enrolment.pk}/withdraw/",
        {"expected_status": "draft", "reason": "duplicate"},
        format="json",
    )
    assert response.status_code == 409
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == "submitted"


def test_an_unmet_rule_is_a_409_saying_which(inst1_key, enrolled_enrolment):
    response = inst1_key.post(f"/api/v1/enrolments/{enrolled_enrolment.pk}/complete-training/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "rule_not_met"


def test_the_office_is_refused_the_institutions_writes_with_a_403(officer, draft_enrolment):
    response = client_as(officer).post(f"/api/v1/enrolments/{draft_enrolment.pk}/submit/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_the_office_withdraws_with_a_reason(officer, submitted_enrolment):
    client = client_as(officer)
    assert client.post(f"/api/v1/enrolments/{submitted_enrolment.pk}/withdraw/", {}, format="json").status_code == 400
    response = client.post(f"/api/v1/enrolments/{submitted_enrolment.pk}/withdraw/", {"reason": "asked"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_an_exam_date_in_the_future_is_refused_as_the_page_refuses_it(inst1_key, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="trained"
    )
    response = inst1_key.post(
        f"/api/v1/enrolments/{enrolment.pk}/results/scores/",
        {"theory_score": "70", "practical_score": "70", "exam_date": str(timezone.localdate() + timedelta(days=1))},
        format="json",
    )
    assert response.status_code == 400
    assert "exam_date" in response.json()["fields"]
    assert not enrolment.attempts.exists()


def test_the_list_filters_by_status_batch_track_and_updated_since(inst1_key, inst1_staff, officer):
    drafts = [factories.draft_enrolment(inst1_staff, "PM") for _ in range(2)]
    submitted = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="submitted"
    )

    def ids(query):
        response = inst1_key.get(f"/api/v1/enrolments/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("status=submitted") == {submitted.pk}
    assert ids("track=PM") == {d.pk for d in drafts}
    assert ids(f"batch={drafts[0].batch_id}") == {drafts[0].pk}
    later = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+", "%2B")
    assert ids(f"updated_since={later}") == set()
    Enrolment.objects.filter(pk=submitted.pk).update(updated_at=timezone.now() + timedelta(minutes=2))
    assert ids(f"updated_since={later}") == {submitted.pk}


def test_a_move_stamps_updated_at(inst1_key, draft_enrolment):
    before = Enrolment.objects.get(pk=draft_enrolment.pk).updated_at
    inst1_key.post(f"/api/v1/enrolments/{draft_enrolment.pk}/submit/", {}, format="json")
    assert Enrolment.objects.get(pk=draft_enrolment.pk).updated_at > before


def test_a_bad_filter_is_a_400(inst1_key):
    for query in ("status=nope", "batch=x", "updated_since=yesterday"):
        response = inst1_key.get(f"/api/v1/enrolments/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"] == "invalid"


def test_cursor_pages_hold_at_most_100_and_follow_on(inst1_key, inst1_staff):
    batch = factories.batch(inst1_staff.institution, "NM", capacity=200)
    for _ in range(105):
        factories.draft_enrolment(inst1_staff, "NM", batch_obj=batch)
    first = inst1_key.get("/api/v1/enrolments/?page_size=500").json()
    assert len(first["results"]) == 100 and first["next"]
    second = inst1_key.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_the_query_count_does_not_grow_with_rows(inst1_key, inst1_staff, django_assert_num_queries):
    batch = factories.batch(inst1_staff.institution, "NM", capacity=200)
    factories.draft_enrolment(inst1_staff, "NM", batch_obj=batch)
    inst1_key.get("/api/v1/enrolments/")  # the key's last use is written once a minute at most
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_row:
        inst1_key.get("/api/v1/enrolments/")
    for _ in range(30):
        factories.draft_enrolment(inst1_staff, "NM", batch_obj=batch)
    with django_assert_num_queries(len(one_row)):
        assert len(inst1_key.get("/api/v1/enrolments/").json()["results"]) == 31
