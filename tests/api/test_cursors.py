"""Pagination cursors are opaque and bound to the listing that issued them: for every paged
route of the OpenAPI document, `next` walks every page; a cursor changed, cut, made up, in
the old readable format, or issued by another listing (another group's members, another
consultation's debates, the same debate in another order) answers 400 `invalid_cursor`;
and no cursor, decoded, shows a key, a name or an id."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.api import contract
from chalicelib.store.cursors import MAX_CURSOR_CHARS
from tests.api import conformance
from tests.api.helpers import moment
from tests.http import Api, in_process

GROUP_NAMES = ("Les Amis du Parc", "Comité des fêtes")
QUIET_GROUP = "Jardins partagés"  # listed in the directory, with nothing else in it
MEMBERS = ("bernadette-dupont", "camille-martin", "dominique-petit")
ASKERS = ("etienne-asks-to-join", "fatima-asks-to-join", "gaspard-asks-to-join")
GRANTED = ("hugo-granted", "ines-granted", "jules-granted")
STANCES = ("pro", "con", "pro", "pro")  # three "pro": pages of a filtered listing
PAGE = 1  # one item per page: the most pages, the most cursors


@dataclass(frozen=True)
class World:
    alice: Api  # admin of every group, author of every consultation
    groups: list[str]
    consultations: list[str]  # each group's first consultation: debates and grants
    debates: list[str]  # each such consultation's first debate: comments
    comments: list[str]  # each such debate's first comment: replies
    secrets: list[str]  # every name and id the cursors must not show


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        with Client(app) as client:
            send = in_process(client)

            def user(sub: str) -> Api:
                return Api(send, sub, check=conformance.check, name=sub.title())

            yield build(user)


def build(user: Any) -> World:
    """Two of everything a paged route lists, three items in each listing or more."""
    alice = user("alice-admin")
    groups, consultations, debates, comments = [], [], [], []
    hosting: dict[str, list[str]] = {}
    secrets = [*GROUP_NAMES, QUIET_GROUP, *MEMBERS, *ASKERS, *GRANTED, "alice-admin"]
    quiet = alice.post("/v1/groups", {"name": QUIET_GROUP}, expect=201).data["id"]
    secrets.append(quiet)
    for name in GROUP_NAMES:
        body = {"name": name, "join_policy": "request"}
        group = alice.post("/v1/groups", body, expect=201).data["id"]
        groups.append(group)
        for sub in MEMBERS:
            invited = {"role": "participant"}
            code = alice.post(f"/v1/groups/{group}/invitations", invited, expect=201).data["code"]
            user(sub).post(f"/v1/invitations/{code}/accept", expect=201)
            secrets.append(code)
        for sub in ASKERS:
            user(sub).post(f"/v1/groups/{group}/join", expect=202)
        hosted = []
        for title in ("Budget participatif", "Fête de la musique", "Vide-grenier"):
            public = {"title": title, "visibility": "public", "closes_at": moment(timedelta(7))}
            public["proxies"] = {"allowed": True, "max_per_holder": 3}
            created = alice.post(f"/v1/groups/{group}/consultations", public, expect=201)
            hosted.append(created.data["id"])
        hosting[group] = hosted
        consultation = hosted[0]
        its_debates = [
            alice.post(
                f"/v1/consultations/{consultation}/debates", {"title": title, "body": ""}
            ).data["id"]
            for title in ("Des bancs", "Une fontaine", "Des arbres")
        ]
        for each in hosted:
            alice.post(f"/v1/consultations/{each}/publish", expect=200)
        for sub in MEMBERS:  # each gives alice their proxy: she holds three per group
            given = {"holder": "alice-admin"}
            user(sub).put(f"/v1/consultations/{consultation}/proxy", given, expect=201)
        for sub in GRANTED:
            grant = {"role": "participant"}
            alice.put(f"/v1/consultations/{consultation}/grants/{sub}", grant, expect=201)
        thread = f"/v1/debates/{its_debates[0]}/comments"
        said = [
            user(sub).post(thread, {"body": f"Avis {n}", "stance": stance}, expect=201).data["id"]
            for n, (sub, stance) in enumerate(zip(MEMBERS * 2, STANCES, strict=False))
        ]
        replies = [
            user(sub).post(thread, {"body": "Oui", "parent_id": said[0]}, expect=201).data["id"]
            for sub in MEMBERS
        ]
        for reply in replies:  # into the moderation queue
            alice.post(f"/v1/comments/{reply}/hide", {"reason": "Hors sujet"}, expect=200)
        consultations.append(consultation)
        debates.append(its_debates[0])
        comments.append(said[0])
        secrets += [group, *hosted, *its_debates, *said, *replies]
    for group in groups:  # each asked to share the others' consultations: invitations waiting
        for other in groups:
            for hosted in hosting[other] if other != group else []:
                asked = {"group_id": group}
                alice.post(f"/v1/consultations/{hosted}/partners", asked, expect=201)
    deliver_notifications("alice-admin", groups[0])
    return World(alice, groups, consultations, debates, comments, secrets)


def deliver_notifications(user_id: str, group_id: str) -> None:
    """Three notifications, as the pipeline writes them (tests/api/test_notifications_api)."""
    from tests.api.test_notifications_api import deliver

    deliver(user_id, 3, group_id=group_id)


def listings(world: World) -> dict[str, list[str]]:
    """The paths of every listing the world holds, by route: two of each where the route
    lists something's (two groups, two consultations...), in every order and filter."""
    comment_orders = [
        f"sort={sort}{stance}" for sort in ("new", "old", "top") for stance in ("", "&stance=pro")
    ]
    return {
        "/v1/groups": ["/v1/groups"],
        "/v1/consultations": ["/v1/consultations?scope=public"],
        **{
            f"/v1/groups/{{group_id}}/{what}": [f"/v1/groups/{g}/{what}" for g in world.groups]
            for what in GROUP_LISTINGS
        },
        **{
            f"/v1/consultations/{{consultation_id}}/{what}": [
                f"/v1/consultations/{c}/{what}" for c in world.consultations
            ]
            for what in ("debates", "grants")
        },
        "/v1/debates/{debate_id}/comments": [
            f"/v1/debates/{d}/comments?{order}" for d in world.debates for order in comment_orders
        ],
        "/v1/comments/{comment_id}/replies": [f"/v1/comments/{c}/replies" for c in world.comments],
        "/v1/me/notifications": ["/v1/me/notifications", "/v1/me/notifications?unread=true"],
        "/v1/me/proxies": [
            "/v1/me/proxies",
            *(f"/v1/me/proxies?consultation_id={c}" for c in world.consultations),
        ],
    }


GROUP_LISTINGS = (
    "members",
    "join-requests",
    "invitations",
    "audit",
    "consultations",
    "moderation",
    "partner-invitations",
)


def paged_routes() -> list[str]:
    """Every GET of the OpenAPI document that takes a `cursor`."""
    import app  # noqa: F401  -- registers every route

    return sorted(
        path
        for path, methods in contract.document()["paths"].items()
        for method, operation in methods.items()
        if method == "get" and any(p["name"] == "cursor" for p in operation.get("parameters", []))
    )


def with_query(path: str, **query: Any) -> str:
    extra = "&".join(f"{name}={quote(str(value), safe='')}" for name, value in query.items())
    return f"{path}{'&' if '?' in path else '?'}{extra}"


def walk(alice: Api, path: str) -> tuple[list[Any], list[str]]:
    """Every item of a listing, page after page, and the cursors that led there."""
    items, cursors, cursor = [], [], None
    while True:
        query = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
        page = alice.get(with_query(path, **query), expect=200).data
        assert len(page["items"]) <= PAGE
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items, cursors
        cursors.append(cursor)
        assert len(cursors) < 50, f"{path} never ends"


def first_cursor(alice: Api, path: str) -> str:
    cursor = alice.get(with_query(path, limit=PAGE), expect=200).data["next"]
    assert cursor, f"{path} has one page only"
    return cursor


def refused(answer: Any) -> bool:
    return answer.status_code == 400 and answer.data["error"]["code"] == "invalid_cursor"


def raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def unpadded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# ---------------------------------------------------------------- every paged route


def test_the_world_has_a_listing_for_every_paged_route(world):
    routes = paged_routes()
    assert len(routes) >= 12  # the walk reached the API, not an empty document
    assert sorted(listings(world)) == routes  # a new paged route needs its listings here


@pytest.mark.parametrize("route", paged_routes())
def test_cursors_walk_every_page_and_show_no_key_name_or_id(world, route):
    shown = [
        re.escape(secret.encode())
        for secret in [*world.secrets, "GROUP#", "MEMBER#", "DEBATE#", "EVENT#", "CONSULT#"]
    ]
    for path in listings(world)[route]:
        everything = world.alice.get(with_query(path, limit=100), expect=200).data
        assert everything["next"] is None

        items, cursors = walk(world.alice, path)

        assert items == everything["items"], path
        assert len(cursors) >= 2, path  # three items or more: pages after pages
        assert len(set(cursors)) == len(cursors)
        for cursor in cursors:
            for decoded in (raw(cursor), cursor.encode()):
                found = [s for s in shown if re.search(s, decoded, re.IGNORECASE)]
                assert not found, (path, cursor, found)


@pytest.fixture(scope="module")
def first_cursors(world: World) -> dict[str, str]:
    """The first page's `next` of every listing of the world, by path."""
    paths = [path for paths in listings(world).values() for path in paths]
    return {path: first_cursor(world.alice, path) for path in paths}


@pytest.mark.parametrize("route", paged_routes())
def test_a_cursor_from_any_other_listing_is_refused(world, first_cursors, route):
    """Another group's, another consultation's, another debate's, another order or filter of
    the same debate's comments, or another route's altogether."""
    for path in listings(world)[route]:
        for other, cursor in first_cursors.items():
            if other == path:
                continue
            answer = world.alice.get(with_query(path, cursor=cursor))
            assert refused(answer), (path, other, answer.status_code, answer.data)


def tamperings(cursor: str, group_id: str) -> dict[str, str]:
    data = raw(cursor)
    flipped = {
        f"bit flipped at byte {at}": unpadded(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
        for at in (0, 11, 12, len(data) // 2, len(data) - 1)
    }
    old_format = {"pk": f"GROUP#{group_id}", "sk": "MEMBER#bernadette-dupont"}
    old_index = {**old_format, "gsi1pk": "GROUPS", "gsi1sk": "LES AMIS DU PARC#x"}
    return {
        **flipped,
        "a character changed": cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:],
        "cut by one character": cursor[:-1],
        "cut by a byte": unpadded(data[:-1]),
        "cut to the nonce": unpadded(data[:12]),
        "a byte added": unpadded(data + b"\0"),
        "twice": cursor + cursor,
        "the old readable format": unpadded(json.dumps(old_format).encode()),
        "the old format of an index": unpadded(json.dumps(old_index).encode()),
        "garbage": "%%%not-base64",
        "a word": "hello",
        "one character": "A",
        "zeros": unpadded(bytes(64)),
        "non-ascii": "é²",
        "huge": "A" * (MAX_CURSOR_CHARS + 4),
        "huge, valid base64": unpadded(data * (MAX_CURSOR_CHARS // len(data) + 1)),
    }


@pytest.mark.parametrize("route", paged_routes())
def test_a_tampered_or_made_up_cursor_is_refused(world, first_cursors, route):
    for path in listings(world)[route]:
        cursor = first_cursors[path]
        for how, tampered in tamperings(cursor, world.groups[0]).items():
            answer = world.alice.get(with_query(path, cursor=tampered))
            assert refused(answer), (path, how, answer.status_code, answer.data)
