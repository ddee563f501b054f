"""Cold starts, in figures: `python -m bench.coldstart [--rounds 9]` (`make bench` runs it).

1. The CPU time to import each Lambda function's handler, in a fresh interpreter with the
   cloud stage's settings, against the import of the stack it stands on, measured in the
   same run (rounds interleaved) and reported as medians:
   - the API (`app`), against botocore.session, pynamodb.models, chalice, pydantic and jwt
     together (target: ≤ 1.3x); and, for information, against the third-party modules it
     actually loads;
   - each job (chalicelib/jobs/), against the third-party modules it loads, imported alone
     (target: ≤ 1.1x): what the Hub's own code adds to the libraries it needs.
2. The first answer of a fresh process: a resident's vote (PUT /v1/debates/{id}/ballot)
   sent to a new interpreter that imports the API and answers it, on the local stage
   against an embedded DynamoDB; then a second vote on the warm process, for comparison.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOUD = {
    "HUB_STAGE": "cloud",
    "HUB_TABLE": "hub-bench",
    "HUB_JWT_ISSUER": "https://issuer.example.org",
    "HUB_JWKS_URL": "https://issuer.example.org/jwks",
    "HUB_CURSOR_SECRET": "a-cursor-secret-of-at-least-32-characters",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
}
API_STACK = ("botocore.session", "pynamodb.models", "chalice", "pydantic", "jwt")


@dataclass(frozen=True)
class Function:
    label: str
    module: str
    target: float
    stack: tuple[str, ...] | None  # None: the third-party modules it loads


FUNCTIONS = (
    Function("API", "app", 1.3, API_STACK),
    Function("tally consumer", "chalicelib.jobs.count_ballots", 1.1, None),
    Function("closer", "chalicelib.jobs.close_due_consultations", 1.1, None),
)

# Imports `modules` in order and prints the CPU time it took, in seconds. A module that
# cannot be imported on its own (a compiled extension's private name) was loaded by another.
_IMPORT = """
import importlib, sys, time
modules = sys.argv[1:]
start = time.process_time()
for name in modules:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
print(time.process_time() - start)
"""

# The third-party modules (under site-packages) that importing argv[1] loads, in load order.
_STACK = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module(sys.argv[1])
loaded = [
    name for name, module in list(sys.modules.items())
    if name not in before and "site-packages" in (getattr(module, "__file__", None) or "")
]
print(json.dumps(loaded))
"""


def _environment(extra: dict[str, str]) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "AWS_"))}
    return environ | extra


def _run(script: str, *args: str, environ: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def import_seconds(modules: tuple[str, ...] | list[str], environ: dict[str, str]) -> float:
    return float(_run(_IMPORT, *modules, environ=environ))


def stack_of(module: str, environ: dict[str, str]) -> list[str]:
    return json.loads(_run(_STACK, module, environ=environ))


def imports(rounds: int) -> list[str]:
    environ = _environment(CLOUD)
    lines = [
        f"Import of each Lambda function's handler: CPU time, median of {rounds} fresh "
        "processes (rounds interleaved)",
        f"  {'function':16} {'handler':40} {'import':>8} {'stack':>8} {'ratio':>6}  target",
    ]
    for function in FUNCTIONS:
        loaded = stack_of(function.module, environ)
        stacks = {"named": function.stack} if function.stack else {}
        stacks["loaded"] = tuple(loaded)
        own: list[float] = []
        measured: dict[str, list[float]] = {name: [] for name in stacks}
        for _ in range(rounds):
            own.append(import_seconds([function.module], environ))
            for name, modules in stacks.items():
                measured[name].append(import_seconds(modules, environ))
        mine = statistics.median(own)
        for name, times in measured.items():
            base = statistics.median(times)
            ratio = mine / base
            if name == "named":
                target = f"≤ {function.target:.1f}x ({', '.join(function.stack or ())})"
            elif function.stack is None:
                target = f"≤ {function.target:.1f}x (the {len(loaded)} third-party modules loaded)"
            else:
                target = f"for information: the {len(loaded)} third-party modules it loads"
            verdict = ""
            if name == "named" or function.stack is None:
                verdict = "met" if ratio <= function.target else "NOT MET"
            lines.append(
                f"  {function.label:16} {function.module:40} {mine * 1e3:6.0f} ms "
                f"{base * 1e3:5.0f} ms {ratio:5.2f}x  {target} {verdict}".rstrip()
            )
    return lines


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A fresh process: import the API, then answer two votes as API Gateway's proxy events.
_FIRST_ANSWER = """
import time
started = time.time()
import json, sys
debate, token, choices = sys.argv[1], sys.argv[2], sys.argv[3:]
import app
imported = time.time()

def vote(choice):
    path = "/v1/debates/{debate_id}/ballot"
    event = {
        "resource": path, "path": f"/v1/debates/{debate}/ballot", "httpMethod": "PUT",
        "headers": {"authorization": f"Bearer {token}", "content-type": "application/json"},
        "multiValueQueryStringParameters": None, "pathParameters": {"debate_id": debate},
        "stageVariables": None, "isBase64Encoded": False,
        "body": json.dumps({"choice": choice}),
        "requestContext": {"resourcePath": path, "httpMethod": "PUT", "requestId": "bench",
                           "path": f"/v1/debates/{debate}/ballot"},
    }
    answer = app.app(event, None)
    assert answer["statusCode"] in (200, 201), answer
    return time.time()

first = vote(choices[0])
second = vote(choices[1])
print(json.dumps({"started": started, "imported": imported, "first": first, "second": second}))
"""


def first_answer() -> list[str]:
    port = _free_port()
    local = {
        "HUB_STAGE": "local",
        "HUB_TABLE": "hub-bench-coldstart",
        "HUB_DEV_JWT_SECRET": "bench-dev-secret-0123456789abcdef",
        "HUB_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
    os.environ.update(local)  # before chalicelib is imported: it binds the store
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the embedded DynamoDB's requests
    from local.embedded_dynamodb import EmbeddedDynamoDB

    server = EmbeddedDynamoDB(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        debate = _an_open_vote()
        from local.devtoken import make_token

        token = make_token("bench-voter")
        spawned = time.time()
        timings = json.loads(
            _run(_FIRST_ANSWER, debate, token, "yes", "no", environ=_environment(local))
        )
    finally:
        server.stop()
    total = timings["first"] - spawned
    return [
        "First answer of a fresh process: a vote (PUT /v1/debates/{id}/ballot), local stage, "
        "embedded DynamoDB",
        f"  {total * 1e3:6.0f} ms from the process's start to its answer: interpreter "
        f"{(timings['started'] - spawned) * 1e3:.0f} ms, import "
        f"{(timings['imported'] - timings['started']) * 1e3:.0f} ms, first request "
        f"{(timings['first'] - timings['imported']) * 1e3:.0f} ms",
        f"  {(timings['second'] - timings['first']) * 1e3:6.0f} ms for the next vote on the "
        "same, now warm, process",
    ]


def _an_open_vote() -> str:
    """A public consultation, open, whose one debate is a vote any signed-in resident may
    cast: the debate's id."""
    from chalicelib.domain import clock
    from chalicelib.domain.model import (
        Caller,
        ConsultationVisibility,
        DecisionFunction,
        FunctionType,
        JoinPolicy,
        Participation,
        ResultsVisibility,
    )
    from chalicelib.services import consultations, debates, groups
    from chalicelib.services.consultations import NewConsultation
    from chalicelib.store.table import create_table_if_absent

    create_table_if_absent()
    admin = Caller("bench-admin", name="Bench admin")
    group, _ = groups.create(
        admin, name="Bench", description="", listed=True, join_policy=JoinPolicy.REQUEST
    )
    new = NewConsultation(
        title="Cold start",
        description="",
        visibility=ConsultationVisibility.PUBLIC,
        audience=(),
        participation=Participation.SIGNED_IN,
        opens_at=None,
        closes_at=clock.now() + timedelta(days=1),
    )
    consultation = consultations.create(admin, group.id, new).consultation
    function = DecisionFunction(
        type=FunctionType.VOTE, results_visibility=ResultsVisibility.LIVE, allow_change=True
    )
    seen = debates.create(admin, consultation.id, title="Vote", body="", function=function)
    consultations.publish(admin, consultation.id)
    return seen.debate.id


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart")
    parser.add_argument("--rounds", type=int, default=9, help="fresh processes per figure")
    args = parser.parse_args(argv)
    for line in imports(args.rounds):
        print(line, flush=True)
    print()
    for line in first_answer():
        print(line, flush=True)


if __name__ == "__main__":
    main()
