"""The office's PAdES signature (SPEC §6): made by pyHanko's CMS once and a template after, and
checked offline by pyHanko and by Poppler alike."""

import datetime
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from weasyprint import HTML

from certificates import signing


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    return HTML(string="<p>证书</p>").write_pdf()


def current_signer():
    return signing._signer(signing._stamp(signing.key_directory()))


def test_every_signature_checks_out_the_first_made_by_pyhanko_the_rest_from_the_template(blank_pdf):
    first = signing.sign_pdf(blank_pdf, number="Y000133000101264000001")
    second = signing.sign_pdf(blank_pdf, number="Y000133000101264000002")

    assert current_signer()._template is not None
    assert signing.check_signature(first).genuine
    assert signing.check_signature(second).genuine
    assert first != second


def test_poppler_agrees_the_signature_is_valid(blank_pdf, tmp_path):
    signing.sign_pdf(blank_pdf, number="Y000133000101264000001")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signing.sign_pdf(blank_pdf, number="Y000133000101264000002"))

    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout

    assert "Signature is Valid." in report
    assert "Total document signed" in report


def test_an_rsa_key_is_signed_by_pyhanko_all_the_way(blank_pdf, tmp_path, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA office")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=10)).sign(key, hashes.SHA256())
    )
    (tmp_path / signing.KEY_FILE).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / signing.CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    settings.CERT_SIGNING_KEY = str(tmp_path)

    signed = [signing.sign_pdf(blank_pdf, number="Y000133000101264000001") for _ in range(2)]

    assert current_signer()._template is None
    assert all(signing.check_signature(pdf).genuine for pdf in signed)


def test_a_file_without_a_signature_is_not_signed(blank_pdf):
    check = signing.check_signature(blank_pdf)

    assert not check.signed and not check.genuine


def test_garbage_is_neither_signed_nor_genuine():
    assert not signing.check_signature(b"not a pdf at all").genuine


def test_without_a_key_signing_says_how_to_make_one(blank_pdf, tmp_path, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CERT_SIGNING_KEY = str(tmp_path / "empty")

    with pytest.raises(ImproperlyConfigured, match="create_signing_key"):
        signing.sign_pdf(blank_pdf, number="Y000133000101264000001")
