"""Errors the service layer raises; views turn them into HTTP 403 / 409 with the message shown."""


class LifecycleError(Exception):
    http_status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


class MoveForbidden(LifecycleError):
    """The actor lacks the role or the object (another institution, a conflict of interest)."""

    http_status = 403


class StaleState(LifecycleError):
    """Someone else moved the enrolment first, or the move does not exist from its current state."""


class RuleNotMet(LifecycleError):
    """A business rule (guard) stops the move: hours, scores, evidence, quota, attempts."""


class InvalidInput(LifecycleError):
    """The data given cannot be accepted (missing reason, wrong batch, duplicate enrolment).

    `fields`: the messages by field name, when the refusal is about named fields (a model's
    validation); the API returns them beside the message, the pages show the message.
    """

    http_status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = {name: [str(m) for m in messages] for name, messages in (fields or {}).items()}
