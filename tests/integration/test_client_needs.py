"""Issue 14's acceptance, tried as a client developer would: over the network, against the
real local runner (`make run DEMO=1`), with nothing but HTTP and JSON.

1. A debate list shows a signed-in member, per item, whether they voted and whether they
   can, in one request.
2. The same `POST /v1/groups` sent twice with one `Idempotency-Key` creates one group and
   answers the same id twice; another body under that key is 422.
3. A tampered cursor, and a cursor of another group's listing, answer 400 `invalid_cursor`;
   no cursor shows a key or a name when decoded.
4. `GET /v1/nowhere` answers 404 `not_found` in the Hub's error shape, in the caller's
   language; a wrong method answers 405 `method_not_allowed` with `Allow`.
(5., the OpenAPI document and the client generated from it: test_generated_client.py.)
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.http import Answer, Api
from tests.integration.conftest import RunningHub

pytestmark = pytest.mark.integration


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def found_group(hub: RunningHub, **body: Any) -> tuple[Api, dict[str, Any]]:
    admin = hub.as_user(unique("admin"))
    created = admin.post("/v1/groups", {"name": f"Amicale {admin.sub}", **body}, expect=201)
    return admin, created.data


def member(hub: RunningHub, admin: Api, group_id: str, role: str, prefix: str) -> Api:
    """Someone who joins `group_id` with `role`, by an invitation of `admin`."""
    code = admin.post(f"/v1/groups/{group_id}/invitations", {"role": role}, expect=201)
    person = hub.as_user(unique(prefix))
    person.post(f"/v1/invitations/{code.data['code']}/accept", expect=201)
    return person


def in_a_day() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).isoformat()


def refused(answer: Answer, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.data)
    assert answer.data["error"]["code"] == code, answer.data
    assert answer.data["error"]["message"], answer.data
    return answer.data["error"]


# ---------------------------------------------------------------- 1. my state on each debate


def test_a_debate_list_shows_each_member_whether_they_voted_and_whether_they_can(
    hub: RunningHub,
) -> None:
    admin, group = found_group(hub)
    alice = member(hub, admin, group["id"], "participant", "alice")
    olga = member(hub, admin, group["id"], "observer", "olga")
    outsider = hub.as_user(unique("outsider"))

    consultation = admin.post(
        f"/v1/groups/{group['id']}/consultations",
        {"title": "Assemblée 2027", "visibility": "members", "closes_at": in_a_day()},
        expect=201,
    ).data
    functions = {
        "budget": {"type": "vote"},
        "statutes": {"type": "vote", "allow_change": False},
        "board": {"type": "vote", "secret": True},
        "date": {"type": "poll", "options": ["Mardi", "Jeudi", "Samedi"], "max_choices": 2},
        "bench": {"type": "petition", "goal": 10},
        "ideas": {"type": "none"},
        "untouched": {"type": "vote"},
    }
    debates = {
        title: admin.post(
            f"/v1/consultations/{consultation['id']}/debates",
            {"title": title, "body": "À débattre.", "function": function},
            expect=201,
        ).data["id"]
        for title, function in functions.items()
    }
    admin.post(f"/v1/consultations/{consultation['id']}/publish", expect=200)

    ballots = {
        "budget": {"choice": "yes"},
        "statutes": {"choice": "no"},
        "board": {"choice": "abstain"},
        "date": {"choices": ["o1", "o3"]},
        "bench": {"sign": True},
    }
    for title, ballot in ballots.items():
        cast = alice.put(f"/v1/debates/{debates[title]}/ballot", ballot)
        assert cast.status_code == 201, cast.data
        assert cast.data["changed_at"] is None
    changed = alice.put(f"/v1/debates/{debates['budget']}/ballot", {"choice": "no"}, expect=200)
    assert changed.data["changed_at"] is not None

    # One request: the whole screen.
    listed = alice.get(f"/v1/consultations/{consultation['id']}/debates", expect=200).data
    items = {item["title"]: item for item in listed["items"]}
    assert sorted(items) == sorted(functions)
    assert listed["next"] is None
    mine = {title: item["my_ballot"] for title, item in items.items()}
    can = {title: item["can_vote"] for title, item in items.items()}

    # `my_ballot` is what GET .../ballot answers, without asking it.
    for title in ballots:
        own = alice.get(f"/v1/debates/{debates[title]}/ballot", expect=200).data
        assert mine[title] == own, title
    assert mine["budget"]["choice"] == "no"
    assert mine["budget"]["changed_at"] == changed.data["changed_at"]
    assert mine["statutes"]["choice"] == "no"
    assert mine["date"]["choices"] == ["o1", "o3"]
    assert mine["bench"]["sign"] is True
    # A secret ballot: only that, and when, she voted.
    assert mine["board"]["secret"] is True and mine["board"]["receipt"] is None
    assert "choice" not in mine["board"]
    assert mine["ideas"] is None and mine["untouched"] is None

    assert can == {
        "budget": {"allowed": True},  # voted, and may change
        "statutes": {"allowed": False, "reason": "already_voted"},  # may not change
        "board": {"allowed": False, "reason": "already_voted"},  # secret: final
        "date": {"allowed": True},
        "bench": {"allowed": True},
        "ideas": {"allowed": False, "reason": "invalid_ballot"},  # decides nothing
        "untouched": {"allowed": True},
    }
    # The reason is what the ballot would answer.
    refused(
        alice.put(f"/v1/debates/{debates['statutes']}/ballot", {"choice": "yes"}),
        409,
        "already_voted",
    )

    # The same item read alone says the same.
    single = alice.get(f"/v1/debates/{debates['budget']}", expect=200).data
    assert (single["my_ballot"], single["can_vote"]) == (mine["budget"], can["budget"])

    # An observer reads, votes nowhere, and the list says why without a probe.
    seen = olga.get(f"/v1/consultations/{consultation['id']}/debates", expect=200).data
    assert len(seen["items"]) == len(functions)
    for item in seen["items"]:
        assert item["my_ballot"] is None, item["title"]
        expected = "invalid_ballot" if item["title"] == "ideas" else "not_eligible"
        assert item["can_vote"] == {"allowed": False, "reason": expected}, item["title"]
    refused(
        olga.put(f"/v1/debates/{debates['untouched']}/ballot", {"choice": "yes"}),
        403,
        "not_eligible",
    )

    # An outsider, or nobody, of a members-only consultation: nothing is there.
    for stranger in (outsider, hub.as_user(None)):
        refused(
            stranger.get(f"/v1/consultations/{consultation['id']}/debates"),
            404,
            "consultation_not_found",
        )
        refused(stranger.get(f"/v1/debates/{debates['budget']}"), 404, "debate_not_found")


# ---------------------------------------------------------------- 2. retries are safe


def my_groups_named(caller: Api, name: str) -> list[dict[str, Any]]:
    return [g for g in caller.get("/v1/me", expect=200).data["groups"] if g["name"] == name]


def test_the_same_group_creation_sent_twice_with_one_key_makes_one_group(hub: RunningHub) -> None:
    phone = hub.as_user(unique("phone"))
    key = str(uuid.uuid4())
    body = {"name": f"Les Jardins {phone.sub}", "join_policy": "request"}

    first = phone.post("/v1/groups", body, headers={"Idempotency-Key": key})
    again = phone.post("/v1/groups", body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201, (first.data, again.data)
    assert again.data == first.data  # the same id, and the first answer as it was
    assert [g["id"] for g in my_groups_named(phone, body["name"])] == [first.data["id"]]

    # The same key for another request is refused, and writes nothing.
    other = {**body, "name": f"Les Vergers {phone.sub}"}
    refused(
        phone.post("/v1/groups", other, headers={"Idempotency-Key": key}),
        422,
        "idempotency_key_reused",
    )
    assert my_groups_named(phone, other["name"]) == []
    # Keys are per caller: someone else's same key is their own request.
    neighbour = hub.as_user(unique("neighbour"))
    theirs = neighbour.post("/v1/groups", body, headers={"Idempotency-Key": key}, expect=201)
    assert theirs.data["id"] != first.data["id"]
    assert [g["name"] for g in neighbour.get("/v1/me").data["groups"]] == [body["name"]]


def at_once(caller: Api, body: dict[str, Any], key: str) -> list[Answer]:
    """The same POST /v1/groups sent twice at the same moment, from two threads."""
    start = threading.Barrier(2)

    def send(_: int) -> Answer:
        start.wait()
        return caller.post("/v1/groups", body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(send, range(2)))


def test_the_same_group_creation_sent_twice_at_once_makes_one_group(hub: RunningHub) -> None:
    for attempt in range(4):
        phone = hub.as_user(unique("phone"))
        key = str(uuid.uuid4())
        body = {"name": f"Le Potager {phone.sub}"}
        answers = at_once(phone, body, key)
        statuses = sorted(a.status_code for a in answers)
        assert statuses in ([201, 201], [201, 409]), (attempt, [a.data for a in answers])
        created = [a for a in answers if a.status_code == 201]
        for waiting in (a for a in answers if a.status_code == 409):
            refused(waiting, 409, "idempotency_in_progress")
            assert waiting.headers.get("Retry-After") == "1", waiting.headers
            # Retried as told, it gets the first answer.
            created.append(phone.post("/v1/groups", body, headers={"Idempotency-Key": key}))
        assert [a.status_code for a in created] == [201, 201], [a.data for a in created]
        assert created[0].data == created[1].data, attempt
        assert [g["id"] for g in my_groups_named(phone, body["name"])] == [created[0].data["id"]]


# ---------------------------------------------------------------- 3. opaque cursors


def decoded(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def assert_reveals_nothing(cursor: str, secrets: list[str]) -> None:
    raw = decoded(cursor)
    with pytest.raises(ValueError):  # not JSON (nor even text, most likely)
        json.loads(raw)
    # (strings of four characters or more: a random byte may well be `#`)
    for secret in [*secrets, "MEMBER#", "GROUP#", "CONSULT", '"pk"', '"sk"']:
        for form in {secret, secret.lower(), secret.upper()}:
            assert form.encode() not in raw, (secret, raw)


def tampered(cursor: str) -> str:
    middle = len(cursor) // 2
    flipped = "A" if cursor[middle] != "A" else "B"
    return cursor[:middle] + flipped + cursor[middle + 1 :]


def test_cursors_are_opaque_tamper_evident_and_bound_to_their_listing(hub: RunningHub) -> None:
    admin, group = found_group(hub)
    people = [member(hub, admin, group["id"], "participant", "voisin") for _ in range(2)]
    other_admin, other = found_group(hub)
    member(hub, other_admin, other["id"], "participant", "voisine")
    for _ in range(2):
        for a, g in ((admin, group), (other_admin, other)):
            a.post(
                f"/v1/groups/{g['id']}/consultations",
                {"title": "Fête des voisins", "visibility": "members", "closes_at": in_a_day()},
                expect=201,
            )

    members_path = f"/v1/groups/{group['id']}/members"
    first = admin.get(f"{members_path}?limit=1", expect=200).data
    cursor = first["next"]
    assert cursor, first
    following = admin.get(f"{members_path}?limit=1&cursor={cursor}", expect=200).data
    assert following["items"] and following["items"] != first["items"]

    # Changed, it is refused.
    refused(admin.get(f"{members_path}?limit=1&cursor={tampered(cursor)}"), 400, "invalid_cursor")
    refused(admin.get(f"{members_path}?limit=1&cursor={cursor[:-4]}"), 400, "invalid_cursor")
    # Another group's members, or another listing of the same group, refuse it.
    refused(
        other_admin.get(f"/v1/groups/{other['id']}/members?limit=1&cursor={cursor}"),
        400,
        "invalid_cursor",
    )
    refused(
        admin.get(f"/v1/groups/{group['id']}/consultations?limit=1&cursor={cursor}"),
        400,
        "invalid_cursor",
    )
    consultations = admin.get(f"/v1/groups/{group['id']}/consultations?limit=1", expect=200)
    theirs = consultations.data["next"]
    assert theirs
    refused(
        other_admin.get(f"/v1/groups/{other['id']}/consultations?limit=1&cursor={theirs}"),
        400,
        "invalid_cursor",
    )

    # A debate's comments in one order refuse the cursor of another order, or stance.
    opened = admin.post(
        f"/v1/groups/{group['id']}/consultations",
        {"title": "Square", "visibility": "members", "closes_at": in_a_day()},
        expect=201,
    ).data
    debate = admin.post(
        f"/v1/consultations/{opened['id']}/debates",
        {"title": "Bancs", "body": "Combien ?", "function": {"type": "none"}},
        expect=201,
    ).data
    admin.post(f"/v1/consultations/{opened['id']}/publish", expect=200)
    for n, person in enumerate(people):
        person.post(
            f"/v1/debates/{debate['id']}/comments",
            {"body": f"Avis {n}", "stance": "pro"},
            expect=201,
        )
    comments = f"/v1/debates/{debate['id']}/comments?limit=1"
    newest = admin.get(f"{comments}&sort=new", expect=200).data["next"]
    assert newest
    admin.get(f"{comments}&sort=new&cursor={newest}", expect=200)
    for other_query in ("&sort=top", "&sort=old", "&sort=new&stance=pro"):
        refused(admin.get(f"{comments}{other_query}&cursor={newest}"), 400, "invalid_cursor")

    # Decoded, no cursor shows a key, an id or a name.
    names = [group["name"], other["name"], group["id"], other["id"], admin.sub]
    names += [p.sub for p in people]
    names += [item["id"] for item in first["items"] + consultations.data["items"]]
    names += [item["name"] for item in first["items"]]
    names += [debate["id"], opened["id"]]
    for c in (cursor, following["next"] or cursor, theirs, newest):
        assert_reveals_nothing(c, names)
    # The directory's cursor sits on a group's name: it shows it no more.
    directory = hub.as_user(None).get("/v1/groups?limit=1", expect=200).data
    assert directory["next"], directory
    listed = directory["items"][0]
    assert_reveals_nothing(directory["next"], [listed["name"], listed["id"]])
    # Two cursors of the same place differ: nothing to compare either.
    assert admin.get(f"{members_path}?limit=1").data["next"] != cursor


# ---------------------------------------------------------------- 4. unknown paths, methods


@pytest.mark.parametrize(
    ("language", "content_language"), [("fr-FR,fr;q=0.9", "fr"), ("en-GB,en;q=0.8", "en")]
)
def test_an_unknown_path_answers_404_not_found_in_the_callers_language(
    hub: RunningHub, language: str, content_language: str
) -> None:
    messages = set()
    for caller in (hub.as_user(None), hub.as_user(unique("lost"))):
        # Outside /v1, a GET is the web client's (its page, for deep links): a POST is not.
        for method, path in (
            ("GET", "/v1/nowhere"),
            ("POST", "/nowhere"),
            ("GET", "/v1/groups/x/nowhere/at/all"),
        ):
            answer = caller.request(method, path, headers={"Accept-Language": language})
            error = refused(answer, 404, "not_found")
            assert set(answer.data) == {"error"} and set(error) == {"code", "message"}, error
            assert answer.headers["Content-Type"].startswith("application/json")
            assert answer.headers["Content-Language"] == content_language
            messages.add(error["message"])
    assert len(messages) == 1, messages
    other = "en" if content_language == "fr" else "fr"
    elsewhere = hub.as_user(None).get("/v1/nowhere", headers={"Accept-Language": other})
    assert refused(elsewhere, 404, "not_found")["message"] not in messages


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_wrong_method_answers_405_with_the_methods_it_takes(
    hub: RunningHub, language: str
) -> None:
    caller = hub.as_user(unique("lost"))
    _, group = found_group(hub)
    for method, path, allowed in (
        ("DELETE", "/v1/groups", {"GET", "HEAD", "POST"}),
        ("PUT", f"/v1/groups/{group['id']}", {"GET", "HEAD", "PATCH"}),
        ("POST", "/v1/me", {"GET", "HEAD", "PATCH", "DELETE"}),
    ):
        answer = caller.request(method, path, headers={"Accept-Language": language})
        refused(answer, 405, "method_not_allowed")
        assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed, answer.headers
        assert answer.headers["Content-Language"] == language
    # Refused before the token is read: a bad one changes nothing.
    forged = hub.as_user("forger", bearer="not.a.token")
    refused(forged.request("DELETE", "/v1/groups"), 405, "method_not_allowed")
