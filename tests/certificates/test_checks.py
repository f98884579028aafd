"""Set-up checks: what certificates need from the machine is reported by `manage.py check`."""

import pytest

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


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://127.0.0.1:8000",
        "http://127.3.2.1",
        "http://localhost:8000",
        "https://LOCALHOST",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "cert.example.org",
    ],
)
def test_a_verify_url_the_public_cannot_reach_is_a_deployment_error(settings, url):
    settings.PUBLIC_BASE_URL = url

    [error] = checks.check_public_base_url()

    assert error.id == "certificates.E001"
    assert error.is_serious()


def test_a_public_verify_url_is_fine(settings):
    settings.PUBLIC_BASE_URL = "https://cert.example.org"

    assert checks.check_public_base_url() == []


def test_a_malformed_issuer_is_an_error_before_any_certificate_is_numbered(settings):
    settings.CERT_ISSUER = {**settings.CERT_ISSUER, "province": "3"}

    [error] = checks.check_issuer()

    assert error.id == "certificates.E002"
