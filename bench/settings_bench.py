"""Settings of bench/verify_load.py's web server: the production settings, plus the bench's bare view.

Everything else is config.settings as the environment makes it (DEBUG off, REDIS_URL, DATABASE_URL,
CONN_MAX_AGE...), so that the two sides of the comparison run in the same processes, through the
same middleware; only the URL map gains /bench/bare/<number>/ (bench.bare_urls). The production URL
map has no bench route.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
