"""Backups: the certificates' session signing key (tests/certificates/conftest.py) serves here too."""
