"""The office's Ed25519 credential key: created by the key command, rotated without unpublishing."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from certificates import office_keys


def test_the_key_command_creates_a_credential_key_beside_the_signing_key(tmp_path, settings):
    settings.CERT_SIGNING_KEY = str(tmp_path)
    call_command("create_signing_key", "--common-name", "测试")
    kid, key = office_keys.current_key()
    assert kid == office_keys.key_id(key.public_key())
    assert list(office_keys.published_keys()) == [kid]
    assert stat.S_IMODE((tmp_path / office_keys.PRIVATE_KEY_FILE).stat().st_mode) == 0o600


def test_if_missing_adds_a_credential_key_to_an_installation_that_had_only_the_pdf_key(tmp_path, settings):
    from certificates import signing

    settings.CERT_SIGNING_KEY = str(tmp_path)
    signing.create_signing_key(directory=tmp_path, common_name="测试", organisation="测试")
    call_command("create_signing_key", "--if-missing")
    assert office_keys.has_credential_key(tmp_path)


def test_a_rotated_key_stays_published_and_signatures_it_made_still_check(tmp_path, settings):
    settings.CERT_SIGNING_KEY = str(tmp_path)
    first = office_keys.create_credential_key(directory=tmp_path)
    _, first_key = office_keys.current_key()
    signature = first_key.sign(b"GZ-2026-PM-000001")
    second = office_keys.create_credential_key(directory=tmp_path)
    assert office_keys.current_key()[0] == second != first
    published = office_keys.published_keys()
    assert set(published) == {first, second}
    published[first].verify(signature, b"GZ-2026-PM-000001")  # raises when it does not check


def test_no_key_is_a_clear_configuration_error(tmp_path, settings):
    settings.CERT_SIGNING_KEY = str(tmp_path / "empty")
    with pytest.raises(ImproperlyConfigured, match="create_signing_key"):
        office_keys.current_key()
