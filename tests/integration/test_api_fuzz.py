"""The API fuzzed from its own OpenAPI document (schemathesis).

Every operation of /api/v1/openapi.json gets generated requests, valid and
invalid, authenticated with the bearer token of a delegate and, separately, of
a coordinator. An answer must never be a 5xx, must carry a status that the
document lists for the operation (there is no catch-all "default" response)
and must match the schema documented for that status. Requests go in-process
to the Flask app (WSGI), not over the network; generation is derandomized, so
CI sends the same requests on every run.

schemathesis' own pytest loader (``schemathesis.pytest.from_fixture``) does
not run under pytest 9, so each operation gets its own Hypothesis test here,
from ``operation.as_strategy()``, and is reported as a subtest.
"""

from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

BASE_URL = "http://konsey.test"  # the tests' SERVER_NAME: Flask routes only this host
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
FUZZ = settings(
    # 25 requests per operation and role keep CI under a minute and a half;
    # KONSEY_FUZZ_EXAMPLES=500 searches deeper by hand.
    max_examples=int(os.environ.get("KONSEY_FUZZ_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _realistic_values(world) -> dict:
    """Values the services accept, for fields whose valid values the document
    cannot list (time zones, configured languages, the world's states and ids)."""
    params = world["params"]
    return {
        "timezone": "Asia/Almaty",
        "language": "en",
        "owner_state": "KZ",
        "state": "KZ",
        "assignee": world["users"]["delegate"].email,
        "version": world["minutes"].current.number,
        "agenda_item": params["item_id"],
        "agenda_item_id": params["item_id"],
        "meeting_id": params["meeting_id"],
        "decision_id": params["decision_id"],
        "document_id": params["document_id"],
        "group": params["slug"],
    }


def _with(values: dict):
    def fill(case):
        for part in (case.body, case.query):
            if isinstance(part, dict):
                part.update({k: v for k, v in values.items() if k in part})
        return case

    return fill


def _strategy(operation, world):
    """Valid and invalid requests, for the world's objects (random ids nearly
    always miss, leaving the code behind the lookup untested) and for random
    ones, some with the fields that need a known value filled in."""
    params = world["params"]
    names = {p.name for p in operation.path_parameters}
    known = {n: params[n] for n in names} if names <= params.keys() else {}
    fill = _with(_realistic_values(world))
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        generated = operation.as_strategy(mode, path_parameters=known or None)
        strategies += [generated, generated.map(fill)]
    if known:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


@pytest.mark.parametrize("role", ["delegate", "coordinator"])
def test_every_operation_answers_as_its_openapi_document_says(app, world, role, subtests):
    headers = {"Authorization": f"Bearer {world['tokens'][role][1]}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, base_url=BASE_URL)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 22, [op.label for op in operations]
    for operation in operations:

        @FUZZ
        @given(case=_strategy(operation, world))
        def fuzz(case):
            # A fresh context per request, as a real server has (see IsolatedFlaskClient).
            contextvars.Context().run(
                case.call_and_validate, base_url=BASE_URL, headers=headers, checks=CHECKS
            )

        with subtests.test(msg=operation.label):
            fuzz()
