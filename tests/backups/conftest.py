"""Backups: the session signing key of tests/conftest.py serves here too."""
