"""An idle `make run`: how much of one core it uses when nobody calls it.

    .venv/bin/python -m bench.idle [--seconds 20] [--settle 3]

Starts the real local runner (python -m local.runner, reloading on as `make run` has it) on
two free ports of 127.0.0.1, waits until it prints that it is ready and lets it settle, then
reads the CPU time (utime + stime in /proc/<pid>/stat) of every process of its tree - the
runner with its embedded DynamoDB and periodic jobs, `chalice local`'s reloader and its
worker - at the start and the end of `--seconds`, and prints each process's share of one
core and the total against the target. Stops the runner with Ctrl-C, as a terminal would.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.soak import descendants
from local.ports import free_ports

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_PERCENT = 3.0
READY_LINE = "Ready. Ctrl-C stops everything."
READY_TIMEOUT_S = 120.0
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Process:
    pid: int
    role: str


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of `pid` (all its threads), in seconds; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # fields 14 and 15


def role(pid: int, runner: int) -> str:
    if pid == runner:
        return "runner (embedded DynamoDB, jobs)"
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    if not any(part.endswith(b"chalice_local.py") for part in command):
        return " ".join(part.decode(errors="replace") for part in command[:3])
    if b"CHALICE_WORKER=true" in environ:
        return "chalice local: worker (API server, file watcher)"
    return "chalice local: reloader (parent)"


def process_tree(runner: int) -> list[Process]:
    return [Process(pid, role(pid, runner)) for pid in [runner, *descendants(runner)]]


def environment() -> dict[str, str]:
    """This environment without the Hub's or AWS's settings: the runner's own defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "AWS_", "CHALICE_"))}


def wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while READY_LINE not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the runner did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C, as in a terminal; the runner stops its children."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(30)
    except subprocess.TimeoutExpired:
        for child in descendants(process.pid):
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
        process.kill()
        return process.wait()


def measure(runner: int, seconds: float) -> list[tuple[Process, float]]:
    """Each process's share of one core over `seconds`, in %."""
    tree = process_tree(runner)
    before = {p.pid: cpu_seconds(p.pid) for p in tree}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    after = {p.pid: cpu_seconds(p.pid) for p in process_tree(runner)}
    shares = []
    for process in tree:
        first, last = before[process.pid], after.get(process.pid)
        if first is None or last is None:
            raise RuntimeError(f"process {process.pid} ({process.role}) stopped while measured")
        shares.append((process, 100 * (last - first) / elapsed))
    if set(after) != set(before):
        raise RuntimeError("the process tree changed while measured (did the API restart?)")
    return shares


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.idle", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured (default: 20)")
    parser.add_argument("--settle", type=float, default=3.0, help="after ready (default: 3)")
    args = parser.parse_args(argv)

    api_port, dynamodb_port = free_ports(2)
    command = [sys.executable, "-m", "local.runner"]
    command += ["--port", str(api_port), "--dynamodb-port", str(dynamodb_port)]
    with tempfile.TemporaryDirectory(prefix="hub-idle-") as scratch:
        log = Path(scratch) / "runner.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=environment(), stdout=sink, stderr=subprocess.STDOUT
            )
        try:
            wait_until_ready(process, log)
            time.sleep(args.settle)
            shares = measure(process.pid, args.seconds)
        finally:
            code = stop(process)

    print(f"An idle `make run` (reloading on), CPU over {args.seconds:.0f} s, % of one core:")
    for proc, share in shares:
        print(f"  {share:6.2f} %  {proc.pid:>7}  {proc.role}")
    total = sum(share for _, share in shares)
    verdict = "within" if total < TARGET_PERCENT else "ABOVE"
    print(f"  {total:6.2f} %  total, {verdict} the target of {TARGET_PERCENT:.0f} %")
    if code != 0:
        print(f"  (the runner exited with code {code} on Ctrl-C)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
