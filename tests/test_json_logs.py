"""Production logs (docs/spec.md §14): one JSON object a line, carrying the id of the request that logged it
(the same id the response returns in X-Request-ID), and never the request's headers or cookies."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.conf import settings

from core.jsonlog import JsonFormatter, RequestIdFilter


@pytest.fixture
def log_lines():
    """What the production console handler would write, collected in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_production_settings_log_json_with_the_request_id():
    assert settings.LOG_FORMAT == "json"  # the tests run the production settings (DEBUG off)
    console = settings.LOGGING["handlers"]["console"]
    assert console["formatter"] == "json" and console["filters"] == ["request_id"]


@pytest.mark.django_db
def test_a_not_found_page_is_logged_with_its_request_id_and_path_but_not_its_cookies(client, log_lines):
    client.cookies["sessionid"] = "secret-session-cookie"

    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-abc-123"})

    assert response["X-Request-ID"] == "req-abc-123"
    [line] = [line for line in log_lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["request_id"] == "req-abc-123"
    assert line["path"] == "/no-such-page/" and line["method"] == "GET"
    assert line["status_code"] == 404
    assert "secret-session-cookie" not in json.dumps(line)


@pytest.mark.django_db
def test_a_line_logged_inside_a_view_carries_the_id_the_response_returns(client, log_lines, settings):
    settings.HEALTHZ_HEARTBEAT_MAX_AGE = 0  # the worker check fails, and the view logs it

    response = client.get("/healthz")

    [line] = [line for line in log_lines() if line["logger"] == "core.health"]
    assert line["message"] == "healthz: worker check failed"
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert "RuntimeError: no heartbeat yet" in line["exception"]


def test_a_line_outside_any_request_has_no_request_id_and_keeps_its_extra_fields(log_lines):
    logging.getLogger("certificates.issuance").warning("run %s stopped", 7, extra={"run": 7, "after": timedelta(0)})

    [line] = log_lines()
    assert line["message"] == "run 7 stopped"
    assert "request_id" not in line
    assert line["run"] == 7 and line["after"] == "0:00:00"
    assert line["time"].endswith("+00:00")
