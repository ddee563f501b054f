"""An erasure against the real local runner while the same person votes, comments and
reacts, and others react to their comments, all at once: once it is done (a later call
answers 204) nothing of theirs is left, their comments stay as a deleted member's with
every other person's reaction counted, and the running tallies count exactly the ballots
that remain."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.http import Api
from tests.integration.conftest import RunningHub

pytestmark = pytest.mark.integration

OWNED_SECTIONS = ("comments", "reactions", "flags", "ballots", "memberships", "join_requests")


def public_debates(hub: RunningHub, count: int) -> tuple[Api, list[str]]:
    admin = hub.as_user(f"organiser-{uuid.uuid4().hex[:8]}")
    group = admin.post("/v1/groups", {"name": f"Quartier {admin.sub}"}).data["id"]
    consultation = admin.post(
        f"/v1/groups/{group}/consultations",
        {
            "title": "Square",
            "visibility": "public",
            "participation": "signed_in",
            "closes_at": "2099-01-01T00:00:00Z",
        },
    ).data["id"]
    debates = [
        admin.post(
            f"/v1/consultations/{consultation}/debates",
            {"title": f"Motion {n}", "function": {"type": "vote", "results_visibility": "live"}},
        ).data["id"]
        for n in range(count)
    ]
    assert admin.post(f"/v1/consultations/{consultation}/publish").status_code == 200
    return admin, debates


def retried(call, attempts: int = 20):
    """As a client should: again on 409 concurrent_update and 503."""
    for _ in range(attempts):
        response = call()
        if response.status_code not in (409, 503):
            return response
        time.sleep(0.05)
    return response


def test_erasing_while_voting_and_commenting_leaves_nothing_of_theirs(hub: RunningHub) -> None:
    admin, debates = public_debates(hub, 3)
    leaving = hub.as_user(f"leaving-{uuid.uuid4().hex[:8]}")
    others = [hub.as_user(f"neighbour-{n}-{uuid.uuid4().hex[:6]}") for n in range(4)]
    comments = [
        leaving.post(f"/v1/debates/{d}/comments", {"body": f"Avis {d}", "stance": "pro"}).data["id"]
        for d in debates
    ]
    for other in others:
        assert other.put(f"/v1/debates/{debates[0]}/ballot", {"choice": "no"}).status_code == 201
    for debate in debates:
        assert leaving.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201

    start = threading.Barrier(1 + 1 + len(others))

    def erase() -> list[int]:
        start.wait()
        statuses = []
        for _ in range(20):
            statuses.append(retried(lambda: leaving.delete("/v1/me")).status_code)
            if statuses[-1] == 204:
                break
        return statuses

    def keep_going() -> list[int]:
        start.wait()
        statuses = []
        for debate in debates:
            statuses.append(
                leaving.put(f"/v1/debates/{debate}/ballot", {"choice": "no"}).status_code
            )
            made = leaving.post(
                f"/v1/debates/{debate}/comments", {"body": "Encore", "stance": "con"}
            )
            statuses.append(made.status_code)
        return statuses

    def react(other: Api) -> list[int]:
        start.wait()
        return [
            retried(lambda c=comment: other.put(f"/v1/comments/{c}/reaction")).status_code
            for comment in comments
        ]

    with ThreadPoolExecutor(2 + len(others)) as pool:
        erased = pool.submit(erase)
        writes = pool.submit(keep_going)
        reactions = [pool.submit(react, other) for other in others]
        assert erased.result()[-1] == 204, erased.result()
        assert all(status < 500 for status in writes.result()), writes.result()
        assert all(set(r.result()) <= {200, 201} for r in reactions)

    # What landed after the first erasure went over it is erased by the next call.
    assert retried(lambda: leaving.delete("/v1/me")).status_code in (202, 204)
    while (answer := retried(lambda: leaving.delete("/v1/me"))).status_code == 202:
        pass
    assert answer.status_code == 204
    exported = leaving.get("/v1/me/export").data
    assert {section: exported[section] for section in OWNED_SECTIONS} == {
        section: [] for section in OWNED_SECTIONS
    }
    for comment in comments:
        shown = admin.get(f"/v1/comments/{comment}").data
        assert (shown["author_erased"], shown["body"], shown["author"]) == (True, None, None)
        assert shown["reactions"] == len(others)  # every other person's reaction, once
    # The running tally follows the stream: the open ballots withdrawn, the others' counted.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        results = [admin.get(f"/v1/debates/{d}/results").data for d in debates]
        if [r["total"] for r in results] == [len(others), 0, 0]:
            break
        time.sleep(0.5)
    assert [r["total"] for r in results] == [len(others), 0, 0], results
    assert results[0]["counts"] == {"yes": 0, "no": len(others), "abstain": 0}
