"""Schemathesis drives the Web API from its own OpenAPI document, in-process through the WSGI app.

One test per operation of the document (102): schemathesis' explicit-example, coverage and fuzzing
phases, with hypothesis capped at a few examples each. Every response must not be a server error and
must conform to the document: a documented status code, content type, headers and body; schema-violating
requests must be refused; an undeclared method must be a 405 with `Allow`; a missing Authorization a 401.
(`positive_data_acceptance` isn't checked: `$filter` and friends are free text to the document, so a
schema-valid request can still be a 400.) A well-formed key is pointed at an existing record of its set,
so writes and actions get past the 404.

Size here (2 cores, `-n 2`): about 9,800 requests, 70–140 s on SQLite, similar on PostgreSQL.
"""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from salesapp.wsgi import application
from tests.api.conftest import token_for
from tests.api.world import build_world

schema = schemathesis.openapi.from_wsgi("/api/data/v9.2/openapi.json", application)

pytestmark = pytest.mark.django_db

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.unsupported_method,
    checks.missing_required_header,
    checks.ignored_auth,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection before and after each request, and the test's
    transaction lives on it (Django's test client disconnects the same signals)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def auth(boss, rep, opportunity, price_list, product):
    world = build_world(rep=rep, boss=boss, opportunity=opportunity, price_list=price_list, product=product)
    return {"Authorization": f"Bearer {token_for(boss)}"}, world


@schema.parametrize()
@settings(
    max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_openapi_document(case, auth):
    headers, world = auth
    key = (case.path_parameters or {}).get("id")
    if isinstance(key, str) and UUID_RE.fullmatch(key):
        # a well-formed key names the existing record of its set, so writes and actions get past the 404
        case.path_parameters["id"] = str(world.get(case.path.lstrip("/").split("(", 1)[0], key))
    case.call_and_validate(headers=headers, checks=CHECKS)
