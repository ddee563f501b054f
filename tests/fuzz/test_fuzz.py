"""Every operation of the OpenAPI document, fuzzed by schemathesis as each kind of caller.

For each operation, hypothesis draws `HUB_FUZZ_EXAMPLES` cases, valid (positive) or invalid
(negative) by the document, and each case is sent by every caller in turn: a member of each
role, an outsider, anonymous. Path parameters mostly name things of the seeded world
(tests/fuzz/harness.py), so that requests reach real groups, consultations, debates, comments
and members, not only 404s; bodies, queries, cursors and Accept-Language get values that fit
the world or probe its edges (tests/fuzz/aims.py). The world is restored after any request
that may have changed it, so every request meets the same world.

Each answer must keep the contract: no 5xx, a status the operation documents, the documented
content type, a body its schema accepts. An operation whose answers are not declared yet
(`answers` empty in chalicelib/api/contract.py) has no contract to keep: only the 5xx check
applies to it, until it is declared.

The budget is small and the seeds fixed, so `make test` runs the same cases every time (165
cases, 1,155 requests); `make fuzz` (HUB_FUZZ_EXAMPLES=30) runs about 1,700 cases, 11,000
requests, and `HUB_FUZZ_SEED=n` draws other cases. A failure names the caller and the
request; the summary at the end of the session says how many cases ran, what they answered,
and which operations never answered 2xx.
"""

from __future__ import annotations

import os
import zlib
from functools import cache

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import app
from chalicelib.api import contract
from tests.fuzz import aims
from tests.fuzz.harness import CALLERS, SENT, World, load_schema

# Cases per operation, each sent by every caller.
EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("HUB_FUZZ_SEED", "0"))

SCHEMA = load_schema(app)
LABELS = sorted(result.ok().label for result in SCHEMA.get_all_operations())

CONTRACT = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NOT_DECLARED_YET = [not_a_server_error]

FUZZING = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to .hypothesis/: every run starts from the seed alone
    # No shrinking: a shrunk replay would meet a world the failing case may have changed.
    phases=[Phase.generate],
    # Generating from large schemas is slow by hypothesis's standards, never flaky.
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
    print_blob=False,
)


def declared(label: str) -> bool:
    method, path = label.split(" ", 1)
    return any(
        (op.method, op.full_path) == (method, path) and op.answers
        for op in contract.every_operation()
    )


@cache
def cases(label: str) -> dict[GenerationMode, SearchStrategy[Case]]:
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None, label
    return {mode: operation.as_strategy(generation_mode=mode) for mode in GenerationMode}


@cache
def query_parameters(label: str) -> list[str]:
    method, path = label.split(" ", 1)
    operation = SCHEMA.raw_schema["paths"][path][method.lower()]
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("label", LABELS)
def test_every_caller_gets_answers_that_keep_the_contract(world: World, label: str) -> None:
    checks = CONTRACT if declared(label) else NOT_DECLARED_YET
    strategies = cases(label)
    sent_before = SENT.count(label)

    @seed(zlib.crc32(f"{SEED} {label}".encode()))
    @FUZZING
    @given(data=st.data())
    def send(data: st.DataObject) -> None:
        mode = data.draw(st.sampled_from(list(GenerationMode)), label="mode")
        case = data.draw(strategies[mode], label="case")
        SENT.generated()
        aims.aim_path(case, data.draw, world)
        aims.aim_query(case, data.draw, world, query_parameters(label))
        aims.aim_body(case, data.draw, world)
        aims.aim_language(case, data.draw)
        for caller in CALLERS:
            aims.authorize(case, world.tokens[caller])
            world.restore_if_changed()
            response = case.call()
            # A refusal (4xx) writes nothing; anything else may have.
            world.changed = case.method != "GET" and not 400 <= response.status_code < 500
            SENT.record(label, caller, mode.value, response.status_code)
            try:
                case.validate_response(response, checks=checks)
            except (Failure, FailureGroup) as failure:
                body = "" if isinstance(case.body, NotSet) else f" body={case.body!r}"
                raise AssertionError(
                    f"{mode.value} case as {caller}: {case.method} {case.formatted_path} "
                    f"query={case.query}{body} answered {response.status_code}: "
                    f"{response.text[:500]}"
                ) from failure

    send()
    assert SENT.count(label) > sent_before, "no case was sent"
