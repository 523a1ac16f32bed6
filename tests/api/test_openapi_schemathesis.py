"""schemathesis against the live OpenAPI schema, in-process through the WSGI app: every
operation, with a staff token, must give no server error and only answers the schema allows."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from barometre.wsgi import application
from tests.exports.export_data import build_edition, build_responses
from tests.results.results_data import build_2021

EXAMPLES = 12


@pytest.fixture
def api_schema(alice, rennes, metz_metropole):
    edition = build_edition(2030)
    build_responses(edition, rennes, metz_metropole)
    published = build_2021()
    published.status = "published"
    published.save()
    # Called straight through WSGI, each request would close the test's database connection,
    # as Django's own test client prevents.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The same examples on every run: CI stays reproducible; raise EXAMPLES locally to explore.
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case, alice_key):
    # Every check but "schema-violating request accepted": the platform strips control
    # characters from every query string before any view (barometre.middleware), so a `q` one
    # character too long that holds one is, once cleaned, a valid value, rightly answered.
    # Called through WSGI, nothing decompresses what GZipMiddleware sends to a client that
    # accepts gzip (as schemathesis says it does): the schema is checked on the plain body.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {alice_key}", "Accept-Encoding": "identity"},
        excluded_checks=[checks.negative_data_rejection],
    )


def test_the_schema_names_every_operation(client, db):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert {
        "/api/v1/editions/",
        "/api/v1/editions/{year}/responses/",
        "/api/v1/editions/{year}/results/",
        "/api/v1/editions/{year}/followup/",
        "/api/v1/editions/{year}/exports/",
        "/api/v1/exports/{id}/download/",
        "/api/v1/collectivites/",
        "/api/v1/public/editions/{year}/opendata/",
    } <= set(paths)


def test_the_browsable_page_is_served_without_a_cdn(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page and "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()
