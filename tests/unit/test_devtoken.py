"""`make token` (python -m local.devtoken): its last line is a token the local stage accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib import auth
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.model import Caller
from chalicelib.settings import Settings
from local.devtoken import DEFAULT_DEV_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "HUB_STAGE": "local",
    "HUB_DEV_JWT_SECRET": "devtoken-test-secret-0123456789ab",
    "HUB_JWT_ISSUER": "hub-local",
    "HUB_JWT_AUDIENCE": "hub",
}
LOCAL_SETTINGS = Settings.from_environ(LOCAL_ENV)


def devtoken(*args: str, env: dict[str, str] = LOCAL_ENV) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.devtoken", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_the_printed_token_names_the_caller_on_the_local_stage():
    result = devtoken(
        "--sub", "alice", "--name", "Alice M.", "--email", "a@example.org", "--verified",
        "--ttl", "60",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert auth.verify_token(last_line(result.stdout), LOCAL_SETTINGS) == Caller(
        id="alice",
        name="Alice M.",
        email="a@example.org",
        email_verified=True,
        identity_verified=True,
    )


def test_a_token_without_options_is_valid_and_unverified():
    result = devtoken("--sub", "bob")

    assert result.returncode == 0, result.stderr
    caller = auth.verify_token(last_line(result.stdout), LOCAL_SETTINGS)
    assert caller.id == "bob"
    assert caller.email is None
    assert caller.email_verified is False
    assert caller.identity_verified is False


def test_on_a_fresh_clone_the_token_matches_the_shared_local_defaults():
    result = devtoken("--sub", "alice", env={"PATH": LOCAL_ENV["PATH"]})
    fresh_clone = Settings.from_environ({"HUB_DEV_JWT_SECRET": DEFAULT_DEV_SECRET})

    assert result.returncode == 0, result.stderr
    assert auth.verify_token(last_line(result.stdout), fresh_clone).id == "alice"


def test_a_negative_ttl_prints_an_already_expired_token():
    result = devtoken("--sub", "alice", "--ttl", "-120")

    assert result.returncode == 0, result.stderr
    with pytest.raises(Unauthenticated):
        auth.verify_token(last_line(result.stdout), LOCAL_SETTINGS)


def test_a_token_signed_with_another_dev_secret_is_refused():
    result = devtoken("--sub", "alice")
    other = Settings.from_environ(
        {**LOCAL_ENV, "HUB_DEV_JWT_SECRET": "another-dev-secret-0123456789abcdef"}
    )

    with pytest.raises(Unauthenticated):
        auth.verify_token(last_line(result.stdout), other)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-sub"),
        pytest.param(["--sub", ""], id="empty-sub"),
        pytest.param(["--sub", "   "], id="blank-sub"),
    ],
)
def test_a_token_needs_a_subject(args):
    result = devtoken(*args)

    assert result.returncode != 0
    assert result.stdout == ""
    assert "sub" in result.stderr.lower()


@pytest.mark.parametrize(
    ("port", "url"),
    [
        pytest.param(None, "http://127.0.0.1:8000/v1/me", id="default"),
        pytest.param("8300", "http://127.0.0.1:8300/v1/me", id="HUB_API_PORT"),
    ],
)
def test_the_hint_names_the_port_the_local_api_listens_on(port: str | None, url: str) -> None:
    env = LOCAL_ENV if port is None else {**LOCAL_ENV, "HUB_API_PORT": port}

    result = devtoken("--sub", "alice", env=env)

    assert result.returncode == 0, result.stderr
    hint = [line for line in result.stdout.splitlines() if "curl" in line]
    assert len(hint) == 1
    assert hint[0].split()[-1] == url
