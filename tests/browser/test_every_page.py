"""Every page of every role, at a phone's size (390 × 844) and a laptop's (1366 × 768).

For each role of the demo (`seed_demo`), the test logs in and follows every link it finds, page by
page (up to two pages of each kind: two enrolments, not all of them), and on every page checks that
  - nothing scrolls sideways: document.documentElement.scrollWidth <= window.innerWidth;
  - axe-core (package.json, installed by `npm ci`) finds no critical or serious violation.
All the problems are listed at the end, so one run shows them all.
"""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from certificates import rendering, services, signing
from certification.models import Enrolment, EnrolmentStatus, User
from exchange.models import ImportSession, ImportStatus
from workflows.models import PublicityNotice

from .browsing import PASSWORD, TIMEOUT_MS

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
SERIOUS = ("critical", "serious")

# Not pages: files to download, the admin (Django's own), the API and its reference (Swagger UI's own
# layout), actions and the language switch.
NOT_PAGES = re.compile(
    r"^/(admin|i18n|media|static)/|^/api/(docs|schema|v1)/|/logout/|\.(xlsx|json|zip|pdf|png|jpe?g)$|/pdf/$|/photo/$|evidence/\d+/$"
)
PAGES_OF_A_KIND = 2
MAX_PAGES = 120
# Pages deep in a role's walk (or reached by a link the walk might not get to within MAX_PAGES):
# visited first so that the page limit never leaves them out.
FIRST_PAGES = {
    "officer": [
        "/certificates/verifications/",
        "/officer/approvals/",
        "/institution/trainees/",
        "/officer/publicity/office/",
        "/officer/publicity/notices/",
    ],
    "inst1": [
        "/exchange/imports/",
        "/institution/slips/",
        "/institution/trainees/",
        "/institution/slips/?not_printed=1",
    ],
    "assessor1": ["/assessment/queue/", "/assessment/inbox/", "/assessment/conflicts/"],
}

# Layout and accessibility are the same whichever database the demo is in: `make test` walks on one.
pytestmark = [
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci`"),
    pytest.mark.layout,
]


@pytest.fixture
def demo_world(transactional_db, monkeypatch):
    """The demo, with its candidates ready to issue issued (without WeasyPrint: the pages are what
    is tested here), so that the certificate pages have something to show."""
    call_command("seed_demo", force=True, stdout=StringIO())
    monkeypatch.setattr(rendering, "render_certificate", lambda certificate: f"%PDF-1.7 {certificate.number}".encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf + b"\n%signed")
    officer = User.objects.get(username="officer")
    ready = Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE)
    numbers = [
        services.issue_certificate(officer=officer, enrolment_id=pk).number for pk in ready.values_list("pk", flat=True)
    ]
    assert numbers, "seed_demo left no candidate ready to issue"
    _webhook_with_attempts(User.objects.get(username="inst1"))
    # A large upload waiting for a task worker: its progress page is reached from /exchange/.
    staff = User.objects.get(username="inst1")
    ImportSession.objects.create(
        institution_id=staff.institution_id,
        uploaded_by=staff,
        kind="enrolments",
        status=ImportStatus.QUEUED,
        in_background=True,
        original_name="报名表-大.xlsx",
        size=2_000_000,
        sha256="0" * 64,
    )
    return numbers


def _webhook_with_attempts(staff):
    """An endpoint of institution 1 with a delivered and a failing delivery, for its page."""
    from django.utils import timezone

    from integrations.models import WebhookAttempt, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        institution=staff.institution,
        url="https://hooks.example.org/certification",
        events=["enrolment.approved", "certificate.issued"],
        secret="whsec_test",
        created_by=staff,
    )
    for status, code in (("delivered", 200), ("pending", 500)):
        delivery = endpoint.deliveries.create(
            event_type="enrolment.approved", payload={}, status=status, attempts=1, next_attempt_at=timezone.now()
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=timezone.now(),
            duration_ms=120,
            response_code=code,
            succeeded=code == 200,
            error="" if code == 200 else "HTTP 500",
        )


def kind_of(path: str) -> str:
    """/enrolments/12/ and /enrolments/40/ are pages of one kind."""
    return re.sub(r"\d+", "N", path)


def problems_on(page, path: str, viewport: str) -> list[str]:
    found = []
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.closest('.table-wrap, .mainnav') || e.matches('.table-wrap'))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        found.append(f"{viewport} {path}: {width[0]} px wide in a {width[1]} px window ({', '.join(wide)})")
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        where: v.nodes.slice(0, 2).map(n => n.target.join(' '))}))"""
    )
    for violation in violations:
        if violation["impact"] in SERIOUS:
            found.append(
                f"{viewport} {path}: axe {violation['impact']} {violation['id']} ({violation['help']}) at {violation['where']}"
            )
    return found


def walk(context, base_url: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Follow every link from `start`; the pages visited and the problems found on them."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    queue, seen, kinds, visited, problems = list(start), set(start), {}, [], []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(base_url + path)
        status = response.status if response else None
        expected = 404 if path.startswith("/no-such-page") else 200
        if status != expected:
            problems.append(f"{path}: status {status}")
            continue
        visited.append(path)
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            problems.extend(problems_on(page, path, viewport))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(base_url).netloc or NOT_PAGES.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
            kind = kind_of(parts.path)
            if link in seen or kinds.get(kind, 0) >= PAGES_OF_A_KIND:
                continue
            seen.add(link)
            kinds[kind] = kinds.get(kind, 0) + 1
            queue.append(link)
    page.close()
    return visited, problems


def log_in(context, base_url: str, username: str):
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form.form button[type=submit]")
    assert urlsplit(page.url).path == "/", f"{username} did not log in"
    page.close()


@pytest.mark.parametrize("username", ["officer", "inst1", "assessor1", "trainee1", "employer1", None])
def test_no_page_scrolls_sideways_or_has_a_serious_accessibility_violation(browser, live_server, demo_world, username):
    # CSP forbids inline scripts, and Playwright injects axe-core as one: this context lets it in.
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["phone"], bypass_csp=True)
    try:
        if username:
            log_in(context, live_server.url, username)
            start = ["/", *FIRST_PAGES.get(username, [])]
        else:  # the public: the login and activation pages, the 公示, verification, an error page
            start = ["/accounts/login/", "/accounts/activate/", "/publicity/", "/verify/", "/verify/offline/"]
            start += ["/no-such-page/"]
            start += [f"/verify/{number}/" for number in demo_world]
            start += [
                f"/publicity/{pk}/print/"
                for pk in PublicityNotice.objects.filter(closed_at=None).values_list("pk", flat=True)[:1]
            ]
        visited, problems = walk(context, live_server.url, start)
    finally:
        context.close()
    assert len(visited) >= len(start), visited
    assert not problems, f"{username or 'the public'}: {len(problems)} problems on {len(visited)} pages\n" + "\n".join(
        problems
    )


def test_on_a_phone_the_menu_folds_behind_a_button_and_the_dashboard_stays_short(browser, live_server, demo_world):
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["phone"])
    try:
        log_in(context, live_server.url, "inst1")
        page = context.new_page()
        page.goto(live_server.url + "/")
        button, menu = page.locator("button.menu-toggle"), page.locator("#mainnav")
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert not menu.is_visible()
        button.click()
        assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
        assert menu.locator("a").first.bounding_box()["width"] <= VIEWPORTS["phone"]["width"]
        page.keyboard.press("Escape")
        assert not menu.is_visible()
        # Fourteen counts by status, one short line each: not a 2,000 px page.
        assert page.locator(".stat-grid.compact .stat").count() == 14
        assert page.evaluate("() => document.documentElement.scrollHeight") < 1600

        page.set_viewport_size(VIEWPORTS["laptop"])
        assert not button.is_visible() and menu.is_visible()
    finally:
        context.close()
