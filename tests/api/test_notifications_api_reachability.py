"""GET /v1/me records how the notifier reaches the caller (their token's email, whether it
is verified, their language: the one they chose, else the request's) in `USER#u` /
`NOTIFY`, read in the BatchGetItem /v1/me makes anyway, written only when it changed."""

from __future__ import annotations

from bench.meter import metering
from chalicelib.store import inbox


def test_the_first_visit_records_reachability_and_the_next_costs_nothing_more(as_user):
    alice = as_user("alice", email="alice@example.org", verified=True)
    with metering() as meter:
        alice.get("/v1/me", headers={"accept-language": "fr-FR,fr;q=0.9"}, expect=200)
    assert meter.calls == {"Query": 1, "BatchGetItem": 1, "UpdateItem": 1}
    reach = inbox.read_settings("alice").reachability
    assert (reach.email, reach.email_verified, reach.locale) == ("alice@example.org", True, "fr")
    assert reach.email_address == "alice@example.org"
    with metering() as meter:
        alice.get("/v1/me", headers={"accept-language": "fr"}, expect=200)
    assert meter.calls == {"Query": 1, "BatchGetItem": 1}
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert prefs["email"] == {"address": "alice@example.org", "verified": True}
    assert prefs["locale"] == "fr"


def test_a_change_of_token_or_language_is_recorded_once(as_user):
    as_user("bob", email="bob@example.org", verified=False).get("/v1/me", expect=200)
    assert inbox.read_settings("bob").reachability.email_address is None
    bob = as_user("bob", email="bob@example.org", verified=True)
    with metering() as meter:
        bob.get("/v1/me", headers={"accept-language": "en"}, expect=200)
    assert meter.calls.get("UpdateItem") == 1
    reach = inbox.read_settings("bob").reachability
    assert (reach.email_address, reach.locale) == ("bob@example.org", "en")


def test_the_chosen_language_wins_over_the_browsers(as_user):
    carol = as_user("carol", email="carol@example.org", verified=True)
    carol.patch("/v1/me", {"locale": "fr"}, expect=200)
    carol.get("/v1/me", headers={"accept-language": "en"}, expect=200)
    assert inbox.read_settings("carol").reachability.locale == "fr"


def test_recording_keeps_the_choices_and_the_watermark(as_user):
    dave = as_user("dave", email="dave@example.org", verified=True)
    dave.patch("/v1/me/preferences", {"kinds": {"reply": "never"}}, expect=200)
    dave.post("/v1/me/notifications/read", {"all": True}, expect=200)
    dave.get("/v1/me", headers={"accept-language": "en"}, expect=200)
    assert dave.get("/v1/me/preferences", expect=200).data["kinds"]["reply"] == "never"
    settings = inbox.read_settings("dave")
    assert settings.reachability.email == "dave@example.org"


def test_nobody_records_another_persons_reachability(as_user):
    as_user("mallory", email="alice@example.org", verified=True).get("/v1/me", expect=200)
    assert inbox.read_settings("alice").reachability.email is None
