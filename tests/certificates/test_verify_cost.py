"""What one public lookup costs (issue 16, docs/spec.md §14): the verify page is what every employer
and every QR scan opens, so a lookup reads one row with only what the page shows, writes one log row,
and asks Redis once for the rate limit. On PostgreSQL the read and the log row are one statement
(one round trip to the server); on SQLite, which has no INSERT inside a WITH, two."""

import os
import uuid

import pytest
import redis
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import VerificationLog
from config import backends

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def one_lookups_statements() -> list[str]:
    return ["WITH"] if connection.vendor == "postgresql" else ["SELECT", "INSERT"]


def certificate_queries(client, number, path="certificates:verify"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(path, args=[number]))
    return response, [q["sql"] for q in queries if "core_ratecounter" not in q["sql"]]


@pytest.mark.parametrize("path", ["certificates:verify", "certificates:verify_json"])
def test_a_lookup_reads_one_row_and_writes_one_log_line(client, issued, path):
    response, statements = certificate_queries(client, issued.number, path)

    assert response.status_code == 200
    assert [sql.split()[0] for sql in statements] == one_lookups_statements()
    assert VerificationLog.objects.filter(query=issued.number, found=True).count() == 1


def test_a_lookup_that_finds_nothing_is_logged_as_not_found(client, issued):
    response, statements = certificate_queries(client, "Y000133000101264999999")

    assert response.status_code == 404
    assert [sql.split()[0] for sql in statements] == one_lookups_statements()
    row = VerificationLog.objects.get(query="Y000133000101264999999")
    assert (row.found, row.certificate_id) == (False, None)
    assert not VerificationLog.objects.filter(certificate=issued).exists()


def test_a_lookup_logs_the_certificate_it_found_with_the_visitors_address(client, issued):
    client.get(reverse("certificates:verify", args=[issued.number]), HTTP_USER_AGENT="gate-scanner/1.0")

    row = VerificationLog.objects.get(query=issued.number)
    assert (row.certificate_id, row.found, row.ip_address, row.user_agent) == (
        issued.pk,
        True,
        "127.0.0.1",
        "gate-scanner/1.0",
    )


def test_the_lookup_reads_only_what_the_public_page_shows(client, issued):
    _response, statements = certificate_queries(client, issued.number)

    select = statements[0].split("WITH found AS (", 1)[-1]
    columns = select.split(" FROM ")[0]
    # Neither the PDF, the modules nor the holder's enrolment: nothing the page does not print.
    for column in ('"pdf"', '"modules"', '"sha256"', '"enrolment_id"', '"revoked_reason"', '"verify_url"'):
        assert column not in columns
    assert "ORDER BY" not in select  # a number is unique: nothing to sort


@pytest.mark.parametrize("number", ["issued", "Y000133000101264999999"])
def test_after_the_first_lookup_no_template_is_rendered_again(client, issued, number):
    path = reverse("certificates:verify", args=[issued.number if number == "issued" else number])
    client.get(path)

    again = client.get(path)

    assert again.status_code in (200, 404)
    assert again.templates == []  # the page's parts were kept: only its values are filled in


def test_a_wrong_number_costs_the_same_single_query(client, issued):
    _response, found = certificate_queries(client, issued.number)
    _response, malformed = certificate_queries(client, "not-a-number")

    assert [sql.split()[0] for sql in malformed] == one_lookups_statements()
    lookup = [statements[0].split(", logged AS")[0] for statements in (found, malformed)]  # not the log's time
    assert lookup[0].replace(issued.number, "?") == lookup[1].replace("NOT-A-NUMBER", "?")


@pytest.fixture
def redis_commands(monkeypatch):
    """The default cache in Redis (a prefix of its own), and a count of the packets sent to it."""
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    caches = backends.caches({"REDIS_URL": TEST_REDIS_URL, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    with override_settings(CACHES=caches):
        yield sent
        from django.core.cache import cache

        cache.clear()


def test_with_redis_a_lookup_asks_redis_once_and_the_database_for_the_row_and_the_log(
    client, issued, redis_commands, settings
):
    settings.CERT_VERIFY_RATE_LIMIT = 2
    client.get(reverse("certificates:verify", args=[issued.number]))
    redis_commands.clear()

    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("certificates:verify", args=[issued.number]))
    statements = [q["sql"].split()[0] for q in queries]  # before the next request empties the list
    third = client.get(reverse("certificates:verify", args=[issued.number]))

    assert second.status_code == 200 and third.status_code == 429  # the limit still holds
    assert len(redis_commands) == 2  # one round trip a lookup, refused or not
    assert statements == one_lookups_statements()
