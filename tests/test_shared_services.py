"""Shared services for a deployment on several machines (docs/spec.md §14), each switched on from the
environment (config.backends) and tried against a real server: Redis at TEST_REDIS_URL (CI machines
run one on 127.0.0.1:6379) and an S3-compatible object store that the test starts on a loopback
port (moto's server mode; the `s3_storage` fixture in tests/conftest.py)."""

import os
import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from config import backends
from core import ratelimit

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# --- what the environment turns on ---------------------------------------------------------------


def test_without_redis_url_the_cache_and_sessions_stay_in_the_database():
    assert backends.caches({})["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert backends.session_engine({}) == "django.contrib.sessions.backends.db"


def test_redis_url_puts_the_cache_and_the_sessions_cache_in_redis():
    caches = backends.caches({"REDIS_URL": "redis://cache.internal:6379/2"})

    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert backends.session_engine({"REDIS_URL": "redis://cache.internal:6379/2"}) == (
        "django.contrib.sessions.backends.cached_db"
    )


def test_without_a_bucket_files_stay_under_media_root():
    assert backends.default_storage({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_a_bucket_turns_on_private_s3_storage_with_the_endpoint_and_keys_given():
    storage = backends.default_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "certs",
            "AWS_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com",
            "AWS_S3_ADDRESSING_STYLE": "virtual",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "certs",
        "endpoint_url": "https://oss-cn-hangzhou.aliyuncs.com",
        "addressing_style": "virtual",
        "access_key": "key",
        "secret_key": "secret",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }


# --- Redis ----------------------------------------------------------------------------------------


@pytest.fixture
def redis_cache():
    """The default cache in Redis, under a prefix of its own (other runs may share the server)."""
    settings_value = backends.caches({"REDIS_URL": TEST_REDIS_URL, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    with override_settings(CACHES=settings_value, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield redis.Redis.from_url(TEST_REDIS_URL)
        cache.clear()


def test_the_rate_limit_counts_in_redis_and_its_key_expires_with_the_window(redis_cache):
    key = f"verify:{uuid.uuid4().hex}"

    allowed = [ratelimit.hit(key, limit=3, window_seconds=60) for _ in range(5)]

    assert allowed == [True, True, True, False, False]
    [stored] = redis_cache.keys(f"*{cache.key_prefix}*ratelimit*")
    assert int(redis_cache.get(stored)) == 5  # INCR: one atomic count a try
    assert 0 < redis_cache.ttl(stored) <= 60


@pytest.mark.django_db
def test_a_login_session_is_cached_in_redis(client, redis_cache, officer):
    client.force_login(officer)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    session_keys = redis_cache.keys(f"*{cache.key_prefix}*django.contrib.sessions.cached_db*")
    assert [key.decode().endswith(client.session.session_key) for key in session_keys] == [True]


# --- S3-compatible object storage ----------------------------------------------------------------


def test_files_are_written_to_the_bucket_never_overwritten_and_deleted_there(s3_storage):

    first = default_storage.save("evidence/scan.pdf", ContentFile(b"%PDF first"))
    second = default_storage.save("evidence/scan.pdf", ContentFile(b"%PDF second"))

    assert first == "evidence/scan.pdf" and second != first
    assert s3_storage.objects() == {first: b"%PDF first", second: b"%PDF second"}
    default_storage.delete(first)
    assert set(s3_storage.objects()) == {second}


@pytest.mark.django_db
def test_healthz_checks_the_bucket(s3_storage, client):

    body = client.get("/healthz").json()

    assert body["checks"]["storage"]["ok"] is True
    assert s3_storage.objects() == {}  # the probe file is removed again
