"""Soak: `make run` under many writes from many clients at once, on loopback only.

    make soak    (or: .venv/bin/python -m bench.soak [--writes 20000] [--clients 200])

Starts the real local runner (python -m local.runner, embedded DynamoDB + chalice local +
the stream consumer and closer) on two free ports of 127.0.0.1, then `--clients` people
write through the API until `--writes` requests are made or `--time-limit` seconds have
passed: each joins with an invitation (a transaction), votes and changes their vote on
plain debates, sometimes withdraws, writes comments, and casts secret ballots, each sent
twice at once as a flaky network would (one transaction of the two is cancelled).

Prints figures, asserts nothing: writes made, answers by status, the resident memory of
the runner and of its children at start and end, the median write latency of the first
and last hundred writes under load and of a hundred writes by one person on the idle
runner before and after, and each debate's running tally against a recount of the
ballots stored. tests/integration/test_soak.py runs a smaller version as a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from local.devtoken import make_token
from local.ports import free_ports

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TABLE = "hub-soak"
SECRET = "soak-dev-secret-0123456789abcdef"
ISSUER, AUDIENCE = "hub-local", "hub"
CLOSES = "2099-01-01T00:00:00Z"
PLAIN_DEBATES = 5
SECRET_DEBATES = 20
EXPECTED = {200, 201, 204, 409}  # 409: the twin of a secret ballot already cast
Sign = Callable[[str], str]


# ------------------------------------------------------------------ the runner


@dataclass
class Runner:
    process: subprocess.Popen[bytes]
    api_port: int
    dynamodb_port: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    def stop(self) -> None:
        """Ctrl-C, as in a terminal; the runner stops its children."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            for child in descendants(self.process.pid):
                with contextlib.suppress(OSError):
                    os.kill(child, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


def sign(sub: str) -> str:
    return make_token(sub, ttl=7200, secret=SECRET, issuer=ISSUER, audience=AUDIENCE)


@contextlib.contextmanager
def running_hub(log: Path, *flags: str) -> Iterator[Runner]:
    """`make run` without reloading (and with `flags`, e.g. --demo), its output in `log`,
    tokens signed by `sign`."""
    api_port, dynamodb_port = free_ports(2)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "AWS_"))}
    env.update(
        HUB_TABLE=TABLE, HUB_DEV_JWT_SECRET=SECRET, HUB_JWT_ISSUER=ISSUER, HUB_JWT_AUDIENCE=AUDIENCE
    )
    command = [sys.executable, "-m", "local.runner", "--no-reload"]
    command += ["--port", str(api_port), "--dynamodb-port", str(dynamodb_port), *flags]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    runner = Runner(process, api_port, dynamodb_port)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the runner did not start; its output is in {log}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{runner.base_url}/v1/groups", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield runner
    finally:
        runner.stop()


# ------------------------------------------------------------------ memory


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                for child in (task / "children").read_text().split():
                    found += [int(child), *descendants(int(child))]
    return found


def rss_mib(pid: int) -> dict[str, float]:
    """Resident memory of `pid` and each of its descendants, by 'pid name', and 'total'."""
    sizes: dict[str, float] = {}
    for process in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{process}/status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            command = Path(f"/proc/{process}/cmdline").read_bytes().split(b"\0")
            name = " ".join(part.decode() for part in command[1:3])
            sizes[f"{process} {name}"] = int(fields["VmRSS"].split()[0]) / 1024
    sizes["total"] = sum(sizes.values())
    return sizes


# ------------------------------------------------------------------ the load


class Client:
    def __init__(self, base_url: str, sub: str, signer: Sign):
        self.base_url, self.sub = base_url, sub
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {signer(sub)}"

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, self.base_url + path, json=body, timeout=120)


@dataclass
class Place:
    """The association, its consultation and debates, set up before the load."""

    invitation: str
    plain: list[str]
    secret: list[str]
    probe: str


def set_up(base_url: str, signer: Sign) -> Place:
    admin = Client(base_url, f"organiser-{uuid.uuid4().hex[:8]}", signer)
    group = admin.call("POST", "/v1/groups", {"name": f"Soak {admin.sub}"}).json()["id"]
    invitation = admin.call("POST", f"/v1/groups/{group}/invitations", {}).json()["code"]
    consultation = admin.call(
        "POST",
        f"/v1/groups/{group}/consultations",
        {
            "title": "Budget",
            "visibility": "public",
            "participation": "signed_in",
            "closes_at": CLOSES,
        },
    ).json()["id"]

    def debate(title: str, secret: bool) -> str:
        function = {"type": "vote", "results_visibility": "live", "secret": secret}
        path = f"/v1/consultations/{consultation}/debates"
        answer = admin.call("POST", path, {"title": title, "function": function})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    plain = [debate(f"Projet {n}", False) for n in range(PLAIN_DEBATES)]
    secret = [debate(f"Élection {n}", True) for n in range(SECRET_DEBATES)]
    probe = debate("Sonde", False)
    published = admin.call("POST", f"/v1/consultations/{consultation}/publish")
    assert published.status_code == 200, published.text
    return Place(invitation, plain, secret, probe)


@dataclass
class Load:
    """What the clients did: one entry per request, in the order they were sent."""

    budget: int
    deadline: float
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies: list[tuple[int, str, float]] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)

    def ticket(self, count: int = 1) -> int | None:
        with self.lock:
            if self.sent + count > self.budget or time.monotonic() > self.deadline:
                return None
            self.sent += count
            return self.sent - count

    def record(self, ticket: int, kind: str, response: requests.Response, seconds: float) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            self.by_kind[kind][response.status_code] += 1
            self.latencies.append((ticket, kind, seconds))
            if response.status_code not in EXPECTED and len(self.surprises) < 20:
                self.surprises.append(f"{kind} {response.status_code} {response.text[:300]}")


def timed(client: Client, method: str, path: str, body: Any = None) -> tuple[Any, float]:
    started = time.perf_counter()
    response = client.call(method, path, body)
    return response, time.perf_counter() - started


def person(client: Client, place: Place, load: Load, seed: int) -> None:
    rng = random.Random(seed)
    voted: dict[str, bool] = {}
    secret_left = list(place.secret)
    rng.shuffle(secret_left)

    def write(kind: str, method: str, path: str, body: Any = None) -> requests.Response | None:
        ticket = load.ticket()
        if ticket is None:
            return None
        response, seconds = timed(client, method, path, body)
        load.record(ticket, kind, response, seconds)
        return response

    if write("accept", "POST", f"/v1/invitations/{place.invitation}/accept") is None:
        return
    while True:
        roll = rng.random()
        debate = rng.choice(place.plain)
        if roll < 0.15 and secret_left:
            if not twin_secret_ballots(client, secret_left.pop(), rng.choice(["yes", "no"]), load):
                return
            continue
        if roll < 0.3:
            body = {"body": f"Avis {rng.randrange(10**6)} de {client.sub}", "stance": "neutral"}
            answer = write("comment", "POST", f"/v1/debates/{debate}/comments", body)
        elif roll < 0.38 and voted.get(debate):
            answer = write("withdraw", "DELETE", f"/v1/debates/{debate}/ballot")
            if answer is not None and answer.status_code == 204:
                voted[debate] = False
        else:
            choice = rng.choice(["yes", "no", "abstain"])
            answer = write("vote", "PUT", f"/v1/debates/{debate}/ballot", {"choice": choice})
            if answer is not None and answer.status_code in (200, 201):
                voted[debate] = True
        if answer is None:
            return


def twin_secret_ballots(client: Client, debate: str, choice: str, load: Load) -> bool:
    """The same first secret ballot sent twice at once; False once the budget is spent."""
    ticket = load.ticket(2)
    if ticket is None:
        return False
    start = threading.Barrier(2)

    def send(_: int) -> tuple[requests.Response, float]:
        start.wait()
        return timed(client, "PUT", f"/v1/debates/{debate}/ballot", {"choice": choice})

    with ThreadPoolExecutor(2) as pool:
        for offset, (response, seconds) in enumerate(pool.map(send, range(2))):
            load.record(ticket + offset, "secret", response, seconds)
    return True


def probe(base_url: str, debate: str, signer: Sign, writes: int = 100) -> float:
    """Median latency of `writes` ballot changes by one person, one after the other."""
    client = Client(base_url, f"probe-{uuid.uuid4().hex[:8]}", signer)
    latencies = []
    for n in range(writes):
        response, seconds = timed(
            client, "PUT", f"/v1/debates/{debate}/ballot", {"choice": ("yes", "no")[n % 2]}
        )
        assert response.status_code in (200, 201), response.text
        latencies.append(seconds)
    return statistics.median(latencies)


# ------------------------------------------------------------------ tallies


def recount(dynamodb_port: int, table: str) -> dict[str, Counter[str]]:
    """Every ballot stored, by debate, read from the embedded DynamoDB (not the Hub):
    plain markers (`VOTER#`) and anonymous secret ballots (`BALLOT#`)."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://{HOST}:{dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(pk, :ballots) AND attribute_exists(choice)",
        ExpressionAttributeValues={":ballots": {"S": "BALLOTS#"}},
    )
    for page in pages:
        for item in page["Items"]:
            if item["sk"]["S"].startswith(("VOTER#", "BALLOT#")):
                counts[item["debate_id"]["S"]][item["choice"]["S"]] += 1
    return counts


def shown_counts(base_url: str, debate: str) -> dict[str, int]:
    shown = requests.get(f"{base_url}/v1/debates/{debate}/results", timeout=30).json()
    return {choice: n for choice, n in shown["counts"].items() if n}


def tallies_against_recount(
    base_url: str, dynamodb_port: int, table: str, debates: list[str], wait_s: float = 300
) -> list[tuple[str, dict[str, int], dict[str, int]]]:
    """(debate, running tally shown, recount) once the consumer caught up or `wait_s` ran out."""
    deadline = time.monotonic() + wait_s
    while True:
        counted = recount(dynamodb_port, table)
        rows = [(d, shown_counts(base_url, d), dict(counted.get(d, {}))) for d in debates]
        if all(shown == stored for _, shown, stored in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(1)


# ------------------------------------------------------------------ the soak


@dataclass
class Figures:
    writes: int
    clients: int
    seconds: float
    catching_up: float
    out_of_time: bool
    statuses: Counter[int]
    by_kind: dict[str, Counter[int]]
    surprises: list[str]
    rss_start: dict[str, float]
    rss_end: dict[str, float]
    first_p50: float
    last_p50: float
    idle_before_p50: float
    idle_after_p50: float
    tallies: list[tuple[str, dict[str, int], dict[str, int]]]

    @property
    def mismatches(self) -> list[tuple[str, dict[str, int], dict[str, int]]]:
        return [row for row in self.tallies if row[1] != row[2]]

    def report(self) -> str:
        ms = 1000
        lines = [
            f"writes           {self.writes:,} by {self.clients} clients in {self.seconds:.0f} s"
            + (" (stopped by the time limit)" if self.out_of_time else ""),
            "statuses         "
            + ", ".join(f"{n:,} x {s}" for s, n in sorted(self.statuses.items())),
        ]
        for kind, statuses in sorted(self.by_kind.items()):
            counts = ", ".join(f"{n:,} x {s}" for s, n in sorted(statuses.items()))
            lines.append(f"  {kind:14} {counts}")
        lines.append("RSS (MiB)        start -> end")
        for name in self.rss_start:
            end = self.rss_end.get(name, float("nan"))
            lines.append(f"  {name[:60]:60} {self.rss_start[name]:7.1f} -> {end:7.1f}")
        lines += [
            f"p50 under load   first 100 writes {self.first_p50 * ms:.0f} ms, "
            f"last 100 {self.last_p50 * ms:.0f} ms ({self.last_p50 / self.first_p50:.2f}x)",
            f"p50 idle, 1 user before {self.idle_before_p50 * ms:.1f} ms, "
            f"after {self.idle_after_p50 * ms:.1f} ms "
            f"({self.idle_after_p50 / self.idle_before_p50:.2f}x)",
            f"tallies          {len(self.tallies) - len(self.mismatches)} of {len(self.tallies)} "
            f"debates equal their recount, {self.catching_up:.0f} s after the last write",
        ]
        lines += [
            f"  MISMATCH {d}: tally {shown} recount {stored}"
            for d, shown, stored in self.mismatches
        ]
        lines += [f"  unexpected: {text}" for text in self.surprises]
        return "\n".join(lines)


def soak(
    base_url: str,
    dynamodb_port: int,
    runner_pid: int,
    *,
    writes: int,
    clients: int,
    time_limit_s: float,
    signer: Sign = sign,
    table: str = TABLE,
    seed: int = 20261202,
) -> Figures:
    rss_start = rss_mib(runner_pid)
    place = set_up(base_url, signer)
    idle_before = probe(base_url, place.probe, signer)
    started = time.monotonic()
    load = Load(budget=writes, deadline=started + time_limit_s)
    people = [
        Client(base_url, f"citizen-{n}-{uuid.uuid4().hex[:6]}", signer) for n in range(clients)
    ]
    with ThreadPoolExecutor(clients) as pool:
        for done in [pool.submit(person, c, place, load, seed + n) for n, c in enumerate(people)]:
            done.result()
    seconds = time.monotonic() - started
    tallies = tallies_against_recount(base_url, dynamodb_port, table, place.plain + place.secret)
    catching_up = time.monotonic() - started - seconds
    idle_after = probe(base_url, place.probe, signer)
    ordered = [seconds for _, _, seconds in sorted(load.latencies)]
    return Figures(
        writes=load.sent,
        clients=clients,
        seconds=seconds,
        catching_up=catching_up,
        out_of_time=load.sent < writes,
        statuses=load.statuses,
        by_kind=dict(load.by_kind),
        surprises=load.surprises,
        rss_start=rss_start,
        rss_end=rss_mib(runner_pid),
        first_p50=statistics.median(ordered[:100]),
        last_p50=statistics.median(ordered[-100:]),
        idle_before_p50=idle_before,
        idle_after_p50=idle_after,
        tallies=tallies,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--writes", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds (default: 3600)")
    parser.add_argument("--log", type=Path, default=Path("/tmp/hub-soak-runner.log"))
    args = parser.parse_args(argv)
    print(f"Soak: {args.writes:,} writes, {args.clients} clients, runner output in {args.log}")
    with running_hub(args.log) as runner:
        figures = soak(
            runner.base_url,
            runner.dynamodb_port,
            runner.process.pid,
            writes=args.writes,
            clients=args.clients,
            time_limit_s=args.time_limit,
        )
    print(figures.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
