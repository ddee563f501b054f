"""Fuzzing the Hub with schemathesis, in process: the app behind a tiny WSGI adapter, and a
seeded world in moto whose users hold every role.

- `ChaliceWSGI`: WSGI over Chalice's test client (`in_process`, tests/http.py), so that
  schemathesis's own WSGI transport sends each case (serialising bodies, queries and headers
  as a client would) and the request goes through Chalice's local API Gateway emulation,
  middleware included.
- `load_schema()`: the document the app serves at /v1/openapi.json, loaded by schemathesis.
- `build_world()`: made through the API by its users (tests/http.py's `Api`): an
  association where users hold each role, partners, consultations (open,
  draft, closed and finalised) with vote, secret vote, poll and petition debates, ballots and
  receipts, comments, a flag, a block, a pending join request, an invitation, a pending
  partnership; `World` keeps what is worth sending (ids by path parameter, body values,
  cursors of real listings) and a snapshot of the table, put back whenever a request may
  have changed it, so that every request meets the same world (and a failure replays alone).
- `SENT`: what the fuzzer sent and what came back, summed up at the end of the session.
"""

from __future__ import annotations

import copy
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import schemathesis
from chalice import Chalice
from chalice.test import Client
from schemathesis.specs.openapi.schemas import OpenApiSchema

from chalicelib.domain import clock
from local.devtoken import make_token
from tests.http import Api, in_process

# Who calls: a member of each role of the seeded association, a signed-in user who belongs
# to none of its groups, and nobody (no Authorization header).
CALLERS = ("admin", "moderator", "author", "participant", "observer", "outsider", "anonymous")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class ChaliceWSGI:
    """A WSGI application that hands each request to Chalice's local gateway, as it is: the
    raw path (percent-encoding kept, as a client sends it), the query string, the headers
    and the body; it answers Chalice's status, headers and body."""

    def __init__(self, app: Chalice):
        self.send = in_process(Client(app))

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # Werkzeug's RAW_URI keeps the path as sent (PATH_INFO is decoded); the query string
        # comes apart.
        path = _from_wsgi_text(environ["RAW_URI"]).partition("?")[0]
        if environ.get("QUERY_STRING"):
            path += "?" + _from_wsgi_text(environ["QUERY_STRING"])
        answer = self.send(environ["REQUEST_METHOD"], path, headers, body)
        raw = answer.body
        headers = dict(answer.headers)
        if raw and "content-type" not in answer.headers:
            # API Gateway (and `chalice local`) answer application/json when the function
            # names no type; Chalice's test client leaves the header out.
            headers["Content-Type"] = "application/json"
        status = HTTPStatus(answer.status_code)
        start_response(f"{status.value} {status.phrase}", list(headers.items()))
        return [raw]


def _from_wsgi_text(text: str) -> str:
    """WSGI carries bytes as latin-1 text (PEP 3333); the path is UTF-8 underneath."""
    return text.encode("latin-1").decode("utf-8", "replace")


def load_schema(app: Chalice) -> OpenApiSchema:
    """The document the app serves, for schemathesis, sending every case to `app`.

    Two changes to the copy fuzzed here, neither about what the API promises:
    - the document names its server `..`, relative to where it is served (/v1/openapi.json),
      i.e. the origin; schemathesis 4 takes a relative server URL as a path prefix instead of
      resolving it, so the copy names `/` (the paths already start with /v1);
    - the security requirements go: the callers' tokens are the harness's (valid tokens of
      the world's users, or none), and schemathesis would otherwise make up bearer tokens,
      and in negative mode strip the Authorization header we set."""
    wsgi = ChaliceWSGI(app)
    document = Api(wsgi.send, None).get("/v1/openapi.json", expect=200).data
    document["servers"] = [{"url": "/"}]
    document.pop("security", None)
    document["components"].pop("securitySchemes", None)
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = wsgi
    # schemathesis 4 would also draw literals harvested from the Python modules loaded in the
    # process, which depend on what else pytest collected: the same seed would then draw other
    # cases under `make test` than under `pytest tests/fuzz`.
    schema.config.analysis.constants.enabled = False
    return schema


# ---------------------------------------------------------------- the seeded world


@dataclass
class World:
    """The seeded world: tokens by caller, values worth sending by where they go, and the
    table as it stood once built (restored whenever a request may have changed it)."""

    tokens: dict[str, str | None]
    # By path parameter (`group_id`), or by the segment it follows when that narrows it down
    # (`join-requests/{user_id}`: who has asked to join).
    ids: dict[str, list[str]]
    body_values: dict[str, list[Any]]  # by body field: parent_id, choices, closes_at...
    # Whole bodies the API takes, by operation, where the documented schema leaves so much
    # open (fields that exclude each other) that generated bodies are hardly ever taken.
    bodies: dict[str, list[dict[str, Any]]]
    cursors: dict[str, list[str]]  # the `next` of real listings, by operation
    changed: bool = False  # whether the table may differ from the snapshot
    _snapshot: Any = field(default=None, repr=False)

    def ids_for(self, path: str, name: str) -> tuple[list[str], list[str]]:
        """(the ids fitting this parameter of this path, every id of its kind)."""
        kind = self.ids.get(name, [])
        before = re.search(rf"([^/]+)/{{{name}}}", path)
        fitting = self.ids.get(f"{before.group(1)}/{{{name}}}") if before else None
        return fitting or kind, kind

    def every_id(self) -> list[str]:
        # In the order the world lists them: ids are random, their sorted order is not stable.
        return list(dict.fromkeys(value for values in self.ids.values() for value in values))

    def take_snapshot(self) -> None:
        self._snapshot = copy.deepcopy(_moto_table().items)

    def restore_if_changed(self) -> None:
        if not self.changed:
            return
        table = _moto_table()
        table.items = copy.deepcopy(self._snapshot)
        if table.stream_shard is not None:
            table.stream_shard.items.clear()  # nobody reads it while fuzzing; keep memory flat
        self.changed = False


def _moto_table() -> Any:
    """moto's in-memory table (moto itself deep-copies `items` for backups and restores)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
    return backend.tables[os.environ["HUB_TABLE"]]


def _token(sub: str) -> str:
    """A dev token that outlives the longest fuzzing run (a day)."""
    return make_token(sub, name=sub.title(), ttl=24 * 3600)


def build_world(client: Client) -> World:
    """Everything a generated request may meet, made through the API as users would."""
    from chalicelib.jobs.count_ballots import handler as count_ballots
    from chalicelib.services import closer, closing
    from local.stream import StreamReader

    send = in_process(client)
    people = {sub: Api(send, sub, token=_token(sub)) for sub in [*CALLERS[:-1], *EXTRAS]}
    admin, author, participant, outsider, voter, paula = (
        people[sub] for sub in ("admin", "author", "participant", "outsider", "voter", "paula")
    )

    # Les Amis du Parc: a member of each role (by invitation), one asking to join, a code.
    park_body = {"name": "Les Amis du Parc", "join_policy": "request"}
    park = admin.post("/v1/groups", park_body, expect=201).data["id"]
    roles = {role: role for role in ("moderator", "author", "participant", "observer")}
    for sub, role in {**roles, "voter": "participant"}.items():
        code = admin.post(f"/v1/groups/{park}/invitations", {"role": role}, expect=201).data["code"]
        people[sub].post(f"/v1/invitations/{code}/accept", expect=201)
    people["asker"].post(f"/v1/groups/{park}/join", expect=202)
    invitation = {"role": "participant", "max_uses": 5}
    code = admin.post(f"/v1/groups/{park}/invitations", invitation, expect=201).data["code"]

    fetes_body = {"name": "Comité des fêtes", "join_policy": "open"}
    fetes = paula.post("/v1/groups", fetes_body, expect=201).data["id"]
    jardins_body = {"name": "Jardins partagés", "listed": False}
    jardins = people["quentin"].post("/v1/groups", jardins_body, expect=201).data["id"]

    # The park's members consultation (a vote, a secret vote, a poll), open, with a partner
    # and a grant; a draft beside it.
    members = _consultation(author, park, "Budget participatif", "members")
    vote = _debate(author, members, {"type": "vote", "results_visibility": "live", "quorum": 2})
    secret = _debate(author, members, {"type": "vote", "secret": True})
    poll = _debate(author, members, {"type": "poll", "options": POLL, "max_choices": 2})
    author.post(f"/v1/consultations/{members}/publish", expect=200)
    admin.post(f"/v1/consultations/{members}/partners", {"group_id": fetes}, expect=201)
    paula.post(f"/v1/consultations/{members}/partners/{fetes}/accept", expect=201)
    grant = {"role": "participant"}
    admin.put(f"/v1/consultations/{members}/grants/dora", grant, expect=201)
    draft = _consultation(author, park, "Fête de quartier", "members")
    _debate(author, draft, {"type": "none"})

    # The partner's public consultation: a vote, a poll and a petition, open to anyone signed
    # in; the park is asked in as a partner and has not answered yet.
    public = _consultation(paula, fetes, "Fête de la musique", "public", "signed_in")
    public_vote = _debate(paula, public, {"type": "vote"})
    public_poll = _debate(paula, public, {"type": "poll", "options": POLL[:2]})
    petition = _debate(paula, public, {"type": "petition", "goal": 10})
    paula.post(f"/v1/consultations/{public}/publish", expect=200)
    paula.post(f"/v1/consultations/{public}/partners", {"group_id": park}, expect=201)
    fair = _consultation(paula, fetes, "Vide-grenier", "public", "signed_in")
    _debate(paula, fair, {"type": "none"})
    paula.post(f"/v1/consultations/{fair}/publish", expect=200)

    participant.put(f"/v1/debates/{vote}/ballot", {"choice": "yes"}, expect=201)
    voter.put(f"/v1/debates/{vote}/ballot", {"choice": "no"}, expect=201)
    cast = participant.put(f"/v1/debates/{secret}/ballot", {"choice": "yes"}, expect=201).data
    voter.put(f"/v1/debates/{poll}/ballot", {"choices": ["o1", "o3"]}, expect=201)
    outsider.put(f"/v1/debates/{public_poll}/ballot", {"choices": ["o2"]}, expect=201)
    outsider.put(f"/v1/debates/{petition}/ballot", {"sign": True}, expect=201)

    # Last year's assembly: a secret vote, closed early and finalised; its board is open.
    assembly = _consultation(author, park, "Assemblée 2025", "members")
    board = _debate(author, assembly, {"type": "vote", "secret": True})
    author.post(f"/v1/consultations/{assembly}/publish", expect=200)
    counted = participant.put(f"/v1/debates/{board}/ballot", {"choice": "no"}, expect=201).data
    voter.put(f"/v1/debates/{board}/ballot", {"choice": "yes"}, expect=201)
    admin.post(f"/v1/consultations/{assembly}/close", {"reason": "Quorum atteint"}, expect=200)
    closer.close_due_consultations(clock.now() + closing.grace())

    thread = f"/v1/debates/{vote}/comments"
    argument = participant.post(thread, {"body": "Des bancs", "stance": "pro"}, expect=201).data
    reply_body = {"body": "Une fontaine ?", "parent_id": argument["id"]}
    reply = voter.post(thread, reply_body, expect=201).data
    flagged = voter.post(thread, {"body": "Hors sujet", "stance": "con"}, expect=201).data
    voter.put(f"/v1/comments/{argument['id']}/reaction", expect=201)
    flag = {"reason": "spam"}
    participant.post(f"/v1/comments/{flagged['id']}/flags", flag, expect=201)
    public_thread = f"/v1/debates/{public_vote}/comments"
    public_comment = outsider.post(public_thread, {"body": "Du jazz"}, expect=201).data
    block = {"reason": "Insultes"}
    people["moderator"].put(f"/v1/groups/{park}/blocks/quentin", block, expect=200)
    StreamReader(os.environ["HUB_TABLE"]).drain(count_ballots)  # the running tallies

    # A page of each kind of listing, for its `next`: cursors to send back, and to tamper with.
    listings = [
        (outsider, "GET /v1/groups", "/v1/groups?limit=1"),
        (outsider, "GET /v1/consultations", "/v1/consultations?scope=public&limit=1"),
        (admin, "GET /v1/groups/{group_id}/members", f"/v1/groups/{park}/members?limit=1"),
        (admin, "GET /v1/groups/{group_id}/audit", f"/v1/groups/{park}/audit?limit=1"),
        (participant, "GET /v1/debates/{debate_id}/comments", f"{thread}?limit=1"),
        (participant, "GET /v1/debates/{debate_id}/comments", f"{thread}?sort=top&limit=1"),
    ]
    cursors: dict[str, list[str]] = {}
    for person, label, path in listings:
        cursor = person.get(path, expect=200).data["next"]
        assert cursor, f"{path} has a single page"
        cursors.setdefault(label, []).append(cursor)

    soon, later = (clock.to_iso(clock.now() + timedelta(days=days)) for days in (1, 30))
    members_of_park = ["admin", "moderator", "author", "participant", "observer", "voter"]
    world = World(
        tokens={caller: _token(caller) if caller != "anonymous" else None for caller in CALLERS},
        ids={
            # Most of the world lives in the park: it weighs three.
            "group_id": [park, park, park, fetes, jardins],
            "partners/{group_id}": [fetes, park],
            "consultation_id": [members, public, draft, assembly],
            "debate_id": [vote, secret, poll, public_vote, public_poll, petition, board],
            "comment_id": [argument["id"], reply["id"], flagged["id"], public_comment["id"]],
            "user_id": [*CALLERS[:-1], *EXTRAS],
            "members/{user_id}": members_of_park,
            "join-requests/{user_id}": ["asker"],
            "grants/{user_id}": ["dora", "outsider"],
            "blocks/{user_id}": ["quentin", "voter"],
            "code": [code],
            "receipt": [cast["receipt"], counted["receipt"]],
        },
        body_values={
            "group_id": [park, fetes, jardins],
            "parent_id": [argument["id"], reply["id"], public_comment["id"]],
            "choice": ["yes", "no", "abstain"],
            "choices": [["o1"], ["o2", "o3"], ["o1", "o2", "o3"], ["o3", "o3"]],
            "receipt": [cast["receipt"], counted["receipt"]],
            "closes_at": [soon, later, *EDGE_MOMENTS],
            "opens_at": [soon, *EDGE_MOMENTS],
            "until": [later, *EDGE_MOMENTS],
            "audience": [None, ["participant", "author"]],
        },
        bodies={
            "PUT /v1/debates/{debate_id}/ballot": [
                {"choice": "yes"},
                {"choices": ["o1", "o2"]},
                {"sign": True},
            ],
            "POST /v1/groups/{group_id}/consultations": [
                {"title": "Vide-grenier", "visibility": "members", "closes_at": later},
                {"title": "Fête", "visibility": "public", "closes_at": later, "opens_at": soon},
            ],
            "PATCH /v1/consultations/{consultation_id}": [
                {"description": "Trois décisions pour le parc"},
                {"title": "Budget 2027", "closes_at": later},
            ],
            "PATCH /v1/debates/{debate_id}": [{"body": "Des bancs le long de l'allée"}],
            "PATCH /v1/groups/{group_id}": [{"description": "Le parc, ses bancs et sa fête"}],
        },
        cursors=cursors,
    )
    world.take_snapshot()
    return world


# Moments at the ends of what Python represents, whose offset takes them past it in UTC;
# a leap second; lower-case separators (RFC 3339 allows them).
EDGE_MOMENTS = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59.999999Z",
    "2030-06-30T23:59:60Z",
    "2030-01-01t00:00:00z",
]

# Users who are no caller: a second voter, one asking to join, the partner's founder, the
# founder of an unlisted group (blocked in the park), a neighbour let in by a grant.
EXTRAS = ("voter", "asker", "paula", "quentin", "dora")
POLL = ["Mardi", "Jeudi", "Samedi"]


def _consultation(
    author: Api, group_id: str, title: str, visibility: str, participation: str | None = None
) -> str:
    closes_at = clock.to_iso(clock.now() + timedelta(days=7))
    body = {"title": title, "visibility": visibility, "closes_at": closes_at}
    if participation:
        body["participation"] = participation
    return author.post(f"/v1/groups/{group_id}/consultations", body, expect=201).data["id"]


def _debate(author: Api, consultation_id: str, function: dict[str, Any]) -> str:
    body = {"title": f"Débat : {function['type']}", "function": function}
    path = f"/v1/consultations/{consultation_id}/debates"
    return author.post(path, body, expect=201).data["id"]


# ---------------------------------------------------------------- what was sent


@dataclass
class Sent:
    """What the fuzzer sent: generated cases, and requests by (operation, caller, generation
    mode, status answered)."""

    cases: int = 0
    requests: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)
    started: float | None = None

    def generated(self) -> None:
        if self.started is None:
            self.started = time.perf_counter()
        self.cases += 1

    def record(self, label: str, caller: str, mode: str, status: int) -> None:
        self.requests[label, caller, mode, status] += 1

    def count(self, label: str) -> int:
        return sum(n for (operation, *_), n in self.requests.items() if operation == label)

    def summary(self) -> str:
        total = sum(self.requests.values())
        if not total:
            return ""
        by = Counter[str]()
        statuses = Counter[int]()
        reached: set[str] = set()
        for (label, _, mode, status), n in self.requests.items():
            by[mode] += n
            statuses[status] += n
            if status < 300:
                reached.add(label)
        operations = {label for label, *_ in self.requests}
        elapsed = time.perf_counter() - (self.started or time.perf_counter())
        lines = [
            f"{self.cases} cases over {len(operations)} operations, each sent by "
            f"{len(CALLERS)} callers: {total} requests in {elapsed:.1f} s "
            f"({', '.join(f'{mode} {n}' for mode, n in sorted(by.items()))}); "
            f"{len(reached)} operations answered 2xx at least once",
            "statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())),
        ]
        unreached = sorted(operations - reached)
        if unreached:
            lines.append(f"never answered 2xx ({len(unreached)}): " + "; ".join(unreached))
        return "\n".join(lines)


SENT = Sent()
