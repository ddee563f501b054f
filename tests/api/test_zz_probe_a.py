"""Hostile probes (scratch; deleted after)."""
from __future__ import annotations
import json, os
from datetime import timedelta
import pytest
from tests.http import Api, in_process
from tests.api.helpers import create_group, create_consultation, publish, add_member, moment, travel


@pytest.fixture
def raw(client):
    send = in_process(client)
    def act(sub, **claims):
        return Api(send, sub, **claims)  # no conformance check
    return act


def show(label, r):
    print(f"\n### {label}: {r.status_code} {dict(r.headers)} {r.body[:400]!r}")


def test_lone_surrogate_join(raw):
    admin = raw("adm", name="Adm")
    gid = create_group(admin, "Open", join_policy="open")
    bob = raw("bob", name="Bob")
    r = bob.post(f"/v1/groups/{gid}/join", '"\\ud800"', headers={"Idempotency-Key": "k1"})
    show("join lone surrogate body with key", r)
    r = bob.post(f"/v1/groups/{gid}/join", None, headers={"Idempotency-Key": "k1"})
    show("join again no body same key", r)


def test_lone_surrogate_body_route(raw):
    admin = raw("adm", name="Adm")
    r = admin.post("/v1/groups", '{"name": "x", "description": "a\\ud800b"}', headers={"Idempotency-Key": "k2"})
    show("groups lone surrogate in description with key", r)
    r = admin.post("/v1/groups", '{"name": "x\\udc00"}', headers={"Idempotency-Key": "k3"})
    show("groups lone surrogate in name with key", r)
    r = admin.post("/v1/groups", '{"name": "x", "description": "a\\ud800b"}')
    show("groups lone surrogate no key", r)


def test_deep_nesting_no_body_route(raw):
    admin = raw("adm", name="Adm")
    gid = create_group(admin, "Open", join_policy="open")
    bob = raw("bob", name="Bob")
    for depth in (500, 900, 990, 5000, 100000):
        r = bob.post(f"/v1/groups/{gid}/join", "[" * depth + "]" * depth, headers={"Idempotency-Key": f"d{depth}"})
        show(f"join nested {depth}", r)


def test_empty_vs_braces(raw):
    admin = raw("adm", name="Adm")
    gid = create_group(admin, "Open", join_policy="open")
    bob = raw("bob", name="Bob")
    r = bob.post(f"/v1/groups/{gid}/join", None, headers={"Idempotency-Key": "e1"})
    show("join no body", r)
    r = bob.post(f"/v1/groups/{gid}/join", "{}", headers={"Idempotency-Key": "e1"})
    show("join {} same key", r)
    r = admin.post(f"/v1/groups/{gid}/invitations", None, headers={"Idempotency-Key": "e2"})
    show("invite no body", r)
    r = admin.post(f"/v1/groups/{gid}/invitations", "{}", headers={"Idempotency-Key": "e2"})
    show("invite {} same key", r)
    r = admin.post(f"/v1/groups/{gid}/invitations", '{"max_uses": 1}', headers={"Idempotency-Key": "e3"})
    show("invite max_uses 1", r)
    r = admin.post(f"/v1/groups/{gid}/invitations", '{"max_uses": 1.0}', headers={"Idempotency-Key": "e3"})
    show("invite max_uses 1.0 same key", r)


def test_replay_headers_and_lang(raw):
    admin = raw("adm", name="Adm")
    r1 = admin.post("/v1/groups", {"name": "G"}, headers={"Idempotency-Key": "h1", "Accept-Language": "en", "Origin": "http://127.0.0.1:8000"})
    show("first", r1)
    r2 = admin.post("/v1/groups", {"name": "G"}, headers={"Idempotency-Key": "h1", "Accept-Language": "fr"})
    show("replay", r2)
    # after renaming
    gid = r1.data["id"]
    admin.patch(f"/v1/groups/{gid}", {"name": "Renamed"})
    r3 = admin.post("/v1/groups", {"name": "G"}, headers={"Idempotency-Key": "h1"})
    show("replay after rename", r3)


def test_key_then_lose_access(raw):
    """A comment created with a key; the author is then removed from the group. Does the
    replay still answer the (now unreadable) comment?"""
    admin = raw("adm", name="Adm")
    gid = create_group(admin, "G")
    alice = add_member(raw, admin, gid, "alice", "participant")
    c = create_consultation(admin, gid)["id"]
    d = admin.post(f"/v1/consultations/{c}/debates", {"title": "Q"}).data["id"]
    publish(admin, c)
    r = alice.post(f"/v1/debates/{d}/comments", {"body": "hello"}, headers={"Idempotency-Key": "c1"})
    show("comment", r)
    admin.delete(f"/v1/groups/{gid}/members/alice")
    r = alice.post(f"/v1/debates/{d}/comments", {"body": "hello"}, headers={"Idempotency-Key": "c1"})
    show("comment replay after removal", r)
    r = alice.get(f"/v1/debates/{d}")
    show("debate get after removal", r)
