"""Journey C (issue 6): institution staff download the enrolment template, upload a file saved by
LibreOffice with two wrong rows and read the preview (counts, and each rejected cell with its
reason), upload the corrected file, submitting the new enrolments, and confirm it. The enrolments
are in the list, submitted, and an enrolment's page shows the move in its history."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from certification.models import (
    Enrolment,
    EnrolmentStatus,
    StateLog,
    Track,
    TrainingBatch,
)
from exchange.columns import ENROLMENTS
from exchange.reading import LISTS_SHEET

from ..data.libreoffice import make_libreoffice_files as libreoffice
from . import journeys
from .browsing import Visitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHECKSUM = "This resident ID number fails its checksum: please check each digit."
NO_SUCH_BATCH = "There is no batch “%(name)s” at your institution: use a batch name from the template's list."


@pytest.fixture
def libreoffice_batch(cast):
    """Institution 1's batch that the LibreOffice files name."""
    return TrainingBatch.objects.create(
        institution=cast["inst1"],
        track=Track.objects.get(code="PM"),
        level=4,
        name=libreoffice.LIBREOFFICE_BATCH,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=60),
        capacity=60,
    )


def download_template(staff: Visitor, tmp_path):
    page = staff.page
    staff.submit("nav.mainnav a[href='/exchange/']")
    staff.shoot("exchange")
    with page.expect_download() as download:
        page.click("main a[href='/exchange/templates/enrolments.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return load_workbook(path)


def upload(staff: Visitor, name: str) -> int:
    """Upload a file, submitting the new enrolments; the preview's HTTP status (400 while rows are rejected)."""
    page = staff.page
    page.set_input_files("#id_file", str(libreoffice.HERE / name))
    page.check("#id_submit")
    with page.expect_navigation() as navigation:
        page.click("main form.form button[type=submit]")
    assert staff.path() == "/exchange/enrolments/upload/", staff.path()
    return navigation.value.status


def expected_console_errors(album, status: int) -> list[str]:
    """Chromium logs a page answered with a 4xx as a console error: take out those of the preview."""
    expected = [e for e in album.errors if "/exchange/enrolments/upload/" in e and f"status of {status}" in e]
    album.errors[:] = [e for e in album.errors if e not in expected]
    return expected


def counts(staff: Visitor) -> dict:
    numbers = staff.page.locator("main .stat-grid .stat .number").all_inner_texts()
    return dict(zip(("create", "update", "unchanged", "rejected"), map(int, numbers)))


def rejected_cells(staff: Visitor) -> dict:
    """Cell → (value, reason), from the preview's table of rejected cells."""
    rows = staff.page.locator("main table.table[data-rejected-cells] tbody tr")
    found = {}
    for index in range(rows.count()):
        cell, _column, value, reason = rows.nth(index).locator("td").all_inner_texts()
        found[cell.strip()] = (value.strip(), reason.strip())
    return found


def test_staff_import_enrolments_from_a_libreoffice_file(visitor, cast, libreoffice_batch, album, tmp_path):
    staff = visitor("inst1")
    page = journeys.log_in(staff, "inst1")

    template = download_template(staff, tmp_path)
    data = template[ENROLMENTS.sheet]
    assert [cell.value for cell in data[2]] == [column.key for column in ENROLMENTS.columns]
    batches = next(column for column in template[LISTS_SHEET].iter_cols(values_only=True) if column[0] == "batches")
    assert libreoffice.LIBREOFFICE_BATCH in batches and cast["batch"].name in batches

    staff.submit("main a[href='/exchange/enrolments/upload/']")
    assert upload(staff, libreoffice.TWO_BAD_ROWS_FILE) == 400
    staff.shoot("preview-two-bad-rows")
    assert counts(staff) == {"create": 48, "update": 0, "unchanged": 0, "rejected": 2}
    with translation.override("zh-hans"):
        expected = {
            f"C{libreoffice.BAD_ROWS['checksum']}": (libreoffice.bad_checksum_id(), gettext(CHECKSUM)),
            f"L{libreoffice.BAD_ROWS['batch']}": (
                libreoffice.OTHER_BATCH,
                gettext(NO_SUCH_BATCH) % {"name": libreoffice.OTHER_BATCH},
            ),
        }
    assert rejected_cells(staff) == expected
    assert page.locator("form[action$='/confirm/'] input[name=mode][value=all]").count() == 0
    assert not Enrolment.objects.exists()

    staff.submit("main .page-header a[href='/exchange/enrolments/upload/']")
    assert upload(staff, libreoffice.VALID_FILE) == 200
    staff.shoot("preview-valid")
    assert counts(staff) == {"create": 50, "update": 0, "unchanged": 0, "rejected": 0}
    staff.submit("form[action$='/confirm/']:has(input[name=mode][value=all]) button[type=submit]")
    assert page.locator("main .alert-success").count() >= 1, page.locator("main").inner_text()
    assert counts(staff)["create"] == 50
    staff.shoot("imported")

    enrolments = Enrolment.objects.filter(batch=libreoffice_batch)
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.SUBMITTED}
    assert enrolments.count() == 50
    assert StateLog.objects.filter(transition="submit", actor=cast["staff"]).count() == 50

    # The list: two pages of the batch, every row submitted.
    page = staff.open(f"/enrolments/?batch={libreoffice_batch.pk}")
    shown = page.locator("main table.table tbody tr").count()
    assert page.locator("main table.table tbody tr .badge.badge-submitted").count() == shown
    staff.shoot("enrolment-list")
    staff.submit("nav.pagination a[href$='page=2']")
    shown += page.locator("main table.table tbody tr .badge.badge-submitted").count()
    assert shown == 50

    # One of them, found by name: its page shows the submission in its history.
    person = next(p for p in libreoffice.people() if p["name"] == "欧阳娜娜")
    page.fill("form.filters input[name=q]", person["name"])
    staff.submit("form.filters button[type=submit]")
    staff.submit(f"main table.table tbody tr a:text-is('{person['name']}')")
    enrolment = journeys.enrolment_id(staff)
    assert Enrolment.objects.get(pk=enrolment).trainee.id_number == person["id_number"]
    assert journeys.status_badge(staff, "submitted").is_visible()
    history = page.locator("ol.history li")
    assert history.count() == 1
    assert history.locator(".badge-draft").count() == 1 and history.locator(".badge-submitted").count() == 1
    assert "inst1" in history.inner_text()
    staff.shoot("enrolment-history")
    assert len(expected_console_errors(album, 400)) == 1
    assert not album.errors, "\n".join(album.errors)
