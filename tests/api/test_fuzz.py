"""Fuzz the API from its own OpenAPI document: whatever arrives, never a 500."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from memberportal.api import services
from memberportal.core.actors import SystemActor
from tests import factories

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def fuzz_token():
    factories.member(contact="13600000000")
    _client, token = services.create_client("Fuzzer", actor=SystemActor())
    return token


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, fuzz_token):
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
