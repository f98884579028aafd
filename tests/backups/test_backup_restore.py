"""`manage.py backup` and `manage.py restore` (docs/spec.md §14): a demo with issued, signed
certificates is backed up, restored into a fresh database, storage and key directory, and there every
certificate still verifies and the series continues without a gap or a reuse."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backups import archive
from certificates import services
from certificates.models import Certificate, CertificateStatus
from tests.certificates.conftest import ready_enrolments

from .restoring import PASSPHRASE, check_restored, environment, manage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issued_demo(inst1_staff, officer, assessor, settings, tmp_path):
    """Three certificates issued for real (rendered, signed, stored), one revoked, one candidate still ready."""
    settings.MEDIA_ROOT = tmp_path / "media"
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 4)
    certificates = [services.issue_certificate(officer=officer, enrolment_id=e.pk) for e in enrolments[:3]]
    services.revoke_certificate(officer=officer, certificate_id=certificates[2].pk, reason="证书信息有误")
    return certificates


def backed_up(tmp_path, monkeypatch, *, include_keys=True):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    directory = tmp_path / "backup"
    call_command("backup", str(directory), include_keys=include_keys, stdout=open("/dev/null", "w"))
    return directory


def assert_restored_installation_works(env, certificates, officer):
    result = check_restored(env, officer.username)
    numbers = [c.number for c in sorted(certificates, key=lambda c: c.serial)]
    assert list(result["verdicts"]) == numbers
    assert [verdict for verdict, _word in result["verdicts"].values()] == [0, 0, 1]  # valid, valid, revoked
    assert all(status == 200 and shown for status, shown in result["pages"].values())
    next_serial, next_number, next_status = result["next"]
    assert next_serial == max(c.serial for c in certificates) + 1  # no gap, no reuse
    assert next_number not in numbers
    assert next_status == CertificateStatus.VALID


def test_a_backup_restores_into_a_fresh_sqlite_database_where_every_certificate_verifies(
    issued_demo, officer, tmp_path, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL test is below")
    directory = backed_up(tmp_path, monkeypatch)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["counts"]["certificates"] == 3
    assert manifest["counts"]["last_serials"][0]["last_serial"] == max(c.serial for c in issued_demo)
    assert {c.pdf.name for c in issued_demo} <= {name.removeprefix("media/") for name in manifest["files"]}

    env = environment(
        database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        media_root=tmp_path / "fresh-media",
        key_dir=tmp_path / "fresh-keys",
    )
    restored = manage(env, "restore", str(directory), "--include-keys")
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "the counts match the manifest" in restored.stdout
    assert_restored_installation_works(env, issued_demo, officer)


@pytest.mark.postgres
def test_a_backup_restores_into_a_second_fresh_postgresql_database_where_every_certificate_verifies(
    issued_demo, officer, tmp_path, monkeypatch
):
    import psycopg

    directory = backed_up(tmp_path, monkeypatch)
    assert (directory / "database.dump").is_file()
    source = connection.settings_dict
    server = f"{source['USER']}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
    fresh = f"{source['NAME']}_restored"
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = environment(
            database_url=f"postgres://{server}/{fresh}",
            media_root=tmp_path / "fresh-media",
            key_dir=tmp_path / "fresh-keys",
        )
        restored = manage(env, "restore", str(directory), "--include-keys")
        assert restored.returncode == 0, restored.stderr[-3000:]
        assert_restored_installation_works(env, issued_demo, officer)
    finally:
        with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_the_signing_keys_are_in_a_backup_only_when_asked_and_then_encrypted(
    issued_demo, tmp_path, monkeypatch, signing_key
):
    without = backed_up(tmp_path / "a", monkeypatch, include_keys=False)
    assert not (without / "keys.sealed").exists()
    assert json.loads((without / "manifest.json").read_text())["keys"] == "not included"

    with_keys = backed_up(tmp_path / "b", monkeypatch, include_keys=True)
    sealed = (with_keys / "keys.sealed").read_bytes()
    assert b"PRIVATE KEY" not in sealed
    assert (signing_key / "signing-key.pem").read_bytes()[:40] not in sealed


def test_a_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    issued_demo, tmp_path, monkeypatch, settings
):
    directory = backed_up(tmp_path, monkeypatch, include_keys=False)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(directory))
    assert Certificate.objects.count() == 3
    assert not (tmp_path / "empty-media").exists()


def test_a_restore_refuses_a_changed_file_before_touching_anything(issued_demo, tmp_path, monkeypatch, settings):
    directory = backed_up(tmp_path, monkeypatch, include_keys=False)
    pdf = directory / "media" / issued_demo[0].pdf.name
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOX"))
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="does not match its manifest.*changed: media/certificates"):
        call_command("restore", str(directory))


def test_a_restore_refuses_a_storage_that_is_not_empty(issued_demo, tmp_path, monkeypatch):
    directory = backed_up(tmp_path, monkeypatch, include_keys=False)
    with pytest.raises(CommandError, match="storage .* is not empty"):
        call_command("restore", str(directory))  # MEDIA_ROOT still holds the demo's files


def test_a_wrong_passphrase_stops_the_restore_before_anything_is_written(issued_demo, tmp_path, monkeypatch, settings):
    directory = backed_up(tmp_path, monkeypatch, include_keys=True)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    settings.CERT_SIGNING_KEY = str(tmp_path / "empty-keys")
    monkeypatch.setenv("BACKUP_PASSPHRASE", "not the passphrase at all")
    with pytest.raises(CommandError, match="Wrong passphrase"):
        call_command("restore", str(directory), include_keys=True)
    assert not (tmp_path / "empty-keys").exists()


def test_a_backup_refuses_a_directory_that_already_holds_something(issued_demo, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))


def test_a_short_passphrase_is_refused(issued_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", "short")
    with pytest.raises(CommandError, match="at least 12"):
        call_command("backup", str(tmp_path / "backup"), include_keys=True)
    assert archive.MANIFEST not in [p.name for p in (tmp_path).rglob("*")]
