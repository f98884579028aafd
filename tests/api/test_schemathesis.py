"""Schemathesis against /api/schema/: every operation, a few derandomized examples each, run on the
test database through the WSGI app. No 5xx, and every response as the schema describes it
(status code, content type, body)."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import keys
from tests import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _load_schema():
    """The schema /api/schema/ serves (same generator and renderer), loaded at collection so that
    each operation is a test of its own; requests go to the WSGI app, in the test's transaction."""
    generator = SchemaGenerator()
    document = json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    return loaded


@pytest.fixture
def key_header(inst1_staff, issued):
    """A read-write key of institution 1, which has a batch, a trainee, an enrolment and a certificate."""
    factories.draft_enrolment(inst1_staff, "CR")
    _key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="fuzz", access="read_write"
    )
    return {"Authorization": f"Api-Key {secret}"}


schema = _load_schema()


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    """Requests reach the WSGI app directly, whose end of request closes the database connection
    (CONN_MAX_AGE 0): that would close the test's own transaction on PostgreSQL. Django's test
    client disconnects the same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=4, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_operation_answers_5xx_or_breaks_its_schema(case, key_header):
    case.call_and_validate(headers=key_header, checks=CHECKS)
