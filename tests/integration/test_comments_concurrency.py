"""Reactions against the real local runner, many at once: one per person, and a count
that matches the people who reacted."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.http import Api
from tests.integration.conftest import RunningHub

pytestmark = pytest.mark.integration


def open_public_debate(hub: RunningHub) -> str:
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
    debate = admin.post(f"/v1/consultations/{consultation}/debates", {"title": "Bancs"}).data["id"]
    assert admin.post(f"/v1/consultations/{consultation}/publish").status_code == 200
    return debate


def react(api: Api, comment: str, start: threading.Barrier) -> int:
    """As a client should: retry on 409 concurrent_update."""
    start.wait()
    for _ in range(10):
        response = api.put(f"/v1/comments/{comment}/reaction")
        if response.status_code != 409:
            return response.status_code
    return response.status_code


def test_one_reaction_per_person_even_at_once_and_the_count_matches(hub: RunningHub) -> None:
    debate = open_public_debate(hub)
    author = hub.as_user(f"author-{uuid.uuid4().hex[:8]}")
    comment = author.post(
        f"/v1/debates/{debate}/comments", {"body": "Plus de bancs", "stance": "pro"}
    ).data["id"]

    same = hub.as_user(f"eager-{uuid.uuid4().hex[:8]}")
    start = threading.Barrier(16)
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: react(same, comment, start), range(16)))
    assert sorted(set(statuses)) == [200, 201] and statuses.count(201) == 1, statuses
    assert author.get(f"/v1/comments/{comment}").data["reactions"] == 1

    others = [hub.as_user(f"neighbour-{n}-{uuid.uuid4().hex[:6]}") for n in range(8)]
    start = threading.Barrier(len(others))
    with ThreadPoolExecutor(len(others)) as pool:
        statuses = list(pool.map(lambda api: react(api, comment, start), others))
    assert statuses == [201] * len(others)
    assert author.get(f"/v1/comments/{comment}").data["reactions"] == 1 + len(others)
