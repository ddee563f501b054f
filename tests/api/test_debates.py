"""Debates over HTTP: each decision function as the API shows it, what is refused, how a
debate follows its consultation's dates, and when it may still change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.domain.ids import new_id
from tests.api.helpers import (
    add_member,
    audit_log,
    create_consultation,
    create_group,
    moment,
    publish,
    travel,
)

DAY = timedelta(days=1)
MS = timedelta(milliseconds=1)
MISSING = object()

VOTE_DEFAULTS = {
    "type": "vote",
    "secret": False,
    "results_visibility": "after_close",
    "allow_change": True,
    "quorum": None,
    "threshold": None,
}
POLL_DEFAULTS = {
    "type": "poll",
    "min_choices": 1,
    "max_choices": 1,
    "secret": False,
    "results_visibility": "after_close",
    "allow_change": True,
    "quorum": None,
}


@pytest.fixture
def host(as_user):
    """Les Amis du Parc, founded by alice (admin)."""
    alice = as_user("alice", name="Alice")
    return create_group(alice, "Les Amis du Parc"), alice


def create_debate(author, consultation_id: str, title: str = "Horaires du parc", **fields):
    response = author.post(
        f"/v1/consultations/{consultation_id}/debates", {"title": title, **fields}
    )
    assert response.status_code == 201, response.data
    return response.data


def set_clock(monkeypatch, iso: str, delta: timedelta = timedelta()) -> None:
    instant = clock.from_iso(iso) + delta
    monkeypatch.setattr(clock, "now", lambda: instant)


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.data["error"]["code"]


def fields_of(response) -> list[str]:
    return [detail["field"] for detail in response.data["error"]["details"]]


def options(*labels: str) -> list[dict[str, str]]:
    return [{"id": f"o{n}", "label": label} for n, label in enumerate(labels, 1)]


# ---------------------------------------------------------------- decision functions


def test_each_decision_function_reads_back_with_its_defaults_filled_in(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    for sent, shown in [
        (MISSING, {"type": "none"}),
        ({"type": "none"}, {"type": "none"}),
        ({"type": "vote"}, VOTE_DEFAULTS),
        (
            {"type": "vote", "secret": True},
            {**VOTE_DEFAULTS, "secret": True, "allow_change": False},
        ),
        (
            {
                "type": "vote",
                "secret": True,
                "allow_change": False,
                "results_visibility": "live",
                "quorum": 50,
                "threshold": 0.66,
            },
            {
                "type": "vote",
                "secret": True,
                "results_visibility": "live",
                "allow_change": False,
                "quorum": 50,
                "threshold": 0.66,
            },
        ),
        ({"type": "vote", "threshold": 1}, {**VOTE_DEFAULTS, "threshold": 1}),
        ({"type": "vote", "allow_change": False}, {**VOTE_DEFAULTS, "allow_change": False}),
        (
            {"type": "poll", "options": [" Samedi ", "Dimanche", "Les deux"]},
            {**POLL_DEFAULTS, "options": options("Samedi", "Dimanche", "Les deux")},
        ),
        (
            {
                "type": "poll",
                "options": ["Bancs", "Fontaine", "Jeux", "Arbres"],
                "min_choices": 2,
                "max_choices": 3,
                "secret": True,
                "results_visibility": "after_vote",
            },
            {
                **POLL_DEFAULTS,
                "options": options("Bancs", "Fontaine", "Jeux", "Arbres"),
                "min_choices": 2,
                "max_choices": 3,
                "secret": True,
                "results_visibility": "after_vote",
                "allow_change": False,
            },
        ),
        (
            {"type": "petition"},
            {"type": "petition", "goal": None, "results_visibility": "live", "allow_change": True},
        ),
        (
            {"type": "petition", "goal": 500, "results_visibility": "after_close"},
            {
                "type": "petition",
                "goal": 500,
                "results_visibility": "after_close",
                "allow_change": True,
            },
        ),
    ]:
        fields = {} if sent is MISSING else {"function": sent}
        debate = create_debate(alice, consultation["id"], **fields)
        assert debate["function"] == shown, sent
        assert alice.get(f"/v1/debates/{debate['id']}").data["function"] == shown, sent


def _poll(**fields):
    return {"type": "poll", "options": ["Oui", "Non", "Peut-être"], **fields}


INVALID_DEBATES = [
    ({"function": _poll(options=["Oui"])}, "function.poll.options"),
    ({"function": _poll(options=[f"Option {n}" for n in range(21)])}, "function.poll.options"),
    ({"function": _poll(options=[])}, "function.poll.options"),
    ({"function": {"type": "poll"}}, "function.poll.options"),
    ({"function": _poll(options=["Oui", "oui"])}, "function.poll.options"),
    ({"function": _poll(options=["Été", " ÉTÉ "])}, "function.poll.options"),
    ({"function": _poll(options=["Oui", ""])}, "function.poll.options.1"),
    ({"function": _poll(min_choices=2, max_choices=1)}, "function.poll.max_choices"),
    ({"function": _poll(max_choices=4)}, "function.poll.max_choices"),
    ({"function": _poll(min_choices=0)}, "function.poll.min_choices"),
    ({"function": _poll(threshold=0.5)}, "function.poll.threshold"),
    ({"function": _poll(secret=True, allow_change=True)}, "function.poll.allow_change"),
    (
        {"function": {"type": "vote", "secret": True, "allow_change": True}},
        "function.vote.allow_change",
    ),
    ({"function": {"type": "vote", "quorum": 0}}, "function.vote.quorum"),
    ({"function": {"type": "vote", "threshold": 0}}, "function.vote.threshold"),
    ({"function": {"type": "vote", "threshold": 1.5}}, "function.vote.threshold"),
    (
        {"function": {"type": "vote", "results_visibility": "never"}},
        "function.vote.results_visibility",
    ),
    ({"function": {"type": "vote", "options": ["Oui", "Non"]}}, "function.vote.options"),
    ({"function": {"type": "petition", "goal": 0}}, "function.petition.goal"),
    ({"function": {"type": "petition", "secret": True}}, "function.petition.secret"),
    ({"function": {"type": "none", "quorum": 3}}, "function.none.quorum"),
    ({"function": {"type": "lottery"}}, "function"),
    ({"function": {}}, "function"),
    ({"title": MISSING}, "title"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"body": "x" * 20_001}, "body"),
    ({"body": 42}, "body"),
    ({"colour": "green"}, "colour"),
]


def test_every_invalid_debate_is_refused_naming_its_field_and_nothing_is_created(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    url = f"/v1/consultations/{consultation['id']}/debates"
    for changes, field in INVALID_DEBATES:
        body = {"title": "Horaires", **changes}
        body = {name: value for name, value in body.items() if value is not MISSING}
        response = alice.post(url, body)
        assert error_of(response) == (422, "validation_failed"), changes
        assert fields_of(response) == [field], changes
    assert alice.get(url).data["items"] == []
    assert "debate_created" not in [e["action"] for e in audit_log(alice, group_id)]


def test_a_poll_cannot_require_more_choices_than_it_has(host):
    group_id, alice = host
    url = f"/v1/consultations/{create_consultation(alice, group_id)['id']}/debates"
    response = alice.post(url, {"title": "Horaires", "function": _poll(min_choices=4)})
    assert response.status_code == 422, response.data
    assert fields_of(response) == ["function.poll.min_choices"]


def test_a_poll_with_only_min_choices_asks_for_exactly_that_many(host):
    group_id, alice = host
    url = f"/v1/consultations/{create_consultation(alice, group_id)['id']}/debates"
    response = alice.post(url, {"title": "Horaires", "function": _poll(min_choices=2)})
    assert response.status_code == 201, response.data
    assert (response.data["function"]["min_choices"], response.data["function"]["max_choices"]) == (
        2,
        2,
    )


def test_a_body_holds_markdown_as_written_up_to_20000_characters(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    markdown = "  # Horaires\n\n- ouverture à **8 h**\n- fermeture à 20 h\n  "
    assert create_debate(alice, consultation["id"], body=markdown)["body"] == markdown
    longest = create_debate(alice, consultation["id"], body="x" * 20_000)
    assert len(alice.get(f"/v1/debates/{longest['id']}").data["body"]) == 20_000
    too_long = alice.patch(f"/v1/debates/{longest['id']}", {"body": "x" * 20_001})
    assert error_of(too_long) == (422, "validation_failed")
    assert fields_of(too_long) == ["body"]


# ---------------------------------------------------------------- reading


def test_debates_list_in_creation_order_page_by_page(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    url = f"/v1/consultations/{consultation['id']}/debates"
    created = [create_debate(alice, consultation["id"], title)["id"] for title in "ABC"]
    first = alice.get(f"{url}?limit=2")
    assert [d["title"] for d in first.data["items"]] == ["A", "B"]
    assert first.data["next"]
    rest = alice.get(f"{url}?limit=2&cursor={first.data['next']}")
    assert [d["title"] for d in rest.data["items"]] == ["C"]
    assert rest.data["next"] is None
    assert [d["id"] for d in first.data["items"] + rest.data["items"]] == created
    unknown = alice.get(f"/v1/consultations/{new_id()}/debates")
    assert error_of(unknown) == (404, "consultation_not_found")


def test_a_debate_follows_its_consultations_status_and_dates(host, monkeypatch):
    group_id, alice = host
    consultation = create_consultation(
        alice, group_id, opens_at=moment(DAY), closes_at=moment(2 * DAY)
    )
    debate = create_debate(alice, consultation["id"])
    url = f"/v1/debates/{debate['id']}"
    dates = (consultation["opens_at"], consultation["closes_at"])

    def seen() -> str:
        shown = alice.get(url).data
        assert (shown["opens_at"], shown["closes_at"]) == dates
        return shown["status"]

    assert (debate["status"], debate["opens_at"], debate["closes_at"]) == ("draft", *dates)
    publish(alice, consultation["id"])
    assert seen() == "scheduled"
    set_clock(monkeypatch, consultation["opens_at"])
    assert seen() == "open"
    set_clock(monkeypatch, consultation["closes_at"], -MS)
    assert seen() == "open"
    set_clock(monkeypatch, consultation["closes_at"])
    assert seen() == "closed"
    listed = alice.get(f"/v1/consultations/{consultation['id']}/debates").data["items"]
    assert [d["status"] for d in listed] == ["closed"]


def test_without_an_opening_date_a_debate_opens_when_its_consultation_is_published(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    debate = create_debate(alice, consultation["id"])
    assert debate["opens_at"] is None
    published = publish(alice, consultation["id"])
    shown = alice.get(f"/v1/debates/{debate['id']}").data
    assert (shown["status"], shown["opens_at"]) == ("open", published["published_at"])


def test_unknown_or_malformed_debate_ids_are_not_found(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    real = create_debate(alice, consultation["id"])["id"]
    for debate_id in [
        "nope",
        consultation["id"],
        consultation["id"] + new_id(),  # well-formed, never issued
        new_id() + new_id(),  # no such consultation either
        consultation["id"] + "ABCDEFGHJKMN",
        "A" * 24,
        real[:-1],
        real + "0",
    ]:
        for response in (
            alice.get(f"/v1/debates/{debate_id}"),
            alice.patch(f"/v1/debates/{debate_id}", {"title": "Autre"}),
        ):
            assert error_of(response) == (404, "debate_not_found"), debate_id
    assert alice.get(f"/v1/debates/{real}").data["title"] == "Horaires du parc"


# ---------------------------------------------------------------- changing


def test_the_function_may_change_in_draft_and_while_scheduled_and_each_change_is_audited(
    host, monkeypatch
):
    group_id, alice = host
    consultation = create_consultation(alice, group_id, opens_at=moment(DAY))
    debate = create_debate(alice, consultation["id"])
    url = f"/v1/debates/{debate['id']}"
    assert debate["updated_at"] is None

    as_vote = alice.patch(url, {"function": {"type": "vote", "quorum": 10}})
    assert as_vote.status_code == 200, as_vote.data
    assert as_vote.data["function"] == {**VOTE_DEFAULTS, "quorum": 10}
    assert as_vote.data["updated_at"] is not None
    publish(alice, consultation["id"])
    travel(monkeypatch, timedelta(hours=23))
    assert alice.get(url).data["status"] == "scheduled"
    as_poll = alice.patch(url, {"function": {"type": "poll", "options": ["Matin", "Soir"]}})
    assert as_poll.status_code == 200, as_poll.data
    assert alice.get(url).data["function"] == {**POLL_DEFAULTS, "options": options("Matin", "Soir")}

    log = [e for e in audit_log(alice, group_id) if e["action"].startswith("debate_")]
    assert [e["action"] for e in log] == ["debate_created", "debate_updated", "debate_updated"]
    assert log[0]["details"] == {
        "consultation_id": consultation["id"],
        "debate_id": debate["id"],
        "title": "Horaires du parc",
        "function": "none",
    }
    assert [e["details"]["fields"] for e in log[1:]] == [["function"], ["function"]]
    assert {e["details"]["debate_id"] for e in log} == {debate["id"]}


def test_once_open_the_function_is_locked_while_title_and_body_still_change(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"], function={"type": "vote"})  # open: allowed
    url = f"/v1/debates/{debate['id']}"

    for body in (
        {"function": {"type": "petition"}},
        {"function": {"type": "vote", "secret": True}},
        {"title": "Nouveau titre", "function": {"type": "none"}},
    ):
        assert error_of(alice.patch(url, body)) == (409, "debate_locked"), body
    assert alice.get(url).data == debate  # nothing applied, not even the title

    same = alice.patch(url, {"function": {"type": "vote"}})  # the same function: no change
    assert (same.status_code, same.data["function"]) == (200, VOTE_DEFAULTS)
    edited = alice.patch(url, {"title": "Horaires d'été", "body": "Du 1er juin au 31 août"})
    assert edited.status_code == 200, edited.data
    assert (edited.data["title"], edited.data["body"]) == (
        "Horaires d'été",
        "Du 1er juin au 31 août",
    )
    assert alice.get(url).data == edited.data
    updates = [e for e in audit_log(alice, group_id) if e["action"] == "debate_updated"]
    assert [e["details"]["fields"] for e in updates] == [["body", "title"]]


def test_once_closed_no_debate_is_added_or_changed(host, monkeypatch):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"])
    set_clock(monkeypatch, consultation["closes_at"])
    url = f"/v1/debates/{debate['id']}"
    for body in ({"title": "Trop tard"}, {"body": "Trop tard"}, {"function": {"type": "vote"}}):
        assert error_of(alice.patch(url, body)) == (409, "consultation_closed"), body
    late = alice.post(f"/v1/consultations/{consultation['id']}/debates", {"title": "Trop tard"})
    assert error_of(late) == (409, "consultation_closed")
    titles = [
        d["title"]
        for d in alice.get(f"/v1/consultations/{consultation['id']}/debates").data["items"]
    ]
    assert titles == ["Horaires du parc"]


def test_invalid_debate_changes_name_their_field(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    debate = create_debate(alice, consultation["id"])
    url = f"/v1/debates/{debate['id']}"
    for body, field in [
        ({}, "body"),
        ({"title": ""}, "title"),
        ({"function": _poll(options=["Oui"])}, "function.poll.options"),
        ({"function": {"type": "vote", "threshold": 0}}, "function.vote.threshold"),
        ({"colour": "green"}, "colour"),
    ]:
        response = alice.patch(url, body)
        assert error_of(response) == (422, "validation_failed"), body
        assert fields_of(response) == [field], body
    assert alice.get(url).data == debate


def test_authors_and_above_open_debates_and_their_creators_and_admins_edit_them(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    carol = add_member(as_user, alice, group_id, "carol", "participant")
    dave = add_member(as_user, alice, group_id, "dave", "moderator")
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    url = f"/v1/consultations/{consultation['id']}/debates"

    assert error_of(carol.post(url, {"title": "Moi aussi"})) == (403, "forbidden")
    debate = create_debate(bob, consultation["id"], "Proposition de Bob")
    assert debate["created_by"] == "bob"
    assert [d["title"] for d in carol.get(url).data["items"]] == ["Proposition de Bob"]
    debate_url = f"/v1/debates/{debate['id']}"
    assert error_of(dave.patch(debate_url, {"title": "Modéré"})) == (403, "forbidden")
    assert bob.patch(debate_url, {"body": "Détails"}).data["body"] == "Détails"
    assert alice.patch(debate_url, {"title": "Revu"}).data["title"] == "Revu"
