"""`make run DEMO=1` end to end: the runner's embedded DynamoDB, `chalice local` and the demo,
spoken to over HTTP with dev tokens, and Ctrl-C stopping all of it."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.http import Answer, Api
from tests.integration.conftest import RunningHub, assert_stopped_everything, start_runner, token

pytestmark = pytest.mark.integration

DEMO_GROUP = "Quartier des Tilleuls"
DEMO_ROLES = {
    "demo-admin": "admin",
    "demo-moderator": "moderator",
    "demo-alice": "participant",
    "demo-bob": "participant",
}


def wait_for_instructions(hub: RunningHub, timeout: float = 30) -> None:
    """The API answers a moment before the runner prints how to use it."""
    deadline = time.monotonic() + timeout
    while "Ctrl-C stops everything" not in hub.read_output() and time.monotonic() < deadline:
        time.sleep(0.1)


def fresh_sub(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def error_code(response: Answer) -> str:
    return response.data["error"]["code"]


def test_anyone_reads_the_directory_without_a_token_and_finds_the_demo(hub: RunningHub) -> None:
    response = hub.as_user(None).get("/v1/groups?limit=100")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    demo = [group for group in response.data["items"] if group["name"] == DEMO_GROUP]
    assert len(demo) == 1
    assert demo[0]["listed"] is True
    assert demo[0]["join_policy"] == "request"


def test_demo_users_have_their_roles(hub: RunningHub) -> None:
    for sub, role in DEMO_ROLES.items():
        me = hub.as_user(sub).get("/v1/me")

        assert me.status_code == 200, me.body
        assert me.data["id"] == sub
        roles = {group["name"]: group["role"] for group in me.data["groups"]}
        assert roles == {DEMO_GROUP: role}, sub


def test_found_invite_accept_and_change_roles(hub: RunningHub) -> None:
    founder_id, invitee_id = fresh_sub("founder"), fresh_sub("invitee")
    founder, invitee = hub.as_user(founder_id), hub.as_user(invitee_id)

    created = founder.post("/v1/groups", {"name": f"Jardin partagé {founder_id}"})
    assert created.status_code == 201, created.body
    group_id = created.data["id"]

    invitation = founder.post(f"/v1/groups/{group_id}/invitations", {"role": "participant"})
    assert invitation.status_code == 201, invitation.body
    code = invitation.data["code"]

    accepted = invitee.post(f"/v1/invitations/{code}/accept")
    assert accepted.status_code == 201, accepted.body
    my_groups = invitee.get("/v1/me").data["groups"]
    assert [(g["id"], g["role"]) for g in my_groups] == [(group_id, "participant")]

    promotion = invitee.put(f"/v1/groups/{group_id}/members/{founder_id}", {"role": "observer"})
    assert promotion.status_code == 403
    assert error_code(promotion) == "forbidden"

    promoted = founder.put(f"/v1/groups/{group_id}/members/{invitee_id}", {"role": "moderator"})
    assert promoted.status_code == 200, promoted.body
    assert promoted.data["role"] == "moderator"
    assert invitee.get("/v1/me").data["groups"][0]["role"] == "moderator"

    leaving = founder.delete(f"/v1/groups/{group_id}/members/{founder_id}")
    assert leaving.status_code == 409
    assert error_code(leaving) == "last_admin"


@pytest.mark.parametrize(
    "path", ["/v1/nowhere", "/v1/groups/x/nowhere/at/all", "/v1", "/nowhere", "/"]
)
def test_a_path_nobody_declares_is_404_not_found_in_the_callers_language(
    hub: RunningHub, path: str
) -> None:
    # chalice local alone answers 403 {"message": "Missing Authentication Token"}. A GET
    # outside /v1 is the web client's (tests/integration/test_web_serving.py).
    for sub in (None, "demo-alice"):
        english = hub.as_user(sub).post(path, {}, headers={"Accept-Language": "en"})
        assert english.status_code == 404
        assert english.data["error"]["message"] == "Nothing was found at this address."
        assert english.headers["Content-Language"] == "en"
        if path.startswith("/v1"):
            french = hub.as_user(sub).get(path, headers={"Accept-Language": "fr"})
            assert french.status_code == 404
            assert french.data == {
                "error": {
                    "code": "not_found",
                    "message": "Rien n\u2019a été trouvé à cette adresse.",
                }
            }


def test_a_method_the_path_does_not_declare_is_405_with_allow(hub: RunningHub) -> None:
    response = hub.as_user("demo-alice").delete("/v1/groups", headers={"Accept-Language": "en"})

    assert response.status_code == 405
    assert response.data == {
        "error": {"code": "method_not_allowed", "message": "This method is not allowed here."}
    }
    assert response.headers["Allow"] == "GET, HEAD, POST"


def test_the_cors_preflight_answers_the_apis_own_origin_on_its_port(hub: RunningHub) -> None:
    def preflight(origin: str) -> requests.Response:
        return requests.options(
            f"{hub.base_url}/v1/groups",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )

    own = preflight(hub.base_url)
    assert own.status_code == 200
    assert "POST" in own.headers["Access-Control-Allow-Methods"]
    assert own.headers["Access-Control-Allow-Origin"] == hub.base_url
    assert "Access-Control-Allow-Origin" not in preflight("https://example.org").headers


def test_a_malformed_token_is_refused(hub: RunningHub) -> None:
    response = hub.as_user(None, bearer="not-a-token").get("/v1/me")

    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


def test_a_token_signed_with_another_secret_is_refused(hub: RunningHub) -> None:
    forged = token("demo-admin", secret="another-secret-0123456789abcdef-xyz")
    response = hub.as_user(None, bearer=forged).get("/v1/me")

    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


def test_an_expired_dev_token_is_refused(hub: RunningHub) -> None:
    expired = token("demo-alice", ttl=-3600)
    response = hub.as_user(None, bearer=expired).get("/v1/me")

    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


def startup_noise(hub: RunningHub) -> list[str]:
    """What the runner printed before its instructions besides chalice's own lines (where it
    serves, the requests it answered: readiness checks, or tests that started early) and the
    Hub's own (chalicelib/telemetry.py: one JSON object per line)."""
    output = hub.read_output()
    assert "The Hub runs locally" in output, output
    startup = output.partition("The Hub runs locally")[0].splitlines()
    chalice = re.compile(
        rf"Serving on {re.escape(hub.base_url)}$|127\.0\.0\.1 - - \[[^]]+\] \"[A-Z]+ /"
    )
    return [
        line for line in startup if line.strip() and not chalice.match(line) and not _hubs_own(line)
    ]


def _hubs_own(line: str) -> bool:
    try:
        said = json.loads(line)
    except ValueError:
        return False
    return isinstance(said, dict) and {"time", "level", "message"} <= said.keys()


def test_starting_prints_nothing_but_chalices_lines_before_the_instructions(
    hub: RunningHub,
) -> None:
    # pynamodb's "Override settings for pynamo not available ...", botocore's "Found
    # credentials in environment variables." were printed at each start and restart.
    wait_for_instructions(hub)

    assert startup_noise(hub) == []


def test_ctrl_c_stops_the_api_and_its_autoreloader(tmp_path: Path) -> None:
    """With autoreload (the `make run` default), the server is chalice's grandchild."""
    reloading = start_runner(tmp_path / "output.log")  # returns once the API answers
    wait_for_instructions(reloading)

    assert_stopped_everything(reloading, reloading.stop())
    assert startup_noise(reloading) == []


def test_seeding_the_demo_again_keeps_one_group_and_restores_roles() -> None:
    from moto import mock_aws

    from chalicelib.domain.roles import Role
    from chalicelib.services import memberships
    from chalicelib.store.table import create_table_if_absent
    from local import demo

    with mock_aws():
        create_table_if_absent()
        first = demo.seed()
        memberships.set_role(demo.ADMIN, first.group.id, "demo-alice", Role.OBSERVER)

        again = demo.seed()

        assert again.group.id == first.group.id
        listed = memberships.list_members(demo.ADMIN, first.group.id, 100, None).items
        assert {m.user_id: m.role.value for m in listed} == DEMO_ROLES


def test_sixteen_people_racing_for_a_single_use_invitation_admit_exactly_one(
    hub: RunningHub,
) -> None:
    founder_id = fresh_sub("founder")
    founder = hub.as_user(founder_id)
    group_id = founder.post("/v1/groups", {"name": f"Course {founder_id}"}).data["id"]
    code = founder.post(f"/v1/groups/{group_id}/invitations", {"max_uses": 1}).data["code"]
    racers = [hub.as_user(fresh_sub("racer")) for _ in range(16)]
    start = threading.Barrier(len(racers))

    def accept(racer: Api) -> int:
        start.wait()
        return racer.post(f"/v1/invitations/{code}/accept").status_code

    with ThreadPoolExecutor(len(racers)) as pool:
        statuses = sorted(pool.map(accept, racers))

    assert statuses == [201] + [410] * 15
    members = founder.get(f"/v1/groups/{group_id}/members?limit=100").data["items"]
    assert len(members) == 2


def at_once(actors: list[Api], paths: list[str], body: dict[str, str]) -> list[int]:
    """PUT each path as its actor, all released at the same instant."""
    start = threading.Barrier(len(actors))

    def put(actor: Api, path: str) -> int:
        start.wait()
        return actor.put(path, body).status_code

    with ThreadPoolExecutor(len(actors)) as pool:
        return list(pool.map(put, actors, paths))


def test_admins_demoting_each_other_at_once_always_leave_an_admin(hub: RunningHub) -> None:
    for _ in range(5):
        first_id, second_id = fresh_sub("first"), fresh_sub("second")
        first, second = hub.as_user(first_id), hub.as_user(second_id)
        group_id = first.post("/v1/groups", {"name": f"Duel {first_id}"}).data["id"]
        code = first.post(f"/v1/groups/{group_id}/invitations", {"role": "admin"}).data["code"]
        assert second.post(f"/v1/invitations/{code}/accept").status_code == 201
        paths = [f"/v1/groups/{group_id}/members/{who}" for who in (second_id, first_id)]
        outcomes = at_once([first, second], paths, {"role": "participant"})

        assert 200 in outcomes
        roles = [m["role"] for m in first.get(f"/v1/groups/{group_id}/members").data["items"]]
        assert roles.count("admin") == 1, (outcomes, roles)


def test_the_demo_holds_a_public_consultation_and_a_board_meeting(hub: RunningHub) -> None:
    public = hub.as_user(None).get("/v1/consultations?scope=public").data["items"]
    square = [c for c in public if c["title"] == "Réaménagement du square"]
    assert len(square) == 1
    assert square[0]["status"] == "open"
    debates = hub.as_user(None).get(f"/v1/consultations/{square[0]['id']}/debates").data["items"]
    assert [d["function"]["type"] for d in debates] == ["vote", "poll"]

    group_id = square[0]["group_id"]
    seen_by_alice = hub.as_user("demo-alice").get(f"/v1/groups/{group_id}/consultations").data
    seen_by_admin = hub.as_user("demo-admin").get(f"/v1/groups/{group_id}/consultations").data
    assert "Conseil d'administration" not in [c["title"] for c in seen_by_alice["items"]]
    board = [c for c in seen_by_admin["items"] if c["title"] == "Conseil d'administration"]
    assert len(board) == 1
    assert hub.as_user("demo-alice").get(f"/v1/consultations/{board[0]['id']}").status_code == 404
