"""How a message leaves: a channel. E-mail now; SMS or WeChat later are one more class with the
same `send` (docs/spec.md §15). settings.NOTIFICATION_CHANNEL names the one in use."""

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

logger = logging.getLogger(__name__)


@dataclass
class Message:
    """One message to one person (a notification, or a digest of several)."""

    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, messages: list[Message]) -> list[Exception | None]:
        """Send each message; for each, None when it left, or why it did not. Never raises."""
        ...


class EmailChannel:
    """Django's e-mail API (EMAIL_BACKEND: SMTP from the environment, the console under DEBUG)."""

    name = "email"

    def send(self, messages: list[Message]) -> list[Exception | None]:
        if not messages:
            return []
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except Exception as error:  # the server is down: every message waits for the next attempt
            return [error] * len(messages)
        results: list[Exception | None] = []
        try:
            for message in messages:
                mail = EmailMultiAlternatives(
                    subject=message.subject,
                    body=message.text,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[message.to],
                    headers=message.headers,
                    connection=connection,
                )
                if message.html:
                    mail.attach_alternative(message.html, "text/html")
                try:
                    mail.send()
                    results.append(None)
                except Exception as error:
                    results.append(error)
        finally:
            try:
                connection.close()
            except Exception:
                logger.warning("closing the e-mail connection failed", exc_info=True)
        return results


class LoggingChannel:
    """Writes each message to the log instead of sending it: for development, and the model of a
    provider's channel."""

    name = "log"

    def send(self, messages: list[Message]) -> list[Exception | None]:
        for message in messages:
            logger.info("notification to %s: %s", message.to, message.subject)
        return [None] * len(messages)


CHANNELS: dict[str, type] = {"email": EmailChannel, "log": LoggingChannel}


def channel() -> Channel:
    return CHANNELS[settings.NOTIFICATION_CHANNEL]()
