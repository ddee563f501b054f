"""An answer to a signed-in request is that person's alone: no cache may keep it."""

from __future__ import annotations

from tests.api.helpers import create_group


def test_what_a_signed_in_person_is_answered_is_never_cached(as_user):
    alice = as_user("alice", name="Alice")
    group_id = create_group(alice, "Les Amis du Parc")
    answers = {
        "GET /v1/me": alice.get("/v1/me"),
        "GET members": alice.get(f"/v1/groups/{group_id}/members"),
        "POST groups": alice.post("/v1/groups", {"name": "Jardins"}),
        "a refusal": alice.get("/v1/groups/nowhere00000"),
        "an unknown path": alice.get("/v1/nowhere"),
    }
    for what, answer in answers.items():
        assert answer.headers.get("Cache-Control") == "no-store", what


def test_public_answers_to_anyone_say_nothing_of_caching(as_user):
    """What anyone is answered the same may be cached by whoever wants (the route decides:
    the reference page says for how long)."""
    anyone = as_user(None)
    assert "Cache-Control" not in anyone.get("/v1/groups").headers
    assert anyone.get("/v1/docs").headers["Cache-Control"] == "public, max-age=300"
