"""The signed statement in the QR code (docs/spec.md §12): the public facts, signed with the office's
Ed25519 key, after the verify URL's "#"; read back with any key the office has published."""

import base64
import subprocess

import cbor2
import pytest
import segno

from certificates import office_keys, offline_statement, qr, rendering, signing
from certification.identity import mask_name

from .conftest import unsaved_certificate


def test_a_new_certificate_carries_its_public_facts_signed_with_the_office_key(issued):
    facts = offline_statement.read(issued.offline_statement)

    assert facts == {
        "n": issued.number,
        "h": mask_name(issued.holder_name),
        "t": issued.direction,
        "l": issued.level,
        "d": issued.issue_date.isoformat(),
        "x": None,
        "kid": office_keys.current_key()[0],
    }
    assert "张晓明" not in str(facts)


def test_its_qr_code_opens_the_qr_page_and_carries_the_statement_after_the_hash(issued):
    assert qr.content(issued) == f"{qr.scan_url(issued.number)}#{issued.offline_statement}"


def test_a_certificate_issued_before_the_statement_keeps_its_qr_code():
    old = unsaved_certificate()

    assert qr.content(old) == qr.scan_url(old.number)


def test_the_statement_keeps_the_qr_code_small_enough_to_scan():
    certificate = unsaved_certificate(holder_name="欧阳晓明", direction="新媒体营销")
    certificate.offline_statement = offline_statement.sign(certificate)

    code = segno.make(qr.content(certificate), error="m", micro=False)

    assert len(certificate.offline_statement) < 240
    assert code.version <= 13, code.version


def test_the_printed_qr_code_decodes_to_the_url_with_the_statement(tmp_path):
    certificate = unsaved_certificate()
    certificate.offline_statement = offline_statement.sign(certificate)
    pdf = signing.sign_pdf(rendering.render_certificate(certificate), number=certificate.number)
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "certificate.pdf"), str(tmp_path / "page")],
        check=True,
    )

    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert decoded == qr.content(certificate)
    assert offline_statement.read(decoded)["n"] == certificate.number


def _message(statement: str) -> cbor2.CBORTag:
    return cbor2.loads(base64.urlsafe_b64decode(statement + "=" * (-len(statement) % 4)))


def _encoded(message) -> str:
    return base64.urlsafe_b64encode(cbor2.dumps(message)).rstrip(b"=").decode()


def test_a_changed_fact_breaks_the_signature():
    statement = offline_statement.sign(unsaved_certificate())
    message = _message(statement)
    claims = cbor2.loads(message.value[2])
    message.value[2] = cbor2.dumps({**claims, "l": 5})

    with pytest.raises(offline_statement.InvalidStatement, match="signature"):
        offline_statement.read(_encoded(message))


def test_a_statement_naming_an_unknown_key_is_refused():
    message = _message(offline_statement.sign(unsaved_certificate()))
    message.value[0] = cbor2.dumps({1: -8, 4: b"ed25519-0000000000000000"})

    with pytest.raises(offline_statement.InvalidStatement, match="not signed by a key of the office"):
        offline_statement.read(_encoded(message))


@pytest.mark.parametrize("garbage", ["", "not base64 !", "AAAA", base64.urlsafe_b64encode(b"\xd2\x84").decode()])
def test_garbage_is_refused(garbage):
    with pytest.raises(offline_statement.InvalidStatement):
        offline_statement.read(garbage)


def test_a_statement_signed_before_a_key_rotation_still_reads_and_the_old_key_stays_published(settings, tmp_path):
    settings.CERT_SIGNING_KEY = str(tmp_path)
    first = office_keys.create_credential_key(directory=tmp_path)
    statement = offline_statement.sign(unsaved_certificate())
    second = office_keys.create_credential_key(directory=tmp_path)

    assert offline_statement.read(statement)["kid"] == first
    assert {key["kid"] for key in offline_statement.public_key_set()["keys"]} == {first, second}
    assert offline_statement.read(offline_statement.sign(unsaved_certificate()))["kid"] == second
