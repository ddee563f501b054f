"""Invitations against the real local runner, many people at once: a limited code admits
exactly its uses, a revocation or its creator's demotion racing acceptances lets nobody in
after it, and every answer is a refusal a client understands, never a 500."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.http import Api
from tests.integration.conftest import RunningHub

pytestmark = pytest.mark.integration

ANSWERS = {201, 409, 410, 503}  # joined; concurrent_update; used up or revoked; busy


def founded(hub: RunningHub) -> tuple[Api, str]:
    admin = hub.as_user(f"founder-{uuid.uuid4().hex[:8]}")
    created = admin.post("/v1/groups", {"name": f"Amicale {admin.sub}", "listed": False})
    assert created.status_code == 201, created.body
    return admin, created.data["id"]


def invite(admin: Api, group: str, **body: object) -> str:
    created = admin.post(f"/v1/groups/{group}/invitations", body)
    assert created.status_code == 201, created.body
    return created.data["code"]


def accept_at_once(hub: RunningHub, code: str, people: int, also=None) -> list[int]:
    start = threading.Barrier(people + (1 if also else 0))

    def accept(n: int) -> int:
        start.wait()
        return (
            hub.as_user(f"guest-{uuid.uuid4().hex[:8]}-{n}")
            .post(f"/v1/invitations/{code}/accept")
            .status_code
        )

    def rival() -> int:
        start.wait()
        return also()

    with ThreadPoolExecutor(max_workers=people + 1) as pool:
        rivals = [pool.submit(rival)] if also else []
        statuses = list(pool.map(accept, range(people)))
        for future in rivals:
            future.result()
    return statuses


def members(admin: Api, group: str) -> dict[str, str]:
    listed = admin.get(f"/v1/groups/{group}/members?limit=100").data["items"]
    return {m["id"]: m["role"] for m in listed}


def test_parallel_accepts_of_a_limited_invitation_admit_exactly_its_uses(hub: RunningHub):
    admin, group = founded(hub)
    code = invite(admin, group, role="participant", max_uses=3)
    statuses = accept_at_once(hub, code, 8)
    assert set(statuses) <= ANSWERS, statuses
    joined = statuses.count(201)
    assert joined <= 3
    assert len(members(admin, group)) == 1 + joined
    listed = admin.get(f"/v1/groups/{group}/invitations").data["items"]
    assert [(i["code"], i["uses"]) for i in listed] == [(code, joined)]


def test_nobody_joins_after_a_revocation_racing_the_acceptances(hub: RunningHub):
    admin, group = founded(hub)
    code = invite(admin, group, role="author")
    revoked = []

    def revoke() -> int:
        status = admin.delete(f"/v1/groups/{group}/invitations/{code}").status_code
        revoked.append(status)
        return status

    statuses = accept_at_once(hub, code, 8, also=revoke)
    assert set(statuses) <= ANSWERS, statuses
    assert revoked == [204]
    assert len(members(admin, group)) == 1 + statuses.count(201)
    late = hub.as_user(f"late-{uuid.uuid4().hex[:8]}").post(f"/v1/invitations/{code}/accept")
    assert (late.status_code, late.data["error"]["code"]) == (410, "invitation_revoked")


def test_an_admin_code_admits_nobody_once_its_creator_is_demoted_even_at_once(hub: RunningHub):
    founder, group = founded(hub)
    second = hub.as_user(f"second-{uuid.uuid4().hex[:8]}")
    made_admin = second.post(f"/v1/invitations/{invite(founder, group, role='admin')}/accept")
    assert made_admin.status_code == 201, made_admin.body
    code = invite(second, group, role="admin")
    demoted = []

    def demote() -> int:
        for _ in range(10):  # as a client should: retry a concurrent_update
            status = founder.put(
                f"/v1/groups/{group}/members/{second.sub}", {"role": "participant"}
            ).status_code
            if status != 409:
                break
        demoted.append(status)
        return status

    statuses = accept_at_once(hub, code, 8, also=demote)
    assert set(statuses) <= ANSWERS, statuses
    assert demoted == [200]
    roles = members(founder, group)
    assert roles[second.sub] == "participant"
    assert len(roles) == 2 + statuses.count(201)
    late = hub.as_user(f"late-{uuid.uuid4().hex[:8]}").post(f"/v1/invitations/{code}/accept")
    assert (late.status_code, late.data["error"]["code"]) == (410, "invitation_revoked")
