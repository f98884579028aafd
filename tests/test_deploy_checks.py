"""Production settings pass Django's deployment checks and refuse to start without a secret.

Each check runs manage.py in a fresh process, because settings are read once, at import.
"""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def production_environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "DEBUG"}}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="cert.example.org",
        PUBLIC_BASE_URL="https://cert.example.org",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    # A real deployment has the office's signing key (certificates.W003 warns without one).
    env = production_environment(CERT_SIGNING_KEY=str(tmp_path / "signing"))
    created = manage("create_signing_key", env=env)
    assert created.returncode == 0, created.stdout + created.stderr

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    env = production_environment()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in the environment when DEBUG is off." in result.stderr


def test_the_deployment_checks_fail_when_certificates_would_print_a_loopback_verify_url():
    env = production_environment(PUBLIC_BASE_URL="http://127.0.0.1:8000")

    result = manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "certificates.E001" in result.stderr
    assert "PUBLIC_BASE_URL" in result.stderr


def test_the_deployment_checks_fail_when_the_verify_url_is_not_set():
    env = production_environment()
    del env["PUBLIC_BASE_URL"]

    result = manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "certificates.E001" in result.stderr


def test_the_verify_url_and_the_issuer_come_from_the_environment():
    env = production_environment(
        PUBLIC_BASE_URL="https://cert.example.org/",
        CERT_ISSUER_TYPE="S",
        CERT_ISSUER_FILING_CODE="0000",
        CERT_ISSUER_PROVINCE="31",
        CERT_ISSUER_SERIAL="000777",
        CERT_ISSUER_NAME="上海某评价机构",
    )
    show = "from certificates import numbering, qr; i = numbering.configured_issuer(); print(i.code, i.name, qr.verify_site())"

    result = manage("shell", "--no-imports", "-c", show, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S000031000777", "上海某评价机构", "https://cert.example.org/verify/"]
