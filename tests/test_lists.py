"""Every list's controls (core.lists, issue 15 item 4): sort, filters, page size, the last-4 search and the
xlsx export return the right rows, computed here independently; institution staff never see or export
another institution's rows; anonymous visitors and wrong roles are refused; bad values never make a 500."""

import io

import pytest
from django.db.models import Count
from django.urls import reverse
from openpyxl import load_workbook

from certification.models import Enrolment, EnrolmentStatus, Role, Trainee
from core.lists import Column, DeferredJoinPaginator, ListSpec, headers

from . import factories

NAMES = ["赵一", "钱二", "孙三", "李四", "周五"]


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def drafts(inst1_staff, inst2_staff):
    """Five draft enrolments at institution 1 (one batch), two at institution 2."""
    batch = factories.batch(inst1_staff.institution)
    own = [
        factories.draft_enrolment(
            inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name=name), batch_obj=batch
        )
        for name in NAMES
    ]
    other = [
        factories.draft_enrolment(inst2_staff, trainee_obj=factories.trainee(inst2_staff.institution, name=name))
        for name in ("王外一", "王外二")
    ]
    return own, other


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def page_rows(response) -> list:
    assert response.status_code == 200
    return list(response.context["page_obj"].object_list)


# core.lists on its own --------------------------------------------------------------------------

SPEC = ListSpec(
    name="t",
    columns=(Column("name", "Name", ("name",)), Column("id", "ID"), Column("when", "When", ("created_at",))),
    default_sort="-when",
)


def test_only_the_specs_sortable_columns_are_used_and_the_primary_key_breaks_ties(rf):
    assert SPEC.sort_of(rf.get("/", {"sort": "name"}).GET) == "name"
    assert SPEC.sort_of(rf.get("/", {"sort": "-name"}).GET) == "-name"
    for unknown in ("id", "password", "-trainee__user__password", "", "name;drop"):
        assert SPEC.sort_of(rf.get("/", {"sort": unknown}).GET) == "-when"
    assert SPEC.order_by("name") == ["name", "pk"]
    assert SPEC.order_by("-when") == ["-created_at", "-pk"]


def test_a_page_size_not_offered_falls_back_to_the_first(rf):
    assert SPEC.page_size_of(rf.get("/", {"per_page": "50"}).GET) == 50
    for wrong in ("7", "100000", "-25", "x", ""):
        assert SPEC.page_size_of(rf.get("/", {"per_page": wrong}).GET) == 25


def test_headings_link_to_the_other_direction_and_say_which_column_sorts(rf):
    params = rf.get("/", {"sort": "name", "page": "3", "status": "draft"}).GET
    by_key = {h["key"]: h for h in headers(SPEC, params, "name")}
    assert by_key["name"]["aria_sort"] == "ascending" and "sort=-name" in by_key["name"]["url"]
    assert "page=" not in by_key["name"]["url"] and "status=draft" in by_key["name"]["url"]
    assert by_key["when"]["aria_sort"] == "none"
    assert by_key["id"]["url"] == "" and "aria_sort" not in by_key["id"]


def test_the_deferred_join_pages_hold_the_rows_plain_slicing_gives(drafts):
    everything = Enrolment.objects.order_by("trainee__name", "pk")
    expected = list(everything)
    paginator = DeferredJoinPaginator(everything, 2, decorate=lambda q: q.select_related("trainee"))
    got = [row for number in paginator.page_range for row in paginator.page(number).object_list]
    assert got == expected


@pytest.mark.parametrize(
    "order",
    [("trainee__name", "pk"), ("-trainee__name", "-pk"), ("batch__level", "pk"), ("approved_at", "-pk")],
)
def test_pages_past_the_middle_read_from_the_end_hold_the_same_rows(drafts, order):
    # Equal levels, and NULL approval times (drafts): only the key tells those rows apart.
    everything = Enrolment.objects.order_by(*order)
    expected = list(everything)
    for per_page in (2, 3):
        paginator = DeferredJoinPaginator(everything, per_page)
        got = [row for number in paginator.page_range for row in paginator.page(number).object_list]
        assert got == expected, (order, per_page)


# The enrolment list (office and institution) ----------------------------------------------------

URL = reverse("enrolments:list")
EXPORT = reverse("enrolments:export")


def test_sorting_by_name_both_ways_gives_the_names_in_order(client, officer, drafts):
    client.force_login(officer)
    names = sorted(e.trainee.name for group in drafts for e in group)

    assert [e.trainee.name for e in page_rows(client.get(URL, {"sort": "name"}))] == names
    assert [e.trainee.name for e in page_rows(client.get(URL, {"sort": "-name"}))] == names[::-1]
    body = client.get(URL, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in body


def test_an_unknown_sort_or_page_size_is_ignored(client, officer, drafts):
    client.force_login(officer)

    response = client.get(URL, {"sort": "trainee__user__password", "per_page": "3", "page": "x"})

    assert response.status_code == 200
    assert response.context["sort"] == "-since" and response.context["per_page"] == 25


def test_the_page_size_can_be_chosen(client, officer, inst1_staff):
    batch = factories.batch(inst1_staff.institution, capacity=200)
    for _ in range(30):
        factories.draft_enrolment(inst1_staff, batch_obj=batch)
    client.force_login(officer)

    assert len(page_rows(client.get(URL))) == 25
    assert len(page_rows(client.get(URL, {"per_page": 50}))) == 30


def test_the_last_four_search_finds_exactly_those_trainees(client, officer, drafts):
    client.force_login(officer)
    wanted = drafts[0][2].trainee
    expected = {e.pk for group in drafts for e in group if e.trainee.id_number[-4:] == wanted.id_number[-4:]}

    rows = page_rows(client.get(URL, {"last_four": wanted.id_number[-4:]}))

    assert {e.pk for e in rows} == expected and wanted.pk in {e.trainee_id for e in rows}


def test_the_list_shows_only_the_last_four_of_an_id_number(client, officer, drafts):
    client.force_login(officer)
    body = client.get(URL).content.decode()
    trainee = drafts[0][0].trainee

    assert trainee.id_number_last_four in body
    assert trainee.id_number not in body and trainee.masked_id_number not in body


def test_a_malformed_last_four_says_why_and_lists_nothing(client, officer, drafts):
    client.force_login(officer)

    response = client.get(URL, {"last_four": "12a'"})

    assert response.status_code == 200 and page_rows(response) == []
    assert "last four characters" in response.content.decode()


def test_filters_by_institution_status_level_and_date(client, officer, drafts):
    client.force_login(officer)
    own, other = drafts
    inst2 = other[0].batch.institution

    assert {e.pk for e in page_rows(client.get(URL, {"institution": inst2.pk}))} == {e.pk for e in other}
    assert page_rows(client.get(URL, {"status": EnrolmentStatus.SUBMITTED})) == []
    assert len(page_rows(client.get(URL, {"status": EnrolmentStatus.DRAFT}))) == 7
    assert len(page_rows(client.get(URL, {"level": 4}))) == 7 and page_rows(client.get(URL, {"level": 1})) == []
    assert page_rows(client.get(URL, {"date_from": "2000-01-01", "date_to": "2000-01-31"})) == []
    response = client.get(URL, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert response.status_code == 200 and "end date cannot be before" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "99999999", "-1", "1e9", "\x00"])
def test_nonsense_filter_values_are_answered_not_crashed_on(client, officer, drafts, value):
    client.force_login(officer)
    for field in ("institution", "batch", "track", "level", "status", "date_from", "q", "last_four"):
        assert client.get(URL, {field: value}).status_code == 200
        assert client.get(EXPORT, {field: value}).status_code == 200


def test_institution_staff_never_see_or_export_another_institutions_rows(client, inst1_staff, drafts):
    own, other = drafts
    client.force_login(inst1_staff)
    other_batch = other[0].batch

    listed = {e.pk for e in page_rows(client.get(URL, {"institution": other_batch.institution_id}))}
    assert listed == {e.pk for e in own}
    assert page_rows(client.get(URL, {"batch": other_batch.pk})) == []
    exported = sheet_rows(client.get(EXPORT))
    names = {row[0] for row in exported[1:]}
    assert names == set(NAMES)
    assert sheet_rows(client.get(EXPORT, {"batch": other_batch.pk}))[1:] == []


def test_the_export_holds_the_filtered_rows_in_the_pages_order(client, officer, drafts):
    client.force_login(officer)
    query = {"sort": "-name", "institution": drafts[0][0].batch.institution_id}

    rows = sheet_rows(client.get(EXPORT, query))

    assert [row[0] for row in rows[1:]] == sorted(NAMES, reverse=True)
    assert all(row[1].startswith("****") for row in rows[1:])


def test_anonymous_visitors_go_to_log_in_and_trainees_are_refused(client, db):
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(factories.user("t-role", Role.TRAINEE))
    assert client.get(URL).status_code == 403 and client.get(EXPORT).status_code == 403


# Trainees ---------------------------------------------------------------------------------------

TRAINEES = reverse("institution:trainees")
TRAINEES_EXPORT = reverse("institution:trainee_export")


def test_the_trainee_list_sorts_searches_by_last_four_and_exports_only_own(client, inst1_staff, drafts):
    client.force_login(inst1_staff)
    own_trainees = Trainee.objects.filter(institution=inst1_staff.institution)

    names = [t.name for t in page_rows(client.get(TRAINEES, {"sort": "-name"}))]
    assert names == sorted((t.name for t in own_trainees), reverse=True)
    some = own_trainees.first()
    found = page_rows(client.get(TRAINEES, {"last_four": some.id_number[-4:].lower()}))
    assert {t.pk for t in found} == {t.pk for t in own_trainees if t.id_number[-4:] == some.id_number[-4:]}
    exported = sheet_rows(client.get(TRAINEES_EXPORT))
    assert sorted(row[0] for row in exported[1:]) == sorted(t.name for t in own_trainees)


def test_the_trainee_list_refuses_assessors_and_anonymous_visitors(client, assessor):
    assert client.get(TRAINEES_EXPORT).status_code == 302
    client.force_login(assessor)
    assert client.get(TRAINEES).status_code == 403 and client.get(TRAINEES_EXPORT).status_code == 403


# Approvals --------------------------------------------------------------------------------------

APPROVALS = reverse("officer:approvals")
APPROVALS_EXPORT = reverse("officer:approvals_export")


def test_approvals_filter_sort_and_export_the_submitted_enrolments(client, officer, inst1_staff, inst2_staff, drafts):
    own, other = drafts
    for enrolment in own[:3] + other[:1]:
        factories.advance(enrolment, staff=enrolment.created_by, officer=officer, to=EnrolmentStatus.SUBMITTED)
    client.force_login(officer)

    rows = page_rows(client.get(APPROVALS, {"sort": "name", "institution": inst1_staff.institution_id}))

    assert [e.trainee.name for e in rows] == sorted(e.trainee.name for e in own[:3])
    exported = sheet_rows(client.get(APPROVALS_EXPORT, {"track": "PM"}))
    assert sorted(row[0] for row in exported[1:]) == sorted(e.trainee.name for e in own[:3] + other[:1])


def test_approvals_are_the_offices_only(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(APPROVALS).status_code == 403 and client.get(APPROVALS_EXPORT).status_code == 403


# The review queue and the inbox -----------------------------------------------------------------

QUEUE_EXPORT = reverse("assessment:queue_export")


def test_the_review_queue_filters_and_exports_the_open_reviews(client, officer, enrolment_ready_for_review):
    factories.open_review_task(enrolment_ready_for_review)
    trainee = enrolment_ready_for_review.trainee
    client.force_login(officer)

    found = client.get(reverse("assessment:queue"), {"last_four": trainee.id_number[-4:]})
    assert [row["process"].enrolment.pk for row in found.context["rows"]] == [enrolment_ready_for_review.pk]
    assert client.get(reverse("assessment:queue"), {"level": 1}).context["rows"] == []
    exported = sheet_rows(client.get(QUEUE_EXPORT, {"sort": "-candidate"}))
    assert [row[0] for row in exported[1:]] == [trainee.name]


def test_the_queue_and_inbox_exports_refuse_institution_staff(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get(QUEUE_EXPORT).status_code == 403
    assert client.get(reverse("assessment:inbox_export")).status_code == 403


# Slips, import history, verification log --------------------------------------------------------


def test_the_slips_list_searches_by_last_four_and_exports_only_own(client, inst1_staff, inst2_staff, trainee_user):
    client.force_login(inst1_staff)
    trainee = trainee_user.trainee
    url, export = reverse("institution:slips"), reverse("institution:slips_export")

    assert [t.pk for t in page_rows(client.get(url, {"last_four": trainee.id_number[-4:]}))] == [trainee.pk]
    assert [row[0] for row in sheet_rows(client.get(export))[1:]] == [trainee.name]
    client.force_login(inst2_staff)
    assert sheet_rows(client.get(export))[1:] == []
    assert page_rows(client.get(url)) == []


def test_the_import_history_is_the_institutions_own(client, inst1_staff, officer):
    url = reverse("exchange:history")
    assert client.get(url).status_code == 302
    client.force_login(officer)
    assert client.get(url).status_code == 403
    client.force_login(inst1_staff)
    assert client.get(url, {"kind": "results", "sort": "-file"}).status_code == 200
    assert sheet_rows(client.get(reverse("exchange:history_export")))[1:] == []


def test_the_verification_log_is_the_offices_and_filters_by_outcome(client, officer, inst1_staff):
    from certificates.models import VerificationLog

    VerificationLog.objects.create(channel="page", query="NOPE", found=False)
    VerificationLog.objects.create(channel="json", query="ALSO", found=True)
    url, export = reverse("certificates:verifications"), reverse("certificates:verifications_export")
    client.force_login(inst1_staff)
    assert client.get(url).status_code == 403 and client.get(export).status_code == 403
    client.force_login(officer)

    assert [v.query for v in page_rows(client.get(url, {"found": "no"}))] == ["NOPE"]
    assert [row[2] for row in sheet_rows(client.get(export, {"channel": "json"}))[1:]] == ["ALSO"]


def test_rows_without_a_primary_key_are_paged_by_plain_slicing(drafts):
    counts = Enrolment.objects.order_by("trainee__name").values("trainee__name").annotate(n=Count("pk"))

    paginator = DeferredJoinPaginator(counts, 3)

    assert [row["trainee__name"] for row in paginator.page(1).object_list] == sorted(NAMES + ["王外一", "王外二"])[:3]
