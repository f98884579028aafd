"""The reports read certificates: the certificates tests' session key and their quick issuing."""

from ..certificates.conftest import fast_rendering, ready_enrolments, signing_key  # noqa: F401
