"""Employers, certificates in every status, and a real HTTP receiver on a loopback port."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from certificates import services as certificate_services
from certification.models import Role

from .. import factories
from ..certificates.conftest import fast_rendering, ready_enrolments  # noqa: F401


@pytest.fixture
def employer(db):
    user = factories.user("employer1", Role.EMPLOYER)
    user.first_name = "杭州某服装有限公司"
    user.save()
    return user


@pytest.fixture
def employer2(db):
    return factories.user("employer2", Role.EMPLOYER)


@dataclass
class Certificates:
    valid: object
    revoked: object
    superseded: object
    replacement: object


@pytest.fixture
def certificates(inst1_staff, officer, assessor, fast_rendering) -> Certificates:  # noqa: F811
    """Institution 1's certificates: one valid, one revoked, one superseded by its correction."""
    first, second, third = ready_enrolments(inst1_staff, officer, assessor, 3)
    valid = certificate_services.issue_certificate(officer=officer, enrolment_id=first.pk)
    revoked = certificate_services.issue_certificate(officer=officer, enrolment_id=second.pk)
    revoked = certificate_services.revoke_certificate(officer=officer, certificate_id=revoked.pk, reason="伪造材料")
    superseded = certificate_services.issue_certificate(officer=officer, enrolment_id=third.pk)
    replacement = certificate_services.reissue_certificate(
        officer=officer, certificate_id=superseded.pk, reason="姓名更正"
    )
    superseded.refresh_from_db()
    revoked.refresh_from_db()
    return Certificates(valid, revoked, superseded, replacement)


# A webhook receiver --------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """What the server answers, in turn (the last one repeats): a status code, or ("redirect", url),
    or ("sleep", seconds, status)."""

    port: int = 0
    answers: list = field(default_factory=lambda: [200])
    received: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def next_answer(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            answer = state.next_answer()
            if isinstance(answer, tuple) and answer[0] == "sleep":
                time.sleep(answer[1])
                answer = answer[2]
            if isinstance(answer, tuple) and answer[0] == "redirect":
                self.send_response(302)
                self.send_header("Location", answer[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            payload = b"ok"
            try:
                self.send_response(answer)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (the timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
