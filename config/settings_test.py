"""Settings for the test suite: the real settings, with a throwaway key, media dir and fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 40)
# In the environment, so that the task workers some tests start in a subprocess print the same URL.
os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

from .settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cert-test-media-"))
EXCHANGE_PROGRESS_DIR = str(MEDIA_ROOT / "import-progress")
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Tests assert on the English source strings; tests of the Chinese pages ask for zh-hans explicitly.
LANGUAGE_CODE = "en"

# One connection for the whole run, as before: tests that start threads must not leave theirs open.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# A test database is thrown away: no commit waits for the disk (the migrations that make it, the flush
# after each transactional test).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()
# The verification log on its own connection would commit outside each test's transaction.
DATABASES.pop("verification_log", None)

# Figures counted afresh on every request: tests build new data between requests in one transaction.
STATISTICS_CACHE_SECONDS = 0

# Webhook tests post to a receiver on a loopback port; the refusal itself is tested with it off.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
