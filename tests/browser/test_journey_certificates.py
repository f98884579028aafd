"""Journey D (issue 7): the office issues everything ready from the browser and follows the run's
progress bar while a task worker issues it; the trainee logs in and downloads their certificate, a
signed PDF whose QR code opens the public verification page, which shows the certificate as valid."""

import re
import subprocess
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker

from certificates import office_keys, signing
from certificates.models import Certificate, CertificateStatus, IssuanceRun
from certification import accounts
from certification.models import Enrolment, EnrolmentStatus
from certification.photos import make_placeholder_photo

from .. import factories
from . import journeys
from .browsing import PASSWORD, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAME = "王小红"
OTHER_NAMES = ("李雪梅", "王建国")  # also ready to issue, in the same batch


@pytest.fixture(scope="module")
def signing_key_directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("signing")
    signing.create_signing_key(directory=directory, common_name="测试认定中心", organisation="测试认定中心")
    office_keys.create_credential_key(directory=directory)
    return directory


@pytest.fixture
def ready_to_issue(cast, settings, live_server, signing_key_directory):
    """The trainee of the journey (with a photo and an activated account) and two others of the batch,
    ready to issue; certificates signed with a test key and their QR codes pointing at the live server."""
    settings.CERT_SIGNING_KEY = str(signing_key_directory)
    settings.PUBLIC_BASE_URL = live_server.url
    trainee = factories.trainee(cast["inst1"], name=NAME, gender="F")
    trainee.photo.save("photo.png", make_placeholder_photo(NAME), save=True)
    people = [trainee] + [factories.trainee(cast["inst1"], name=name) for name in OTHER_NAMES]
    enrolments = [
        factories.advance(
            factories.draft_enrolment(cast["staff"], "PM", trainee_obj=person, batch_obj=cast["batch"]),
            staff=cast["staff"],
            officer=cast["officer"],
            assessor=cast["assessor"],
            to="ready_to_issue",
        )
        for person in people
    ]
    code = accounts.issue_activation_code(staff=cast["staff"], trainee_id=trainee.pk)
    accounts.activate_account(id_number=trainee.id_number, code=code, password=PASSWORD)
    return enrolments[0]


def run_task_worker():
    """`manage.py db_worker --batch`, in-process: run the queued tasks, then return.

    In a thread of its own, because this one runs Playwright's event loop and signing a PDF calls
    asyncio.run; with this thread's database connections, which the live server shares on SQLite
    (the worker runs alone: the page that polls is paused meanwhile). The command installs signal
    handlers, which only the main thread may do: those alone are left out.
    """
    shared = {alias: connections[alias] for alias in connections}
    failures = []

    def work():
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
        except BaseException as error:
            failures.append(error)

    for connection in shared.values():
        connection.inc_thread_sharing()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Worker, "configure_signals", lambda self: None)
            worker = threading.Thread(target=work, name="db_worker")
            worker.start()
            worker.join(timeout=120)
    finally:
        for connection in shared.values():
            connection.dec_thread_sharing()
    assert not worker.is_alive(), "the task worker did not finish"
    if failures:
        raise failures[0]


def start_issuing_everything(officer: Visitor) -> int:
    page = officer.open("/certificates/issue/")
    officer.shoot("issuance")
    officer.submit("form:has(input[name=batch][value=all]) button[type=submit]")  # data-confirm: accepted
    found = re.fullmatch(r"/certificates/runs/(\d+)/", officer.path())
    assert found, page.locator("main").inner_text()
    return int(found[1])


def progress_bar(officer: Visitor) -> tuple[int, int]:
    bar = officer.page.locator(".run-progress progress[data-progress-bar]")
    return int(bar.get_attribute("value")), int(bar.get_attribute("max"))


def run_command(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_office_issues_and_the_trainee_downloads_a_certificate_that_verifies(
    visitor, cast, ready_to_issue, album, tmp_path
):
    officer, trainee, public = visitor("officer"), visitor("trainee"), visitor("public")
    total = len(OTHER_NAMES) + 1

    journeys.log_in(officer, "officer")
    # The run page asks for its progress every 1.5 s: its clock stands still while the worker runs.
    polls = []
    officer.page.on("request", lambda request: polls.append(request.url) if "progress.json" in request.url else None)
    officer.page.clock.install()
    officer.page.clock.pause_at(officer.page.evaluate("Date.now()") + 1000)
    run_pk = start_issuing_everything(officer)
    assert progress_bar(officer) == (0, total)
    assert officer.page.locator(".run-progress").get_attribute("data-finished") == "false"
    officer.shoot("run-started")

    run_task_worker()

    assert IssuanceRun.objects.get(pk=run_pk).finished_at is not None
    assert not polls
    officer.page.clock.resume()
    # The page's script sees the run finished and reloads itself.
    officer.page.locator(".run-progress[data-finished=true]").wait_for()
    assert progress_bar(officer) == (total, total)
    assert polls, "the page did not ask for its progress"
    numbers = officer.page.locator("main table.table tbody tr td.mono").all_inner_texts()
    assert len(numbers) == total
    officer.shoot("run-finished")

    certificate = Certificate.objects.get(enrolment=ready_to_issue)
    assert certificate.status == CertificateStatus.VALID and certificate.number in numbers
    assert Enrolment.objects.get(pk=ready_to_issue.pk).status == EnrolmentStatus.CERTIFIED

    journeys.log_in(trainee, ready_to_issue.trainee.id_number)
    page = trainee.open("/certificates/mine/")
    trainee.shoot("my-certificates")
    with page.expect_download() as download:
        page.click(f"main a[href='/certificates/{certificate.pk}/pdf/']")
    assert download.value.suggested_filename == f"{certificate.number}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert certificate.number in run_command("pdftotext", "-layout", str(pdf), "-")

    run_command("pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page"))
    scanned = run_command("zbarimg", "--raw", "-q", str(tmp_path / "page.png")).strip()
    # The verify URL, then after "#" the signed statement for /verify/offline/ (never sent to the server).
    assert scanned == f"{certificate.verify_url}#{certificate.offline_statement}"
    assert scanned.startswith(public.base_url + f"/verify/{certificate.number}/qr/")

    response = public.page.goto(scanned)
    assert response is not None and response.status == 200
    verdict = public.page.locator(".verdict.verdict-valid")
    assert verdict.is_visible() and verdict.locator(".badge.badge-valid").is_visible()
    assert public.page.locator("dl.facts dd.mono").first.inner_text() == certificate.number
    photo = public.page.locator(".verify-photo img")
    photo.wait_for()
    assert public.page.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert NAME not in public.page.content(), "the public page shows the holder's full name"
    public.shoot("verified")
    assert not album.errors, "\n".join(album.errors)
