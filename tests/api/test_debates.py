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
    assert [sorted(e["details"]) for e in log[1:]] == [
        ["consultation_id", "debate_id", "function"]
    ] * 2
    assert [e["details"]["function"] for e in log[1:]] == [
        {"from": {"type": "none"}, "to": {**VOTE_DEFAULTS, "quorum": 10}},
        {
            "from": {**VOTE_DEFAULTS, "quorum": 10},
            "to": {**POLL_DEFAULTS, "options": options("Matin", "Soir")},
        },
    ]
    assert {e["details"]["debate_id"] for e in log} == {debate["id"]}


def test_once_open_title_body_and_function_are_locked_even_before_any_ballot(host, as_user):
    """People vote on the question as they read it: once the consultation is open (ballots
    exist only from then on) the question cannot be rewritten."""
    group_id, alice = host
    carol = add_member(as_user, alice, group_id, "carol", "participant")
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"], function={"type": "vote"})  # open: allowed
    url = f"/v1/debates/{debate['id']}"
    for body in (
        {"title": "Nouveau titre"},
        {"body": "Du 1er juin au 31 août"},
        {"function": {"type": "petition"}},
        {"title": "Nouveau titre", "function": {"type": "none"}},
    ):
        assert error_of(alice.patch(url, body)) == (409, "debate_locked"), body
    assert carol.put(f"{url}/ballot", {"choice": "yes"}).status_code == 201
    for body in ({"title": "Horaires d'été"}, {"body": "Autre chose"}):
        assert error_of(alice.patch(url, body)) == (409, "debate_locked"), body
    assert alice.get(url).data == debate  # nothing applied

    same = alice.patch(url, {"title": debate["title"], "function": {"type": "vote"}})
    assert (same.status_code, same.data) == (200, debate)  # the same values: no change
    assert "debate_updated" not in [e["action"] for e in audit_log(alice, group_id)]


def test_title_and_body_change_before_opening_and_the_audit_keeps_before_and_after(
    host, monkeypatch
):
    group_id, alice = host
    consultation = create_consultation(alice, group_id, opens_at=moment(DAY))
    debate = create_debate(alice, consultation["id"], body="Ouvert de 8 h à 20 h")
    url = f"/v1/debates/{debate['id']}"
    publish(alice, consultation["id"])
    travel(monkeypatch, timedelta(hours=23))
    edited = alice.patch(url, {"title": "Horaires d'été", "body": "Ouvert de 7 h à 22 h"})
    assert edited.status_code == 200, edited.data
    assert alice.get(url).data == edited.data
    (update,) = [e for e in audit_log(alice, group_id) if e["action"] == "debate_updated"]
    assert update["details"] == {
        "consultation_id": consultation["id"],
        "debate_id": debate["id"],
        "title": {"from": "Horaires du parc", "to": "Horaires d'été"},
        "body": {"from": "Ouvert de 8 h à 20 h", "to": "Ouvert de 7 h à 22 h"},
    }


def test_edits_stop_a_minute_before_the_opening_whatever_the_request_takes(host, monkeypatch):
    """A ballot can be cast the instant the consultation opens, and a request that read the
    consultation before then may write after: edits stop one minute ahead, by a condition
    on the consultation's opening date."""
    group_id, alice = host
    consultation = create_consultation(alice, group_id, opens_at=moment(DAY))
    debate = create_debate(alice, consultation["id"])
    url = f"/v1/debates/{debate['id']}"
    publish(alice, consultation["id"])
    set_clock(monkeypatch, consultation["opens_at"], -timedelta(seconds=61))
    assert alice.patch(url, {"title": "Encore à temps"}).status_code == 200
    set_clock(monkeypatch, consultation["opens_at"], -timedelta(seconds=59))
    assert alice.get(url).data["status"] == "scheduled"
    assert error_of(alice.patch(url, {"title": "Trop tard"})) == (409, "debate_locked")
    assert error_of(alice.patch(url, {"function": {"type": "vote"}})) == (409, "debate_locked")
    assert alice.get(url).data["title"] == "Encore à temps"


def test_an_edit_racing_the_opening_is_refused_by_the_write_condition(host, monkeypatch):
    """The race is forced: the consultation is published (open at once) between the edit's
    read (a draft) and its write. The write's condition on the consultation refuses it."""
    from chalicelib.store import debates as debate_store

    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    debate = create_debate(alice, consultation["id"], function={"type": "vote"})
    url = f"/v1/debates/{debate['id']}"
    real_save = debate_store.save_debate
    raced = []

    def published_meanwhile(*args, **kwargs):
        if not raced:
            raced.append(publish(alice, consultation["id"]))
        return real_save(*args, **kwargs)

    monkeypatch.setattr(debate_store, "save_debate", published_meanwhile)
    late = alice.patch(url, {"title": "Réécrit", "function": {"type": "vote", "secret": True}})
    assert error_of(late) == (409, "debate_locked")
    assert raced and raced[0]["status"] == "open"
    shown = alice.get(url).data
    assert (shown["title"], shown["function"]) == (debate["title"], VOTE_DEFAULTS)
    assert "debate_updated" not in [e["action"] for e in audit_log(alice, group_id)]


# ---------------------------------------------------------------- addenda


def add_addendum(user, debate_id: str, body: str):
    return user.post(f"/v1/debates/{debate_id}/addenda", {"body": body})


def test_a_correction_once_open_is_an_addendum_that_every_reader_sees(host, as_user):
    group_id, alice = host
    carol = add_member(as_user, alice, group_id, "carol", "participant")
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"], function={"type": "vote"})
    assert debate["addenda"] == []
    assert carol.put(f"/v1/debates/{debate['id']}/ballot", {"choice": "yes"}).status_code == 201

    added = add_addendum(alice, debate["id"], "Le montant est de 1 200 €, pas 1 500 €.")
    assert added.status_code == 201, added.data
    (addendum,) = added.data["addenda"]
    assert addendum["body"] == "Le montant est de 1 200 €, pas 1 500 €."
    assert addendum["author"] == {"id": "alice", "name": "Alice"}
    assert addendum["added_at"] >= debate["created_at"]
    assert (added.data["title"], added.data["body"]) == (debate["title"], debate["body"])
    assert added.data["updated_at"] is None  # the question did not change

    second = add_addendum(alice, debate["id"], "Précision : TTC.")
    assert [a["body"] for a in second.data["addenda"]] == [addendum["body"], "Précision : TTC."]
    seen = carol.get(f"/v1/debates/{debate['id']}").data
    assert seen["addenda"] == second.data["addenda"]
    listed = carol.get(f"/v1/consultations/{consultation['id']}/debates").data["items"]
    assert listed[0]["addenda"] == second.data["addenda"]
    added_events = [e for e in audit_log(alice, group_id) if e["action"] == "debate_addendum_added"]
    assert [e["details"] for e in added_events] == [
        {
            "consultation_id": consultation["id"],
            "debate_id": debate["id"],
            "body": body,
        }
        for body in ("Le montant est de 1 200 €, pas 1 500 €.", "Précision : TTC.")
    ]


def test_addenda_are_bounded_checked_and_stop_once_closed(host, monkeypatch):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"])
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "x" * 2001}, {"body": 3}):
        refused = alice.post(f"/v1/debates/{debate['id']}/addenda", body)
        assert error_of(refused) == (422, "validation_failed"), body
    for n in range(10):
        assert add_addendum(alice, debate["id"], f"Précision {n}").status_code == 201
    assert error_of(add_addendum(alice, debate["id"], "Une de trop")) == (409, "too_many_addenda")
    assert len(alice.get(f"/v1/debates/{debate['id']}").data["addenda"]) == 10

    other = create_debate(alice, consultation["id"], "Autre débat")
    set_clock(monkeypatch, consultation["closes_at"])
    assert error_of(add_addendum(alice, other["id"], "Trop tard")) == (409, "consultation_closed")
    assert alice.get(f"/v1/debates/{other['id']}").data["addenda"] == []


def test_two_addenda_at_once_are_both_kept(host, monkeypatch):
    from chalicelib.store import debates as debate_store

    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    debate = create_debate(alice, consultation["id"])
    real_save = debate_store.save_debate
    raced = []

    def rival_first(*args, **kwargs):
        if not raced:
            raced.append(None)
            assert add_addendum(alice, debate["id"], "La première").status_code == 201
        return real_save(*args, **kwargs)

    monkeypatch.setattr(debate_store, "save_debate", rival_first)
    late = add_addendum(alice, debate["id"], "La seconde")
    assert late.status_code == 201, late.data
    assert [a["body"] for a in late.data["addenda"]] == ["La première", "La seconde"]


def test_who_may_add_an_addendum(host, as_user):
    """Those who may edit the debate; everyone else is refused as for an edit, and those
    who cannot see it are told it does not exist."""
    group_id, alice = host
    users = {"admin": alice}
    for role in ("observer", "participant", "author", "moderator"):
        users[role] = add_member(as_user, alice, group_id, role, role)
    creator = add_member(as_user, alice, group_id, "creator", "author")
    former = add_member(as_user, alice, group_id, "former", "admin")
    partner_admin = as_user("partner-admin", name="Partenaire")
    partner = create_group(partner_admin, "Quartier Nord")
    shared = create_consultation(alice, group_id, opens_at=moment(DAY))
    assert (
        alice.post(f"/v1/consultations/{shared['id']}/partners", {"group_id": partner}).status_code
        == 201
    )
    accepted = partner_admin.post(f"/v1/consultations/{shared['id']}/partners/{partner}/accept")
    assert accepted.status_code == 201, accepted.data
    publish(alice, shared["id"])
    debate = create_debate(creator, shared["id"], "Proposition")["id"]
    board = create_consultation(alice, group_id, visibility="restricted", audience=["admin"])
    publish(alice, board["id"])
    secret_debate = create_debate(alice, board["id"], "Huis clos")["id"]
    demoted = alice.put(f"/v1/groups/{group_id}/members/former", {"role": "participant"})
    assert demoted.status_code == 200, demoted.data

    expected = {
        "admin": 201,
        "creator": 201,
        "observer": 403,
        "participant": 403,
        "author": 403,
        "moderator": 403,
    }
    for name, status in expected.items():
        who = users.get(name) or creator
        assert add_addendum(who, debate, f"Par {name}").status_code == status, name
    assert add_addendum(partner_admin, debate, "Partenaire").status_code == 403
    assert error_of(add_addendum(as_user("stranger"), debate, "?")) == (404, "debate_not_found")
    assert error_of(add_addendum(as_user(None), debate, "?")) == (401, "unauthenticated")
    assert error_of(add_addendum(former, secret_debate, "?")) == (404, "debate_not_found")
    assert error_of(add_addendum(users["moderator"], secret_debate, "?")) == (
        404,
        "debate_not_found",
    )
    shown = [a["body"] for a in alice.get(f"/v1/debates/{debate}").data["addenda"]]
    assert shown == ["Par admin", "Par creator"]
    assert alice.get(f"/v1/debates/{secret_debate}").data["addenda"] == []


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
    consultation = create_consultation(alice, group_id, opens_at=moment(DAY))
    publish(alice, consultation["id"])  # scheduled: debates still change
    url = f"/v1/consultations/{consultation['id']}/debates"

    assert error_of(carol.post(url, {"title": "Moi aussi"})) == (403, "forbidden")
    debate = create_debate(bob, consultation["id"], "Proposition de Bob")
    assert debate["created_by"] == "bob"
    assert [d["title"] for d in carol.get(url).data["items"]] == ["Proposition de Bob"]
    debate_url = f"/v1/debates/{debate['id']}"
    assert error_of(dave.patch(debate_url, {"title": "Modéré"})) == (403, "forbidden")
    assert bob.patch(debate_url, {"body": "Détails"}).data["body"] == "Détails"
    assert alice.patch(debate_url, {"title": "Revu"}).data["title"] == "Revu"
