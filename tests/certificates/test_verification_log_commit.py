"""On PostgreSQL the verification log commits without waiting for the disk, on a connection of its
own, and nothing else does (config/settings.py, docs/spec.md §14)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from certificates.models import VerificationLog

BASE_DIR = settings.BASE_DIR

PROBE = """
import json, django
django.setup()
from django.db import connections
from certificates import verification
verification.log(channel="number", query="PROBE-0001")
def setting(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]
print(json.dumps({"aliases": sorted(connections.settings), "default": setting("default"),
                  "log": setting("verification_log") if "verification_log" in connections.settings else None}))
"""


def _production_environment(**extra) -> dict:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        **extra,
    }


def _probe(environment) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_log_row_is_written_on_its_own_connection_that_does_not_wait_for_the_disk():
    answer = _probe(_production_environment())
    assert answer == {"aliases": ["default", "verification_log"], "log": "off", "default": "on"}
    assert VerificationLog.objects.filter(query="PROBE-0001", channel="number").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_deployment_can_keep_every_commit_synchronous():
    answer = _probe(_production_environment(VERIFICATION_LOG_ASYNC_COMMIT="0"))
    assert answer["aliases"] == ["default"]
    assert answer["default"] == "on"
    assert VerificationLog.objects.filter(query="PROBE-0001").count() == 1
