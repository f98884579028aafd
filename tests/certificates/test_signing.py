"""The office's PAdES signature (docs/spec.md §6): made by pyHanko's CMS once and a template after, and
checked offline by pyHanko and by Poppler alike. A certificate is signed in the signature field its
render reserved; any other PDF through pyHanko's incremental update."""

import datetime
import io
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML

from certificates import rendering, signing

from .conftest import unsaved_certificate


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


def use_an_rsa_key(directory, settings) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA office")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=10))
        .sign(key, hashes.SHA256())
    )
    (directory / signing.KEY_FILE).write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / signing.CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    settings.CERT_SIGNING_KEY = str(directory)


def test_an_rsa_key_is_signed_by_pyhanko_all_the_way(blank_pdf, tmp_path, settings):
    use_an_rsa_key(tmp_path, settings)

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


@pytest.fixture(scope="module")
def certificate():
    return unsaved_certificate()


@pytest.fixture(scope="module")
def reserved_pdf(certificate, signing_key) -> bytes:
    """A certificate as rendered: its signature field reserved and empty."""
    return rendering.render_certificate(certificate)


@pytest.fixture(scope="module")
def signed_in_place(reserved_pdf, certificate) -> bytes:
    return signing.sign_pdf(reserved_pdf, number=certificate.number)


def revisions(pdf: bytes) -> int:
    return PdfFileReader(io.BytesIO(pdf), strict=False).xrefs.total_revisions


def test_a_certificate_is_signed_in_the_field_its_render_reserved(reserved_pdf, signed_in_place):
    check = signing.check_signature(signed_in_place)

    assert check.genuine and check.whole_file
    assert len(signed_in_place) == len(reserved_pdf)  # filled in place: no update appended
    assert revisions(signed_in_place) == 1
    assert b"/SubFilter /ETSI.CAdES.detached" in signed_in_place


def test_pyhankos_validator_finds_one_pades_signature_over_the_entire_file(signed_in_place):
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signatures = PdfFileReader(io.BytesIO(signed_in_place), strict=False).embedded_signatures
    trusted = signing._trusted_certificates(signing._stamp(signing.key_directory()))
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=list(trusted)))

    assert len(signatures) == 1 and signatures[0].field_name == signing.FIELD_NAME
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_poppler_agrees_a_certificate_signed_in_place_is_valid(signed_in_place, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_in_place)

    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout

    assert "Signature is Valid." in report
    assert "Total document signed" in report


@pytest.mark.parametrize("where", ["page", "byte range", "signature", "last byte"])
def test_a_flipped_byte_in_a_certificate_signed_in_place_breaks_the_signature(signed_in_place, where):
    content = bytearray(signed_in_place)
    positions = {
        "page": len(content) // 3,
        "byte range": content.index(b"/ByteRange [0 ") + len(b"/ByteRange [0 "),
        "signature": content.index(b"/Contents <") + 200,
        "last byte": len(content) - 2,
    }
    content[positions[where]] ^= 0x01

    assert not signing.check_signature(bytes(content)).genuine


def test_anything_appended_after_signing_in_place_breaks_the_whole_file_coverage(signed_in_place):
    check = signing.check_signature(signed_in_place + b"\n% appended\n")

    assert check.intact and not check.whole_file and not check.genuine


def test_a_reserved_field_never_filled_is_no_signature(reserved_pdf):
    check = signing.check_signature(reserved_pdf)

    assert not check.signed and not check.genuine


def test_a_field_reserved_for_another_certificate_is_not_filled(reserved_pdf):
    with pytest.raises(ValueError, match="reserved"):
        signing.sign_pdf(reserved_pdf, number="Y000133000101264000999")


def test_an_rsa_key_signs_in_the_reserved_field_too(tmp_path, settings):
    use_an_rsa_key(tmp_path, settings)
    certificate = unsaved_certificate(number="Y000133000101264000777")

    signed = signing.sign_pdf(rendering.render_certificate(certificate), number=certificate.number)

    assert current_signer()._template is None
    assert signing.check_signature(signed).genuine
    assert revisions(signed) == 1
    assert b"/ISO_" not in signed  # ISO 32002 is declared for ECDSA keys only, as pyHanko does


def test_signing_in_place_builds_the_cms_template_itself_and_uses_it(reserved_pdf, certificate):
    signing._signer.cache_clear()  # a fresh worker: no signature made by pyHanko's PDF signer yet

    first = signing.sign_pdf(reserved_pdf, number=certificate.number)
    second = signing.sign_pdf(reserved_pdf, number=certificate.number)

    assert current_signer()._template is not None
    assert signing.check_signature(first).genuine and signing.check_signature(second).genuine
    assert first != second  # ECDSA signatures differ each time
