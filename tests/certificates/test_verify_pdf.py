"""`manage.py verify_pdf FILE` (docs/spec.md §8): valid / altered / unknown / revoked, from the signature
and the registry's SHA-256. These certificates are rendered and signed for real."""

import io

import pytest
from django.core.management import call_command

from certificates import rendering, services, signing
from certificates.models import VerificationChannel, VerificationLog

from .conftest import unsaved_certificate


@pytest.fixture
def certificate(ready_enrolment, officer):
    return services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)


def verify(path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_pdf", str(path), stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue()


def write(tmp_path, content: bytes):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    return path


def test_an_untouched_certificate_is_valid(certificate, tmp_path):
    code, output = verify(write(tmp_path, certificate.pdf.read()))

    assert code == 0
    assert output.startswith(f"valid {certificate.number}")
    log = VerificationLog.objects.get()
    assert (log.channel, log.certificate, log.found) == (VerificationChannel.PDF, certificate, True)


@pytest.mark.parametrize("where", [0.3, 0.6, 0.9])
def test_a_flipped_byte_makes_it_altered(certificate, tmp_path, where):
    content = bytearray(certificate.pdf.read())
    position = int(len(content) * where)
    content[position] ^= 0x01

    code, output = verify(write(tmp_path, bytes(content)))

    assert (code, output.split()[0]) == (2, "altered")


def test_text_appended_after_signing_makes_it_altered(certificate, tmp_path):
    content = certificate.pdf.read() + b"\n% appended after signing\n"

    code, output = verify(write(tmp_path, content))

    assert (code, output.split()[0]) == (2, "altered")
    assert certificate.number in output


def test_a_pdf_the_office_never_signed_is_unknown(db, tmp_path):
    unsigned = rendering.render_certificate(unsaved_certificate(number="Y000133000101264999999"))

    code, output = verify(write(tmp_path, unsigned))

    assert (code, output.split()[0]) == (3, "unknown")


def test_a_pdf_signed_with_another_key_is_unknown(db, tmp_path, settings, signing_key):
    other_office = tmp_path / "other-key"
    signing.create_signing_key(directory=other_office, common_name="伪造机构", organisation="伪造机构")
    settings.CERT_SIGNING_KEY = str(other_office)
    forged = signing.sign_pdf(
        rendering.render_certificate(unsaved_certificate(number="Y000133000101264888888")),
        number="Y000133000101264888888",
    )
    settings.CERT_SIGNING_KEY = str(signing_key)  # checked against the real office's key

    code, output = verify(write(tmp_path, forged))

    assert (code, output.split()[0]) == (3, "unknown")


def test_a_revoked_certificate_says_so_with_the_date(certificate, officer, tmp_path):
    services.revoke_certificate(officer=officer, certificate_id=certificate.pk, reason="fraud")

    code, output = verify(write(tmp_path, certificate.pdf.read()))

    assert code == 1
    assert output.startswith(f"revoked {certificate.number} (revoked on ")


def test_a_superseded_certificate_names_its_correction(certificate, officer, tmp_path, monkeypatch):
    monkeypatch.setattr(rendering, "render_certificate", lambda c: f"%PDF-1.7 {c.number}".encode())
    new = services.reissue_certificate(officer=officer, certificate_id=certificate.pk, reason="name")

    code, output = verify(write(tmp_path, certificate.pdf.read()))

    assert code == 1
    assert output.startswith(f"superseded {certificate.number} (superseded by {new.number})")


def test_a_missing_file_is_an_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("verify_pdf", str(tmp_path / "nothing.pdf"))
