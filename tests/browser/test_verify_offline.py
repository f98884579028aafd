"""/verify/offline/ in Chromium (docs/spec.md §12): visited once with a network, the page opens again
with none, reads the text of a real certificate's QR code (issued, rendered, signed, printed at
150 dpi and scanned with zbarimg), checks its Ed25519 signature in the browser and shows the facts;
a changed statement and one signed by a key the office never published are refused. With the
status list synced before the network went, a revoked certificate shows as revoked.

DOCS_SCREENSHOTS=1 also saves the phone-size screenshot of the verified page to docs/verify-offline.png."""

import base64
import os
import subprocess
import threading

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cwt import COSE, COSEKey
from django.conf import settings as django_settings
from django.db import connections

from certificates import qr, rendering, services, signing
from certification.identity import mask_name

from ..certificates.conftest import ready_enrolments
from .browsing import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
PAGE = "/verify/offline/"


def in_a_thread(work):
    """Run `work` in a thread of its own with this thread's database connections: signing a PDF
    calls asyncio.run, which cannot run in this thread while Playwright's event loop does."""
    shared = {alias: connections[alias] for alias in connections}
    outcome = {}

    def run():
        for alias, connection in shared.items():
            connections[alias] = connection
        try:
            outcome["value"] = work()
        except BaseException as error:
            outcome["error"] = error

    for connection in shared.values():
        connection.inc_thread_sharing()
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=120)
    finally:
        for connection in shared.values():
            connection.dec_thread_sharing()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def scan(pdf_path, directory) -> str:
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_path), str(directory / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(directory / "page.png")], capture_output=True, text=True, check=True
    )
    return decoded.stdout.strip()


@pytest.fixture
def printed(settings, live_server, inst1_staff, officer, assessor, tmp_path):
    """A certificate issued for real (rendered, signed) with its QR pointing at the live server,
    and the text a camera reads from its printed QR code."""
    settings.PUBLIC_BASE_URL = live_server.url
    enrolment = ready_enrolments(inst1_staff, officer, assessor, 1)[0]
    certificate = in_a_thread(lambda: services.issue_certificate(officer=officer, enrolment_id=enrolment.pk))
    (tmp_path / "certificate.pdf").write_bytes(certificate.pdf.open("rb").read())
    return certificate, scan(tmp_path / "certificate.pdf", tmp_path)


def visit_once_then_go_offline(context, base_url: str):
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base_url + PAGE)
    page.locator("#offline-app[data-ready=true]").wait_for(state="attached")
    kept = page.evaluate("async () => (await (await caches.match('/verify/offline/status.json')).json()).generated_at")
    context.set_offline(True)
    navigation = page.reload()
    assert navigation is not None and navigation.status == 200 and navigation.from_service_worker
    page.locator("#offline-app[data-loaded=true]").wait_for(state="attached")
    app = page.locator("#offline-app")
    assert app.get_attribute("data-network") == "offline"
    # The status list is the one kept from the visit online: the worker's own fetch failed too.
    assert app.get_attribute("data-synced") == kept
    assert int(app.locator("[data-key-count]").inner_text()) >= 1
    return page


def verify(page, text: str):
    page.fill("#offline-payload", text)
    page.click("#offline-form button[type=submit]")
    verdict = page.locator("#offline-result .verdict")
    verdict.wait_for()
    return verdict


def _message(text: str) -> cbor2.CBORTag:
    statement = text.rsplit("#", 1)[-1]
    return cbor2.loads(base64.urlsafe_b64decode(statement + "=" * (-len(statement) % 4)))


def _text(url: str, message) -> str:
    return url.split("#")[0] + "#" + base64.urlsafe_b64encode(cbor2.dumps(message)).rstrip(b"=").decode()


def changed_level(text: str) -> str:
    message = _message(text)
    message.value[2] = cbor2.dumps({**cbor2.loads(message.value[2]), "l": 1})
    return _text(text, message)


def signed_by_a_stranger(text: str) -> str:
    """The same facts, signed by a key of someone else's with a key id of its own."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    kid = "ed25519-" + "f" * 16
    message = COSE.new().encode_and_sign(
        _message(text).value[2], COSEKey.from_pem(pem, kid=kid), protected={1: -8, 4: kid.encode()}
    )
    return text.split("#")[0] + "#" + base64.urlsafe_b64encode(message).rstrip(b"=").decode()


def test_the_offline_page_verifies_a_printed_qr_code_with_the_network_off(browser, live_server, printed, tmp_path):
    certificate, scanned = printed
    assert scanned == qr.content(certificate) and "#" in scanned
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        page = visit_once_then_go_offline(context, live_server.url)

        verdict = verify(page, scanned)

        assert verdict.get_attribute("data-verdict") == "verified"
        assert verdict.get_attribute("data-status") == "valid"
        facts = page.locator("#offline-result dl.facts dd").all_inner_texts()
        assert facts[:3] == [certificate.number, mask_name(certificate.holder_name), certificate.direction]
        assert facts[4] == certificate.issue_date.isoformat()
        assert certificate.holder_name not in page.locator("main").inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / "verify-offline.png"), full_page=True)
        if os.environ.get("DOCS_SCREENSHOTS"):
            page.screenshot(path=str(django_settings.BASE_DIR / "docs" / "verify-offline.png"), full_page=True)

        assert verify(page, changed_level(scanned)).get_attribute("data-verdict") == "invalid"
        assert verify(page, signed_by_a_stranger(scanned)).get_attribute("data-verdict") == "unknown_key"
        assert verify(page, "https://example.org/not-a-certificate").get_attribute("data-verdict") == "not_a_statement"
        # The part after "#" alone (what some scanner apps copy) verifies too.
        assert verify(page, scanned.split("#")[1]).get_attribute("data-verdict") == "verified"
    finally:
        context.close()


def test_without_webcrypto_ed25519_the_pinned_library_verifies(browser, live_server, printed):
    _certificate, scanned = printed
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.add_init_script(
        """(() => {
            const importKey = crypto.subtle.importKey.bind(crypto.subtle);
            crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
                (algorithm && (algorithm.name || algorithm) === "Ed25519")
                    ? Promise.reject(new DOMException("no Ed25519 here", "NotSupportedError"))
                    : importKey(format, key, algorithm, ...rest);
        })();"""
    )
    try:
        page = visit_once_then_go_offline(context, live_server.url)

        assert verify(page, scanned).get_attribute("data-verdict") == "verified"
        assert verify(page, changed_level(scanned)).get_attribute("data-verdict") == "invalid"
    finally:
        context.close()


@pytest.fixture
def fast_rendering(monkeypatch):
    """Issue without WeasyPrint, for the test that needs the QR code's text but not the PDF."""
    monkeypatch.setattr(rendering, "render_certificate", lambda certificate: f"%PDF-1.7 {certificate.number}".encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf + b"\n%signed")


def test_a_revoked_certificate_shows_revoked_once_the_status_list_synced(
    browser, live_server, settings, inst1_staff, officer, assessor, fast_rendering
):
    settings.PUBLIC_BASE_URL = live_server.url
    enrolment = ready_enrolments(inst1_staff, officer, assessor, 1)[0]
    certificate = services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)
    services.revoke_certificate(officer=officer, certificate_id=certificate.pk, reason="证件造假")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        page = visit_once_then_go_offline(context, live_server.url)
        assert page.locator("#offline-app").get_attribute("data-synced")

        verdict = verify(page, qr.content(certificate))

        assert verdict.get_attribute("data-verdict") == "verified"
        assert verdict.get_attribute("data-status") == "revoked"
    finally:
        context.close()
