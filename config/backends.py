"""Which cache and file storage the environment asks for (docs/spec.md §14), as settings dictionaries.

Plain functions of the environment, so that tests can build the settings of a deployment with
Redis or object storage and switch to them with override_settings.

- No REDIS_URL: the database cache (`make run`'s embedded default; the table is made by
  `createcachetable`). With REDIS_URL: Django's Redis cache, shared by every web process and
  worker; rate limits (core.ratelimit: add + INCR, both atomic in Redis, the key expiring with its
  window) and the session cache live there.
- No AWS_STORAGE_BUCKET_NAME: files under MEDIA_ROOT. With it: an S3-compatible bucket
  (django-storages; AWS S3, MinIO, Aliyun OSS...). Files stay private: no public ACL, and the
  pages that serve them read them through the storage after checking who asks.
"""

from collections.abc import Mapping

S3_SETTINGS = {
    # environment variable: S3Storage option
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_ACCESS_KEY_ID": "access_key",
    "AWS_SECRET_ACCESS_KEY": "secret_key",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
    "AWS_LOCATION": "location",
}


def caches(environ: Mapping[str, str]) -> dict:
    redis_url = environ.get("REDIS_URL", "").strip()
    if not redis_url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"},
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": environ.get("CACHE_KEY_PREFIX", "cert"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def session_engine(environ: Mapping[str, str]) -> str:
    """Sessions in the database, read through the cache when the cache is shared (Redis)."""
    if environ.get("REDIS_URL", "").strip():
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"


def default_storage(environ: Mapping[str, str]) -> dict:
    if not environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, object] = {
        option: environ[name] for name, option in S3_SETTINGS.items() if environ.get(name, "").strip()
    }
    options.update(
        # Private objects: no ACL (the bucket's policy), links only ever signed, a name never reused.
        default_acl=None,
        querystring_auth=True,
        file_overwrite=False,
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def static_storage(debug: bool) -> dict:
    """Compressed files with hashed names and a manifest in production (run collectstatic on release)."""
    if debug:
        return {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    return {"BACKEND": "core.staticfiles.ManifestStaticFilesStorage"}
