"""A real SMTP server on a loopback port (aiosmtpd), which a test may stop and start again."""

import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def to(self, address: str):
        return [message for recipients, message in self.messages if address in recipients]


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        for _ in range(50):  # the port may linger a moment after a stop
            try:
                self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
                self.controller.start()
                return
            except (OSError, RuntimeError):
                time.sleep(0.1)
        raise RuntimeError("the SMTP server did not start")

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATION_CHANNEL = "email"
    yield server
    server.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
