"""The import pages: hub, template download, upload → preview → confirm, and who may see them."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import Enrolment, EnrolmentStatus, StateLog
from exchange import services
from exchange.models import ImportSession

from .. import factories
from ..data import make_corpus as corpus
from .conftest import corpus_file, enrolment_row, named_batch, workbook_bytes


def post_upload(client, upload, kind="enrolments", **data):
    return client.post(f"/exchange/{kind}/upload/", {"file": upload, **data}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_hub_offers_templates_uploads_and_exports_to_staff(client, inst1_staff):
    client.force_login(inst1_staff)
    page = client.get("/exchange/").content.decode()
    for kind in ("enrolments", "completions", "results"):
        assert f"/exchange/templates/{kind}.xlsx" in page and f"/exchange/{kind}/upload/" in page
    assert "/exchange/exports/roster.xlsx" in page and "/exchange/photos/" in page


def test_officers_see_only_the_exports(client, officer):
    client.force_login(officer)
    page = client.get("/exchange/").content.decode()
    assert "/exchange/exports/statistics.xlsx" in page and "/exchange/enrolments/upload/" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/exchange/",
        "/exchange/templates/enrolments.xlsx",
        "/exchange/enrolments/upload/",
        "/exchange/photos/",
        "/exchange/exports/roster.xlsx",
    ],
)
def test_anonymous_goes_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/exchange/",
        "/exchange/templates/enrolments.xlsx",
        "/exchange/enrolments/upload/",
        "/exchange/photos/",
        "/exchange/exports/roster.xlsx",
    ],
)
def test_assessors_are_refused(client, assessor, url):
    client.force_login(assessor)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", ["/exchange/templates/enrolments.xlsx", "/exchange/enrolments/upload/", "/exchange/photos/"]
)
def test_officers_do_not_import(client, officer, url):
    client.force_login(officer)
    assert client.get(url).status_code == 403


def test_an_unknown_kind_is_404(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.get("/exchange/templates/payments.xlsx").status_code == 404
    assert client.get("/exchange/payments/upload/").status_code == 404


def test_the_template_lists_only_the_institutions_own_batches(client, inst1_staff, pm_batch, other_batch):
    client.force_login(inst1_staff)
    response = client.get("/exchange/templates/enrolments.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    lists = [cell.value for row in workbook["选项"].iter_rows() for cell in row]
    assert corpus.PM_BATCH in lists and corpus.OTHER_BATCH not in lists


def test_a_valid_upload_shows_the_preview_and_confirming_imports(client, inst1_staff, pm_batch):
    client.force_login(inst1_staff)
    response = post_upload(client, corpus_file("enrolments_valid.xlsx"), submit="on")
    assert response.status_code == 200
    assert "Import 3 rows" in response.content.decode()
    assert not Enrolment.objects.exists()
    session = ImportSession.objects.get()
    response = client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.SUBMITTED}
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Imported: 3 created, 0 updated, 0 unchanged, 0 left out." in page


def test_a_second_confirmation_is_refused_with_409(client, inst1_staff, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    client.force_login(inst1_staff)
    client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"})
    response = client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "This file was already imported." in response.content.decode()
    assert Enrolment.objects.count() == 3


def test_confirming_all_rows_of_a_file_with_rejections_is_409(client, inst1_staff, world):
    session = services.start_import(
        staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_duplicates_in_file.xlsx")
    )
    client.force_login(inst1_staff)
    response = client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"})
    assert response.status_code == 409
    response = client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "valid_only"})
    assert response.status_code == 302
    assert Enrolment.objects.filter(batch__name=corpus.PM_BATCH, trainee__id_number=corpus.NEW_IDS[0]).count() == 1


def test_another_institution_cannot_see_or_confirm_an_upload(client, inst1_staff, inst2_staff, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    client.force_login(inst2_staff)
    assert client.get(f"/exchange/imports/{session.pk}/").status_code == 404
    assert client.get(f"/exchange/imports/{session.pk}/errors.xlsx").status_code == 404
    assert client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}).status_code == 404
    assert not Enrolment.objects.exists()


def test_confirm_is_post_only_and_for_staff(client, inst1_staff, officer, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    client.force_login(inst1_staff)
    assert client.get(f"/exchange/imports/{session.pk}/confirm/").status_code == 405
    client.force_login(officer)
    assert client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}).status_code == 403
    client.logout()
    assert client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}).status_code == 302


def test_an_upload_without_a_file_is_400(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.post("/exchange/enrolments/upload/", {}).status_code == 400


def test_the_upload_is_csrf_protected(inst1_staff, pm_batch):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(inst1_staff)
    response = client.post("/exchange/enrolments/upload/", {"file": corpus_file("enrolments_valid.xlsx")})
    assert response.status_code == 403
    assert not ImportSession.objects.exists()


def test_the_hub_query_count_does_not_grow_with_uploads(client, inst1_staff, pm_batch):
    client.force_login(inst1_staff)
    services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    with CaptureQueriesContext(connection) as one:
        client.get("/exchange/")
    for _ in range(4):
        services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    with CaptureQueriesContext(connection) as many:
        client.get("/exchange/")
    assert len(many) == len(one)


def test_the_demo_fifty_rows_two_fixed_and_confirmed(client, inst1_staff, pm_batch):
    """inst1 fills 50 rows, two are rejected, fixes them, uploads again, confirms: enrolments with StateLog."""
    good = [enrolment_row(name=f"学员{n}") for n in range(48)]
    bad = [enrolment_row(id_number=corpus.BAD_CHECKSUM_ID, name="错号"), enrolment_row(name="无日期", birth_date=None)]
    client.force_login(inst1_staff)
    first = post_upload(client, workbook_bytes("enrolments", good + bad), submit="on")
    assert first.status_code == 400
    page = first.content.decode()
    assert "This resident ID number fails its checksum: please check each digit." in page
    assert "Birth date is required." in page
    fixed = [enrolment_row(name="错号"), enrolment_row(name="无日期")]
    second = post_upload(client, workbook_bytes("enrolments", good + fixed), submit="on")
    assert second.status_code == 200 and "Import 50 rows" in second.content.decode()
    session = ImportSession.objects.latest("pk")
    assert client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}).status_code == 302
    assert Enrolment.objects.filter(status=EnrolmentStatus.SUBMITTED).count() == 50
    assert StateLog.objects.filter(transition="submit").count() == 50


def test_a_full_batch_found_at_confirmation_writes_nothing(client, inst1_staff, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    pm_batch.capacity = 1
    pm_batch.save()
    factories.draft_enrolment(inst1_staff, "PM", batch_obj=pm_batch)
    client.force_login(inst1_staff)
    response = client.post(f"/exchange/imports/{session.pk}/confirm/", {"mode": "all"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "The batch is full (1 places)." in response.content.decode()
    assert Enrolment.objects.count() == 1
    assert not ImportSession.objects.get().is_imported


def test_a_batch_of_the_same_name_elsewhere_is_never_used(client, inst1_staff, inst2):
    named_batch(inst2, corpus.PM_BATCH, "PM")
    client.force_login(inst1_staff)
    response = post_upload(client, corpus_file("enrolments_valid.xlsx"))
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_the_preview_lists_the_rows_to_create_and_to_reject_by_outcome(client, inst1_staff, world):
    session = services.start_import(
        staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_duplicates_in_file.xlsx")
    )
    summary = session.result
    client.force_login(inst1_staff)
    page = client.get(f"/exchange/imports/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-outcome="create"') == summary.counts["create"]
    assert page.count('data-outcome="rejected"') == summary.counts["rejected"] > 0
    assert corpus.NEW_IDS[0][-4:] in page and corpus.NEW_IDS[0] not in page
    rejected = client.get(f"/exchange/imports/{session.pk}/?rows=rejected", HTTP_ACCEPT_LANGUAGE="en")
    shown = rejected.content.decode()
    assert 'data-outcome="create"' not in shown and "already has the same" in shown


def test_the_preview_pages_a_long_list(client, inst1_staff, pm_batch):
    from exchange.summary import Summary

    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    summary = Summary.from_json(session.summary)
    for number in range(120):
        summary.list_row(100 + number, "create", f"某某 …{number:04d}", pm_batch.name)
    ImportSession.objects.filter(pk=session.pk).update(summary=summary.to_json())
    client.force_login(inst1_staff)
    first = client.get(f"/exchange/imports/{session.pk}/").content.decode()
    third = client.get(f"/exchange/imports/{session.pk}/?page=3").content.decode()
    assert first.count("data-outcome=") == 50 and third.count("data-outcome=") == 123 - 100
    assert f"/exchange/imports/{session.pk}/?page=2#rows" in first
