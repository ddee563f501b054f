"""The real local runner (`make run DEMO=1`) in a subprocess, spoken to over HTTP.

The subprocess gets its environment explicitly: tests/conftest.py has set test values in
os.environ, and the tokens minted here must be signed with the secret the runner uses.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from local.devtoken import make_token
from local.ports import free_ports
from tests.http import Api, over_network

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
DEV_SECRET = "integration-dev-secret-0123456789"
ISSUER = "hub-local"
AUDIENCE = "hub"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


def token(sub: str, *, secret: str = DEV_SECRET, ttl: int = 3600) -> str:
    return make_token(sub, ttl=ttl, secret=secret, issuer=ISSUER, audience=AUDIENCE)


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


TABLE = "hub-integration"


def runner_environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("HUB_DYNAMODB_ENDPOINT", "HUB_API_PORT", "HUB_DYNAMODB_PORT", "CHALICE_WORKER"):
        env.pop(name, None)
    env.update(
        HUB_TABLE=TABLE,
        # the closer every second, final results 2 s after closing: schedules in seconds
        HUB_CLOSER_INTERVAL_S="1",
        HUB_CLOSE_GRACE_S="2",
        HUB_DEV_JWT_SECRET=DEV_SECRET,
        HUB_JWT_ISSUER=ISSUER,
        HUB_JWT_AUDIENCE=AUDIENCE,
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class RunningHub:
    process: subprocess.Popen[bytes]
    api_port: int
    dynamodb_port: int
    output: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    def as_user(self, sub: str | None, *, bearer: str | None = None, timeout: float = 10) -> Api:
        """JSON over HTTP as `sub` (None: nobody), with a dev token signed with the runner's
        secret, or the `bearer` token given."""
        bearer = bearer or (token(sub) if sub else None)
        return Api(over_network(self.base_url, timeout=timeout), sub, token=bearer)

    def read_output(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as in a terminal; returns the runner's exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(
                f"the runner ignored SIGINT for {STOP_TIMEOUT_S:.0f} s:\n{self.read_output()}"
            )

    def kill(self) -> None:
        """Last resort: the runner and the chalice process groups it started."""
        for child in _children(self.process.pid):
            with contextlib.suppress(OSError):
                os.killpg(child, signal.SIGKILL)
        self.process.kill()
        self.process.wait()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError, ValueError):
        return [int(child) for child in path.read_text().split()]
    return []


def start_runner(output: Path, *flags: str, env: dict[str, str] | None = None) -> RunningHub:
    """Start `python -m local.runner` on two free ports; return once the API answers.
    `env`: variables to set in the runner's environment besides runner_environment()'s."""
    api_port, dynamodb_port = free_ports(2)
    command = [sys.executable, "-m", "local.runner", "--port", str(api_port)]
    command += ["--dynamodb-port", str(dynamodb_port), *flags]
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=runner_environment(**(env or {})),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    hub = RunningHub(process, api_port, dynamodb_port, output)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the runner exited with {process.returncode}:\n{hub.read_output()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{hub.base_url}/v1/groups", timeout=2).status_code == 200:
                return hub
        time.sleep(0.2)
    hub.kill()
    pytest.fail(f"the API did not answer within {READY_TIMEOUT_S:.0f} s:\n{hub.read_output()}")


def assert_stopped_everything(hub: RunningHub, exit_code: int) -> None:
    output = hub.read_output()
    assert exit_code == 0, output
    assert not accepts_connections(hub.api_port), f"the API still answers:\n{output}"
    assert not accepts_connections(hub.dynamodb_port), f"DynamoDB still answers:\n{output}"


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """`make run DEMO=1`, without reloading on file changes (others edit this checkout)."""
    output = tmp_path_factory.mktemp("runner") / "output.log"
    running = start_runner(output, "--demo", "--no-reload")
    try:
        yield running
    finally:
        if running.process.poll() is None:
            assert_stopped_everything(running, running.stop())
