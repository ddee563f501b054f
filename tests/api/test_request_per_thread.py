"""Chalice keeps the request being answered on the app object. `chalice local` answers
each request on a thread of its own (and Chalice's test client on the caller's thread): a
request must never be answered with another's headers, its caller above all."""

from __future__ import annotations

import threading

from chalicelib.api import http


def test_a_request_answered_while_another_is_under_way_keeps_its_own_caller(as_user, monkeypatch):
    alice, bob = as_user("alice", name="Alice"), as_user("bob", name="Bob")
    entered, go = threading.Event(), threading.Event()
    real = http.decoded_path

    def hold_the_first(params):
        if not entered.is_set():  # alice's request, held before it reads its request
            entered.set()
            assert go.wait(10)
        return real(params)

    monkeypatch.setattr(http, "decoded_path", hold_the_first)
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault("alice", alice.get("/v1/me")))
    first.start()
    assert entered.wait(10)
    answers["bob"] = bob.get("/v1/me")  # answered whole while alice's waits
    go.set()
    first.join(10)
    assert answers["bob"].data["id"] == "bob"
    assert answers["alice"].data["id"] == "alice"
