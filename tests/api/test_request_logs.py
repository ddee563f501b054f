"""What the Hub prints of each request (chalicelib/telemetry.py): one JSON line, which is
also its metrics in CloudWatch's embedded metric format, naming the route's template and a
keyed hash of the caller, and nothing a caller sent."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from chalicelib import telemetry
from chalicelib.api import contract
from chalicelib.mail.unsubscribe import unsubscribe_token
from chalicelib.services import groups as group_service
from tests.api.helpers import add_member, create_consultation, create_group, invite, publish
from tests.unit.test_telemetry import assert_valid_emf

SOMEONES_EMAIL = "alice.liddell@example.org"
REQUEST_FIELDS = {
    "_aws",
    "time",
    "level",
    "message",
    "request_id",
    "method",
    "route",
    "status",
    "RouteFamily",
    "Requests",
    "Latency",
    "ServerErrors",
}


def printed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Every line printed since the last call, each one JSON object."""
    lines = capsys.readouterr().out.splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def request_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [line for line in printed(capsys) if line.get("message") == "request"]


def test_a_request_line_names_its_route_template_and_a_hash_of_its_caller(as_user, capsys):
    alice = as_user("alice", name="Alice")
    group_id = create_group(alice)
    capsys.readouterr()
    alice.get(f"/v1/groups/{group_id}?limit=5&colour=blue", expect=200)
    [line] = request_lines(capsys)
    assert set(line) == REQUEST_FIELDS | {"caller"}
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["route"] == "/v1/groups/{group_id}"
    assert line["status"] == 200
    assert line["RouteFamily"] == "groups"
    assert line["Requests"] == 1 and line["ServerErrors"] == 0
    assert line["Latency"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])  # made locally: chalice has none
    # The caller: always the same hash for the same person, which hashing "alice" alone
    # (without the secret) does not find.
    assert re.fullmatch(r"[0-9a-f]{16}", line["caller"])
    assert line["caller"] == telemetry.caller_hash("alice") != telemetry.caller_hash("bob")
    assert line["caller"] not in hashlib.sha256(b"alice").hexdigest()
    text = json.dumps(line)
    assert group_id not in text and "limit" not in text and "blue" not in text
    assert_valid_emf(line)
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Hub"
    assert directive["Dimensions"] == [["RouteFamily"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "Requests": "Count",
        "Latency": "Milliseconds",
        "ServerErrors": "Count",
    }


def test_an_anonymous_request_names_no_caller_and_each_request_has_its_own_id(as_user, capsys):
    anonymous = as_user(None)
    anonymous.get("/v1/groups", expect=200)
    anonymous.get("/v1/groups", expect=200)
    first, second = request_lines(capsys)
    assert "caller" not in first and set(first) == REQUEST_FIELDS
    assert first["request_id"] != second["request_id"]


def test_a_refused_request_carries_its_code_and_a_refusal(as_user, capsys):
    as_user(None).post("/v1/groups", {"name": "Les Amis"}, expect=401)
    [line] = request_lines(capsys)
    assert set(line) == REQUEST_FIELDS | {"Code", "Refusals"}
    assert (line["status"], line["Code"], line["Refusals"]) == (401, "unauthenticated", 1)
    assert line["level"] == "INFO"
    assert_valid_emf(line)
    dimensions = [d["Dimensions"] for d in line["_aws"]["CloudWatchMetrics"]]
    assert dimensions == [[["RouteFamily"]], [["Code"]]]


def test_a_path_no_route_declares_is_unmatched_and_never_named(as_user, capsys):
    as_user(None).get("/nowhere/secret-path", expect=404)
    as_user(None).get("/v1/invitations", expect=404)  # leads to routes, is none
    lines = request_lines(capsys)
    assert [line["RouteFamily"] for line in lines] == ["unmatched", "unmatched"]
    assert [line["Code"] for line in lines] == ["not_found", "not_found"]
    assert lines[0]["route"] == "/{proxy+}"
    assert "secret-path" not in json.dumps(lines)


def test_a_method_a_path_does_not_declare_keeps_the_paths_family(as_user, capsys):
    as_user("alice").request("PUT", "/v1/groups", {}, expect=405)
    [line] = request_lines(capsys)
    assert (line["RouteFamily"], line["Code"]) == ("groups", "method_not_allowed")


def test_an_unexpected_error_is_one_line_with_its_stack_once(as_user, capsys, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        try:
            raise KeyError(SOMEONES_EMAIL)  # a message quoting someone's data
        except KeyError as error:
            raise RuntimeError(f"the table fell over for {SOMEONES_EMAIL}") from error

    monkeypatch.setattr(group_service, "directory", broken)
    answer = as_user("alice").get("/v1/groups")
    assert answer.status_code == 500
    out = printed(capsys)
    [line] = out
    assert line["message"] == "request" and line["level"] == "ERROR"
    assert (line["status"], line["Code"], line["ServerErrors"]) == (500, "internal_error", 1)
    assert line["exception"] == "RuntimeError"
    assert line["stack"].startswith("Traceback")
    # each exception of the chain by its type and its frames, never by its message
    assert "\nKeyError\n" in line["stack"] and line["stack"].endswith("\nRuntimeError\n")
    assert "in broken" in line["stack"]
    assert SOMEONES_EMAIL not in line["stack"]  # (the frames' code lines do show)
    assert "/v1/groups" not in line["stack"]  # Chalice's own message (the raw path) is gone
    assert_valid_emf(line)


def test_a_head_refusal_keeps_its_code(as_user, capsys):
    capsys.readouterr()
    as_user(None).request("HEAD", "/v1/groups/no-such-group", expect=404)
    [line] = request_lines(capsys)
    assert (line["method"], line["status"], line["Code"]) == ("HEAD", 404, "group_not_found")
    assert line["Refusals"] == 1


def test_the_hub_loggers_print_json_lines_naming_the_request(as_user, capsys):
    as_user(None).get("/v1/me", headers={"authorization": "Bearer not.a.token"}, expect=401)
    refused, request = printed(capsys)
    assert refused == {
        "time": refused["time"],
        "level": "INFO",
        "logger": "hub.auth",
        "message": "token refused: DecodeError",
        "request_id": request["request_id"],
    }
    assert request["message"] == "request" and request["Code"] == "unauthenticated"
    assert "not.a.token" not in json.dumps([refused, request])


def test_a_ballot_line_counts_a_ballot_cast_then_changed(as_user, capsys):
    admin = as_user("admin")
    group_id = create_group(admin)
    consultation = create_consultation(admin, group_id)
    debate = admin.post(
        f"/v1/consultations/{consultation['id']}/debates",
        {"title": "Motion", "function": {"type": "vote", "allow_change": True}},
    ).data["id"]
    publish(admin, consultation["id"])
    capsys.readouterr()
    admin.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}, expect=201)
    admin.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}, expect=200)  # the same
    admin.put(f"/v1/debates/{debate}/ballot", {"choice": "no"}, expect=200)
    cast, same, changed = request_lines(capsys)
    assert (cast["DecisionType"], cast["BallotsCast"]) == ("vote", 1)
    assert "BallotsCast" not in same and "BallotsChanged" not in same
    assert (changed["DecisionType"], changed["BallotsChanged"]) == ("vote", 1)
    assert "BallotsCast" not in changed
    for line in (cast, changed):
        assert_valid_emf(line)
        assert line["route"] == "/v1/debates/{debate_id}/ballot"
        assert "yes" not in json.dumps(line) and '"no"' not in json.dumps(line)


# ---------------------------------------------------------------- nothing a caller sent

TEXT = "Sentinelle-7f3a"  # in every text the caller writes
NAME = "Zéphyrine Guetteur"
EMAIL = "zephyrine.guetteur@example.org"
SECRET_CHOICE = "abstain"  # the vote's ballot
SECRET_OPTION = "o2"  # the poll's ballot
SECRET_RANKING = ["o2", "o1"]  # a ranked ballot
SECRET_GRADES = {"o1": "excellent", "o2": "a_rejeter"}  # a majority judgment's


def sentinel_world(as_user: Any) -> tuple[Any, dict[str, str]]:
    """A group, a published consultation with a poll and a vote the caller has voted in, a
    comment, an invitation, a member: every id a route's path names, each text a sentinel."""
    caller = as_user("zephyrine", name=NAME, email=EMAIL, verified=True)
    group_id = create_group(caller, name=f"Amis {TEXT}", description=f"Nous {TEXT}")
    member = add_member(as_user, caller, group_id, "member-b", "participant")
    consultation = create_consultation(
        caller, group_id, title=f"Budget {TEXT}", description=f"Pourquoi {TEXT}"
    )["id"]
    poll = caller.post(
        f"/v1/consultations/{consultation}/debates",
        {
            "title": f"Quand {TEXT}",
            "body": f"Choisir {TEXT}",
            "function": {"type": "poll", "options": [f"Mardi {TEXT}", f"Jeudi {TEXT}"]},
        },
        expect=201,
    ).data["id"]
    vote = caller.post(
        f"/v1/consultations/{consultation}/debates",
        {"title": f"Motion {TEXT}", "function": {"type": "vote"}},
        expect=201,
    ).data["id"]
    ranked, judged = (
        caller.post(
            f"/v1/consultations/{consultation}/debates",
            {"title": f"Classer {TEXT}", "function": {"type": kind, "options": ["A", "B"]}},
            expect=201,
        ).data["id"]
        for kind in ("ranked", "majority_judgment")
    )
    publish(caller, consultation)
    caller.put(f"/v1/debates/{poll}/ballot", {"choices": [SECRET_OPTION]}, expect=201)
    caller.put(f"/v1/debates/{vote}/ballot", {"choice": SECRET_CHOICE}, expect=201)
    caller.put(f"/v1/debates/{ranked}/ballot", {"ranking": SECRET_RANKING}, expect=201)
    caller.put(f"/v1/debates/{judged}/ballot", {"grades": SECRET_GRADES}, expect=201)
    comment = caller.post(
        f"/v1/debates/{poll}/comments", {"body": f"Je pense {TEXT}"}, expect=201
    ).data["id"]
    member.post(f"/v1/debates/{poll}/comments", {"body": f"Moi aussi {TEXT}"}, expect=201)
    ids = {
        "group_id": group_id,
        "consultation_id": consultation,
        "debate_id": poll,
        "comment_id": comment,
        "code": invite(caller, group_id),
        "user_id": "member-b",
        "giver_id": "member-b",
        "receipt": "A" * 22,
    }
    return caller, ids


# A body holding every field some route reads, each with a sentinel or the secret ballot.
SENTINEL_BODY = {
    "name": f"Nom {TEXT}",
    "title": f"Titre {TEXT}",
    "description": f"Texte {TEXT}",
    "body": f"Corps {TEXT}",
    "reason": f"Raison {TEXT}",
    "display_name": f"Nom {TEXT}",
    "choice": SECRET_CHOICE,
    "choices": [SECRET_OPTION],
    "ranking": SECRET_RANKING,
    "grades": SECRET_GRADES,
    "scores": {"o1": 4},
    "points": {"o1": 3},
    "for": "member-b",  # a proxy's giver
    "email": f"{TEXT}@example.org",  # an invitation's address
    "ids": [TEXT],  # notifications to mark read
}


def test_no_line_ever_holds_a_token_an_email_a_name_a_text_or_a_ballot(as_user, capsys):
    """Every declared route, as a signed-in caller whose token names them, with bodies,
    query strings and headers full of sentinels: whatever each answers, nothing printed
    holds any of them."""
    caller, ids = sentinel_world(as_user)
    import app  # noqa: F401  -- every route registered

    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    operations = sorted(
        (
            (method, template)
            for template, methods in contract.document()["paths"].items()
            for method in methods
        ),
        key=lambda operation: order[operation[0]],
    )
    called = []
    for method, template in operations:
        path = template.format(**ids)
        for query, body in (
            ("", {}),
            (f"?cursor={TEXT}&q={TEXT}&token={TEXT}", SENTINEL_BODY),
            (f"?token={unsubscribe_token(caller.sub, ids['group_id'], 'reply')}", {}),
        ):
            caller.request(
                method.upper(),
                path + query,
                body,
                headers={"x-note": TEXT, "idempotency-key": f"k-{TEXT}"},
            )
            called.append(template)
    caller.request("PATCH", "/v1/me", {"display_name": f"Nom {TEXT}"})

    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines()]
    routes = [line["route"] for line in lines if line.get("message") == "request"]
    assert set(called) <= set(routes)  # each route printed its line, under its template
    assert sum(line.get("BallotsCast", 0) for line in lines) == 4
    for secret in (
        caller.token,
        caller.token.split(".")[1],  # its claims, even without the signature
        unsubscribe_token(caller.sub, ids["group_id"], "reply").split(".")[0],  # a link's
        EMAIL,
        NAME,
        "Zéphyrine",
        "Z\\u00e9phyrine",
        "zephyrine",  # the caller's id: only its hash
        TEXT,
        '"choice"',
        '"choices"',
        SECRET_CHOICE,
        f'"{SECRET_OPTION}"',
        "ranking",
        "grades",
        "scores",
        "points",
        '"for"',
        "excellent",
        "a_rejeter",
        "member-b",
        ids["code"],
        *[ids[name] for name in ("group_id", "consultation_id", "debate_id", "comment_id")],
    ):
        assert secret not in out, secret
