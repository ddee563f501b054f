"""Cold starts, in figures: `python -m bench.coldstart [--rounds 15] [--bundle ZIP]`.

`make bench` runs it on `make package`'s bundle, unzipped and imported alone, as Lambda
imports it; without --bundle, the working copy is imported.

1. The import of each Lambda function's handler, in a fresh interpreter with the cloud
   stage's settings, against the import of the stack it stands on:
   - the API (`app`), against botocore.session, pynamodb.models, chalice, pydantic and jwt
     together (target: ≤ 1.3x);
   - each job (chalicelib/jobs/), against the third-party modules it loads (target:
     ≤ 1.1x): what the Hub's own code adds to the libraries it needs.
   Each is measured two ways. CPU time: the median of each round's ratio (each import in
   its own fresh process, rounds interleaved), and, for diagnosis, what the function's own
   code costs once its stack is imported in the same process (`own`); on this shared
   2-core machine CPU ratios move by up to 0.1 from run to run. Instructions, counted by
   valgrind's callgrind: exact and repeatable whatever the machine is doing, so they judge
   the target when valgrind is installed (it is on every machine here).
   What the closer's first run finding something due imports (closing.py, loaded then,
   not at the cold start) is printed after it.
2. The first answer of a fresh process: a resident's vote (PUT /v1/debates/{id}/ballot)
   sent to a new interpreter that imports the API and answers it, on the cloud stage (its
   token checked with keys fetched from the issuer, DynamoDB embedded); then a second vote
   on the warm process, for comparison.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from infra.package import PACKAGING_ENVIRONMENT, RUNTIME_ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
# The cloud stage's settings, as packaging gives them to import the app (no real value), and
# what the stack gives every function beside them.
CLOUD = PACKAGING_ENVIRONMENT | RUNTIME_ENVIRONMENT
API_STACK = ("botocore.session", "pynamodb.models", "chalice", "pydantic", "jwt")


@dataclass(frozen=True)
class Function:
    label: str
    module: str
    target: float
    stack: tuple[str, ...] | None  # None: the third-party modules it loads
    later: tuple[str, str] | None = None  # (what, module): imported by a run, not at start


FUNCTIONS = (
    Function("API", "app", 1.3, API_STACK),
    Function("tally consumer", "chalicelib.jobs.count_ballots", 1.1, None),
    Function(
        "closer",
        "chalicelib.jobs.close_due_consultations",
        1.1,
        None,
        later=("its first run finding something due", "chalicelib.services.closing"),
    ),
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

# Imports argv[2:] (a stack), then argv[1], and prints the CPU time of the latter, in seconds.
_IMPORT_AFTER = """
import importlib, sys, time
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
start = time.process_time()
importlib.import_module(sys.argv[1])
print(time.process_time() - start)
"""

# The third-party modules that importing argv[1] loads, in load order: neither the standard
# library's nor the Hub's own (app, chalicelib).
_STACK = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module(sys.argv[1])
ours = {"app", "chalicelib"} | set(sys.stdlib_module_names)
loaded = [
    name for name in list(sys.modules)
    if name not in before and name.partition(".")[0] not in ours
]
print(json.dumps(loaded))
"""


def _environment(extra: dict[str, str]) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "AWS_"))}
    return environ | extra


@dataclass(frozen=True)
class Interpreter:
    """Where the code comes from: the working copy (its virtualenv, its cached bytecode), or
    an unzipped Lambda bundle alone, as Lambda imports it (`python -S`: no site-packages;
    no bytecode written: Lambda's code directory is read-only)."""

    bundle: Path | None = None

    def run(self, script: str, *args: str, environ: dict[str, str]) -> str:
        """The last line `script` prints."""
        return self._run([], script, *args, environ=environ).stdout.strip().splitlines()[-1]

    def instructions(self, modules: tuple[str, ...] | list[str], environ: dict[str, str]) -> int:
        """The instructions importing `modules` executes (callgrind): a run importing them
        less one importing nothing, both with the same hash seed."""
        counts = []
        for names in (modules, ()):
            with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
                valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"]
                done = self._run(
                    valgrind, _IMPORT, *names, environ=environ | {"PYTHONHASHSEED": "0"}
                )
            counts.append(int(re.findall(r"Collected : (\d+)", done.stderr)[-1]))
        return counts[0] - counts[1]

    def _run(
        self, prefix: list[str], script: str, *args: str, environ: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        command = [*prefix, sys.executable, "-c", script, *args]
        if self.bundle is not None:
            path = f"import sys; sys.path.insert(0, {str(self.bundle)!r})\n"
            command = [*prefix, sys.executable, "-S", "-c", path + script, *args]
            environ = environ | {"PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            command,
            cwd=self.bundle or ROOT,
            env=environ,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"bench.coldstart: {command[:4]} failed:\n{done.stderr[-3000:]}")
        return done

    def import_seconds(
        self, modules: tuple[str, ...] | list[str], environ: dict[str, str]
    ) -> float:
        return float(self.run(_IMPORT, *modules, environ=environ))

    def own_seconds(
        self, module: str, stack: tuple[str, ...] | list[str], environ: dict[str, str]
    ) -> float:
        """What importing `module` costs once `stack` is imported, in the same process."""
        return float(self.run(_IMPORT_AFTER, module, *stack, environ=environ))

    def stack_of(self, module: str, environ: dict[str, str]) -> list[str]:
        return json.loads(self.run(_STACK, module, environ=environ))


def imports(rounds: int, python: Interpreter) -> list[str]:
    """Per function: its import over its stack's, in CPU time (the median of each round's
    ratio, each import in its own fresh process) and in instructions; `own`, for diagnosis,
    what importing it costs once its stack is imported, in the same process. The verdict
    is the instructions' when valgrind is installed (exact), else the CPU time's."""
    environ = _environment(CLOUD)
    counting = shutil.which("valgrind") is not None
    lines = [
        f"Import of each Lambda function's handler: CPU time, median of {rounds} fresh "
        "processes (rounds interleaved); instructions, counted by callgrind"
        + ("" if counting else " (valgrind is not installed: not counted)"),
        f"  {'':15} {'CPU time':-^32}  {'instructions':-^25}",
        f"  {'function':15} {'import':>7} {'stack':>7} {'ratio':>6} {'own':>6}"
        f"  {'import':>9} {'stack':>7} {'ratio':>6}  target",
    ]
    for function in FUNCTIONS:
        loaded = python.stack_of(function.module, environ)
        stack = function.stack or tuple(loaded)
        alone: list[float] = []
        stacks: list[float] = []
        own: list[float] = []
        for _ in range(rounds):
            alone.append(python.import_seconds([function.module], environ))
            stacks.append(python.import_seconds(stack, environ))
            own.append(python.own_seconds(function.module, stack, environ))
        whole, base, mine = (statistics.median(times) for times in (alone, stacks, own))
        # The ratio of each round's pair, then their median: two processes started one after
        # the other see the same load on the machine, which a ratio of medians mixes in.
        cpu_ratio = statistics.median(a / b for a, b in zip(alone, stacks, strict=True))
        counted, judged = "not counted", cpu_ratio
        if counting:
            executed = python.instructions([function.module], environ)
            executed_stack = python.instructions(stack, environ)
            judged = executed / executed_stack
            counted = f"{executed / 1e6:7.0f} M {executed_stack / 1e6:5.0f} M {judged:5.3f}x"
        named = ", ".join(function.stack) if function.stack else f"the {len(loaded)} "
        named += "" if function.stack else "third-party modules it loads"
        verdict = "met" if judged <= function.target else "NOT MET"
        lines.append(
            f"  {function.label:15} {whole * 1e3:4.0f} ms {base * 1e3:4.0f} ms "
            f"{cpu_ratio:5.2f}x {mine * 1e3:3.0f} ms  {counted}  ≤ {function.target:.1f}x: "
            f"{verdict} ({function.module}; stack: {named})"
        )
        if function.later:
            what, module = function.later
            later = statistics.median(
                python.own_seconds(module, [function.module], environ) for _ in range(rounds)
            )
            extra = ""
            if counting:
                executed_later = python.instructions([function.module, module], environ)
                extra = f", {(executed_later - executed) / 1e6:.0f} M instructions"
            lines.append(
                f"    then {what} imports {module}: {later * 1e3:.0f} ms{extra}, once per process"
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


ISSUER = "https://issuer.bench.invalid"


def first_answer(python: Interpreter) -> list[str]:
    """A fresh process on the cloud stage, as Lambda starts one: its token checked against
    an issuer's keys fetched over HTTP (as the cloud does on a container's first request),
    DynamoDB reached through AWS_ENDPOINT_URL_DYNAMODB, the table seeded beforehand."""
    port = _free_port()
    seeding = {
        "HUB_STAGE": "local",
        "HUB_TABLE": "hub-bench-coldstart",
        "HUB_DEV_JWT_SECRET": "bench-dev-secret-0123456789abcdef",
        "HUB_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
    os.environ.update(seeding)  # before chalicelib is imported: it binds the store
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the embedded DynamoDB's requests
    from local.embedded_dynamodb import EmbeddedDynamoDB

    server = EmbeddedDynamoDB(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    keys, token = _issuer_keys_and_token()
    try:
        debate = _an_open_vote()
        cloud = {k: v for k, v in seeding.items() if k.startswith("AWS_")} | {
            "HUB_STAGE": "cloud",
            "HUB_TABLE": seeding["HUB_TABLE"],
            "HUB_JWT_ISSUER": ISSUER,
            "HUB_JWKS_URL": f"http://127.0.0.1:{keys.server_port}/jwks.json",
            "HUB_CURSOR_SECRET": CLOUD["HUB_CURSOR_SECRET"],
            "AWS_ENDPOINT_URL_DYNAMODB": seeding["HUB_DYNAMODB_ENDPOINT"],
        }
        spawned = time.time()
        timings = json.loads(
            python.run(_FIRST_ANSWER, debate, token, "yes", "no", environ=_environment(cloud))
        )
    finally:
        keys.shutdown()
        server.stop()
    total = timings["first"] - spawned
    return [
        "First answer of a fresh process: a vote (PUT /v1/debates/{id}/ballot) on the cloud "
        "stage, its token's keys fetched from the issuer, DynamoDB embedded",
        f"  {total * 1e3:6.0f} ms from the process's start to its answer: interpreter "
        f"{(timings['started'] - spawned) * 1e3:.0f} ms, import "
        f"{(timings['imported'] - timings['started']) * 1e3:.0f} ms, first request "
        f"{(timings['first'] - timings['imported']) * 1e3:.0f} ms",
        f"  {(timings['second'] - timings['first']) * 1e3:6.0f} ms for the next vote on the "
        "same, now warm, process",
    ]


def _issuer_keys_and_token() -> tuple[ThreadingHTTPServer, str]:
    """An issuer's JWKS served on loopback (stopped with `.shutdown()`), and an ES256 token
    it signed for a resident."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    document = json.dumps({"keys": [public | {"kid": "bench", "use": "sig"}]}).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: object) -> None:
            pass

    keys = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=keys.serve_forever, daemon=True).start()
    now = int(time.time())
    claims = {"sub": "bench-voter", "iss": ISSUER, "aud": "hub", "iat": now, "exp": now + 600}
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "bench"})
    return keys, token


def _an_open_vote() -> str:
    """A public consultation, open, whose one debate is a vote any signed-in resident may
    cast: the debate's id."""
    from chalicelib.domain import clock
    from chalicelib.domain.groups import JoinPolicy
    from chalicelib.domain.model import (
        Caller,
        ConsultationVisibility,
        DecisionFunction,
        FunctionType,
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
    parser.add_argument("--rounds", type=int, default=15, help="fresh processes per figure")
    parser.add_argument(
        "--bundle", type=Path, help="import from this Lambda bundle (make package's) alone"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-coldstart-") as workspace:
        python = Interpreter()
        where = "the working copy"
        if args.bundle:
            with zipfile.ZipFile(args.bundle) as bundle:
                bundle.extractall(workspace)
            python = Interpreter(Path(workspace))
            where = f"{args.bundle}, unzipped, alone"
        print(f"Cold start, importing from {where}", flush=True)
        for line in imports(args.rounds, python):
            print(line, flush=True)
        print()
        for line in first_answer(python):
            print(line, flush=True)


if __name__ == "__main__":
    main()
