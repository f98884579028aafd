"""Helpers of the backup tests: a restored installation in its own processes, as after a disaster.

The restore and every check of the restored data run in subprocesses with their own DATABASE_URL,
MEDIA_ROOT and CERT_SIGNING_KEY: nothing of the test's process (its connection, its storage, its
key) can make a restored installation look whole when it is not.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PASSPHRASE = "correct horse battery staple"

# Run in the restored installation: verify_pdf on every certificate, /verify/<number>/ for every
# number, then issue the candidate left ready and report its serial.
CHECK = r"""
import io, json
from django.core.management import call_command
from django.test import Client
from certificates import services
from certificates.models import Certificate
from certification.models import Enrolment, EnrolmentStatus, User

verdicts, pages = {}, {}
for certificate in Certificate.objects.order_by("serial"):
    out = io.StringIO()
    try:
        call_command("verify_pdf", certificate.pdf.path, stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    verdicts[certificate.number] = [code, out.getvalue().split()[0]]
    response = Client().get(f"/verify/{certificate.number}/")
    pages[certificate.number] = [response.status_code, certificate.number in response.content.decode()]
officer = User.objects.get(username=OFFICER)
ready = Enrolment.objects.get(status=EnrolmentStatus.READY_TO_ISSUE)
new = services.issue_certificate(officer=officer, enrolment_id=ready.pk)
print("RESULT" + json.dumps({"verdicts": verdicts, "pages": pages, "next": [new.serial, new.number, new.status]}))
"""


def environment(*, database_url: str, media_root: Path, key_dir: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "CERT_SIGNING_KEY": str(key_dir),
        "SECRET_KEY": settings.SECRET_KEY,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DEBUG": "1",  # static files from the finders: no collectstatic manifest in a test checkout
        "SECURE_SSL_REDIRECT": "0",
        "BACKUP_PASSPHRASE": PASSPHRASE,
        **extra,
    }


def manage(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )


def check_restored(env: dict, officer_username: str) -> dict:
    result = manage(env, "shell", "-c", CHECK.replace("OFFICER", repr(officer_username)))
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])
