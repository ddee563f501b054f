"""The runner's closer, on the clock: a consultation closing in a few seconds reads closed,
then its results become final with the right outcome, nobody staying up for it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from tests.integration.conftest import REPO_ROOT, RunningHub, runner_environment

pytestmark = pytest.mark.integration

T = TypeVar("T")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def wait_for(probe: Callable[[], T], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_a_consultation_closes_and_finalises_on_schedule(hub: RunningHub) -> None:
    admin = hub.as_user(f"chair-{uuid.uuid4().hex[:8]}")
    group = admin.post("/v1/groups", {"name": f"AG {admin.sub}", "join_policy": "open"}).data
    voters = [hub.as_user(f"member-{n}-{uuid.uuid4().hex[:6]}") for n in range(3)]
    for voter in voters:
        assert voter.post(f"/v1/groups/{group['id']}/join").status_code == 201
    closes_at = datetime.now(UTC) + timedelta(seconds=6)
    consultation = admin.post(
        f"/v1/groups/{group['id']}/consultations",
        {"title": "AG", "visibility": "members", "closes_at": iso(closes_at)},
    ).data
    debate = admin.post(
        f"/v1/consultations/{consultation['id']}/debates",
        {"title": "Budget 2027", "function": {"type": "vote", "quorum": 3}},
    ).data["id"]
    assert admin.post(f"/v1/consultations/{consultation['id']}/publish").status_code == 200
    for voter, choice in zip(voters, ["yes", "yes", "no"], strict=True):
        assert voter.put(f"/v1/debates/{debate}/ballot", {"choice": choice}).status_code == 201

    def status() -> str:
        return admin.get(f"/v1/consultations/{consultation['id']}").data["status"]

    assert wait_for(lambda: status() == "closed")
    late = voters[0].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    assert late.data["error"]["code"] == "consultation_closed"

    def final_results() -> dict | None:
        shown = voters[1].get(f"/v1/debates/{debate}/results").data
        return shown if shown.get("final") else None

    final = wait_for(final_results)
    assert final, "results never became final"
    assert final["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert final["outcome"]["result"] == "adopted"
    assert final["tally_mismatch"] is None
    events = admin.get(f"/v1/groups/{group['id']}/audit").data["items"]
    actions = [e["action"] for e in events]
    assert actions.count("consultation_closed") == 1
    assert actions.count("consultation_finalised") == 1


CLOSERS = """
import threading, time
from chalicelib.services import closer

def keep_closing():
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        closer.close_due_consultations()
        time.sleep(0.05)

threads = [threading.Thread(target=keep_closing) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_closers_running_at_once_record_each_event_once(hub: RunningHub) -> None:
    """Two closer threads in another process, and the runner's own closer, all at once."""
    admin = hub.as_user(f"chair-{uuid.uuid4().hex[:8]}")
    group = admin.post("/v1/groups", {"name": f"Bureau {admin.sub}"}).data["id"]
    closes_at = datetime.now(UTC) + timedelta(seconds=3)
    consultation = admin.post(
        f"/v1/groups/{group}/consultations",
        {"title": "Bureau", "visibility": "members", "closes_at": iso(closes_at)},
    ).data["id"]
    debate = admin.post(
        f"/v1/consultations/{consultation}/debates",
        {"title": "Motion", "function": {"type": "vote", "results_visibility": "live"}},
    ).data["id"]
    admin.post(f"/v1/consultations/{consultation}/publish")
    assert admin.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201

    env = runner_environment(
        HUB_STAGE="local",
        HUB_DYNAMODB_ENDPOINT=f"http://127.0.0.1:{hub.dynamodb_port}",
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="eu-west-3",
        AWS_REGION="eu-west-3",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )
    done = subprocess.run(
        [sys.executable, "-c", CLOSERS], cwd=REPO_ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]

    final = wait_for(lambda: admin.get(f"/v1/debates/{debate}/results").data.get("final"))
    assert final
    events = admin.get(f"/v1/groups/{group}/audit?limit=100").data["items"]
    actions = [e["action"] for e in events if e["details"].get("consultation_id") == consultation]
    assert actions.count("consultation_closed") == 1
    assert actions.count("consultation_finalised") == 1
