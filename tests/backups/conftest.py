"""Backups: the certificates' session signing key (tests/certificates/conftest.py) serves here too."""

from tests.certificates.conftest import signing_key  # noqa: F401  (a session fixture, autouse)
