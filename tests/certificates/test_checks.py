"""Set-up checks: what certificates need from the machine is reported by `manage.py check`."""

from certificates import checks


def test_this_machine_has_harfbuzz_subsetting_and_noto_cjk():
    assert checks.check_harfbuzz_subset() == []
    assert checks.check_noto_cjk() == []


def test_a_missing_signing_key_is_reported_with_the_command_to_run(settings, tmp_path):
    settings.CERT_SIGNING_KEY = str(tmp_path / "nothing-here")

    [warning] = checks.check_signing_key()

    assert warning.id == "certificates.W003"
    assert "create_signing_key" in warning.hint


def test_a_present_signing_key_is_fine():
    assert checks.check_signing_key() == []
