"""Management commands: issue_certificates (docs/spec.md §8) and create_signing_key."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from certificates import signing
from certificates.models import Certificate, IssuanceRun
from certification.models import Role

from .. import factories
from .conftest import ready_enrolments


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("issue_certificates", *args, stdout=out)
    return out.getvalue()


def test_it_issues_a_batch_and_prints_progress(officer, inst1_staff, assessor, fast_rendering):
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 3)

    output = run_command("--batch", str(enrolments[0].batch_id), "--processes", "1")

    assert "3/3 done: 3 issued, 0 skipped" in output
    assert "finished: 3 issued" in output
    assert Certificate.objects.count() == 3


def test_it_issues_everything_ready(officer, inst1_staff, inst2_staff, assessor, assessor2, fast_rendering):
    ready_enrolments(inst1_staff, officer, assessor, 1)
    ready_enrolments(inst2_staff, officer, assessor2, 1, track_code="NM")

    run_command("--all-ready", "--processes", "1")

    assert Certificate.objects.count() == 2


def test_nothing_ready_is_said_and_is_not_an_error(officer, enrolled_enrolment):
    assert "Nothing is ready" in run_command("--all-ready")


def test_nothing_ready_is_not_an_error_in_chinese_either(officer, enrolled_enrolment):
    with translation.override("zh-hans"):
        output = run_command("--all-ready")

    assert output.strip()
    assert IssuanceRun.objects.count() == 0


def test_nothing_ready_in_a_batch_is_not_an_error_in_chinese_either(officer, enrolled_enrolment):
    with translation.override("zh-hans"):
        output = run_command("--batch", str(enrolled_enrolment.batch_id))

    assert output.strip()
    assert IssuanceRun.objects.count() == 0


def test_an_unknown_batch_is_still_an_error_in_chinese(officer):
    with translation.override("zh-hans"), pytest.raises(CommandError):
        run_command("--batch", "999999")


def test_it_resumes_a_run_that_stopped(officer, inst1_staff, assessor, fast_rendering):
    from certificates import services

    ready_enrolments(inst1_staff, officer, assessor, 2)
    run = services.start_issuance(officer=officer, enqueue=False)

    output = run_command("--resume", str(run.pk), "--processes", "1")

    assert f"Run #{run.pk} finished: 2 issued" in output


def test_it_needs_to_know_the_officer_when_there_are_several(officer, ready_enrolment, fast_rendering):
    factories.user("officer2", Role.OFFICER)

    with pytest.raises(CommandError, match="--officer"):
        run_command("--all-ready")
    assert "finished: 1 issued" in run_command("--all-ready", "--officer", "officer2", "--processes", "1")


def test_an_unknown_officer_is_an_error(officer, ready_enrolment):
    with pytest.raises(CommandError):
        run_command("--all-ready", "--officer", "nobody")


def test_it_needs_a_scope():
    with pytest.raises(CommandError):
        run_command()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_queue_mode_leaves_the_work_to_the_workers(officer, ready_enrolment, settings, fast_rendering):
    # The immediate backend stands in for a worker: it runs each task as it is queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    output = run_command("--all-ready", "--queue")

    assert "Queued for the task workers" in output
    assert IssuanceRun.objects.get().is_finished


def test_create_signing_key_writes_a_key_and_refuses_to_overwrite_it(tmp_path):
    call_command("create_signing_key", "--directory", str(tmp_path), stdout=io.StringIO())

    assert (tmp_path / signing.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / signing.CERT_FILE).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    with pytest.raises(CommandError, match="--replace"):
        call_command("create_signing_key", "--directory", str(tmp_path), stdout=io.StringIO())
    call_command("create_signing_key", "--directory", str(tmp_path), "--if-missing", stdout=io.StringIO())


def test_a_replaced_key_stays_trusted_for_what_it_signed(tmp_path, settings, db):
    settings.CERT_SIGNING_KEY = str(tmp_path)
    call_command("create_signing_key", stdout=io.StringIO())
    signed_with_old_key = signing.sign_pdf(_blank_pdf(), number="Y000133000101264000001")

    call_command("create_signing_key", "--replace", stdout=io.StringIO())

    assert len(list((tmp_path / signing.TRUSTED_DIR).glob("*.pem"))) == 1
    assert signing.check_signature(signed_with_old_key).genuine
    assert signing.check_signature(signing.sign_pdf(_blank_pdf(), number="Y000133000101264000002")).genuine


def _blank_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>x</p>").write_pdf()
