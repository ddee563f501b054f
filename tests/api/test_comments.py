"""Deliberation over HTTP: arguments and replies, their order, reactions, flags hiding a
comment at a threshold, the moderation queue, hiding and restoring, edits and their history,
deletion, blocks (also on the vote path), what closing does, partner moderators, and the
counts per stance a debate shows. (Who may do what, cell by cell:
tests/api/test_consultation_permissions_http.py.)"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bench.meter import metering
from chalicelib.settings import get_settings
from chalicelib.store import comments as comment_store
from tests.api.helpers import (
    add_member,
    audit_log,
    create_consultation,
    create_group,
    moment,
    publish,
    travel,
)

MODERATION_ACTS = {
    "comment_hidden",
    "comment_restored",
    "comment_auto_hidden",
    "comment_deleted",
    "member_blocked",
    "member_unblocked",
}


@pytest.fixture
def association(as_user):
    """L'Amicale des locataires: an admin, a moderator (mona), four participants (alice, bob,
    carol, dave), an observer (olga), and a caller without a token."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale des locataires")
    users = {"admin": admin}
    for sub, role in [
        ("mona", "moderator"),
        ("alice", "participant"),
        ("bob", "participant"),
        ("carol", "participant"),
        ("dave", "participant"),
        ("olga", "observer"),
    ]:
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    users["anonymous"] = as_user(None)
    return group_id, users


def open_debate(admin: Any, group_id: str, **consultation: Any) -> str:
    """An open vote debate in a members consultation (unless `consultation` says otherwise)
    closing in a week."""
    consultation_id = create_consultation(admin, group_id, **consultation)["id"]
    debate = admin.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": "Rénover la cour", "function": {"type": "vote"}},
    )
    assert debate.status_code == 201, debate.data
    publish(admin, consultation_id)
    return debate.data["id"]


def say(
    user: Any, debate_id: str, body: str, stance: str | None = None, parent_id: str | None = None
) -> dict[str, Any]:
    sent: dict[str, Any] = {"body": body}
    if stance is not None:
        sent["stance"] = stance
    if parent_id is not None:
        sent["parent_id"] = parent_id
    response = user.post(f"/v1/debates/{debate_id}/comments", sent)
    assert response.status_code == 201, response.data
    return response.data


def thread(user: Any, debate_id: str, query: str = "") -> list[dict[str, Any]]:
    """The debate's top-level comments as `user` lists them."""
    response = user.get(f"/v1/debates/{debate_id}/comments{query}")
    assert response.status_code == 200, response.data
    return response.data["items"]


def replies(user: Any, comment_id: str) -> list[dict[str, Any]]:
    response = user.get(f"/v1/comments/{comment_id}/replies")
    assert response.status_code == 200, response.data
    return response.data["items"]


def shown(user: Any, comment_id: str) -> dict[str, Any]:
    response = user.get(f"/v1/comments/{comment_id}")
    assert response.status_code == 200, response.data
    return response.data


def queue(moderator: Any, group_id: str) -> list[dict[str, Any]]:
    response = moderator.get(f"/v1/groups/{group_id}/moderation")
    assert response.status_code == 200, response.data
    return response.data["items"]


def flag(user: Any, comment_id: str, reason: str = "spam") -> Any:
    return user.post(f"/v1/comments/{comment_id}/flags", {"reason": reason})


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.data["error"]["code"]


def invalid_fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.data
    return {detail["field"] for detail in response.data["error"]["details"]}


def ids(comments: list[dict[str, Any]]) -> list[str]:
    return [comment["id"] for comment in comments]


def moderation_events(admin: Any, group_id: str) -> list[dict[str, Any]]:
    return [event for event in audit_log(admin, group_id) if event["action"] in MODERATION_ACTS]


# ---------------------------------------------------------------- arguing


def test_two_participants_argue_pro_and_con_and_one_replies(association):
    group_id, users = association
    alice, bob, olga = users["alice"], users["bob"], users["olga"]
    debate = open_debate(users["admin"], group_id)

    pro = say(alice, debate, "Une cour rénovée, c'est un lieu de rencontre.", "pro")
    assert pro["stance"] == "pro"
    assert pro["author"] == {"id": "alice", "name": "Alice"}
    assert pro["parent_id"] is None
    assert (pro["reactions"], pro["replies"], pro["reacted"]) == (0, 0, False)
    assert pro["edited_at"] is None
    assert (pro["hidden"], pro["deleted"]) == (False, False)
    con = say(bob, debate, "Les charges vont augmenter.", "con")
    reply = say(alice, debate, "Le bailleur prend les travaux en charge.", parent_id=con["id"])
    assert reply["stance"] == "neutral"  # the default
    assert reply["parent_id"] == con["id"]

    listed = thread(olga, debate, "?sort=old")  # an observer reads the argument
    assert ids(listed) == [pro["id"], con["id"]]  # top level only
    assert [(c["stance"], c["replies"]) for c in listed] == [("pro", 0), ("con", 1)]
    assert ids(replies(olga, con["id"])) == [reply["id"]]
    assert shown(olga, reply["id"])["body"] == "Le bailleur prend les travaux en charge."

    deeper = bob.post(
        f"/v1/debates/{debate}/comments", {"body": "Vraiment ?", "parent_id": reply["id"]}
    )
    assert invalid_fields(deeper) == {"parent_id"}  # replies are one level deep
    assert refusal(olga.post(f"/v1/debates/{debate}/comments", {"body": "Moi aussi"})) == (
        403,
        "not_eligible",
    )
    anonymous = users["anonymous"].post(f"/v1/debates/{debate}/comments", {"body": "Anonyme"})
    assert refusal(anonymous) == (401, "unauthenticated")
    assert replies(olga, pro["id"]) == []


def test_a_reply_names_a_comment_of_the_same_debate(association):
    group_id, users = association
    alice = users["alice"]
    debate, elsewhere = open_debate(users["admin"], group_id), open_debate(users["admin"], group_id)
    stranger = say(alice, elsewhere, "Ailleurs")["id"]
    for parent_id in (stranger, "nothing-like-an-id", stranger[:24] + "000000000000"):
        sent = {"body": "En réponse", "parent_id": parent_id}
        assert invalid_fields(alice.post(f"/v1/debates/{debate}/comments", sent)) == {"parent_id"}
    assert thread(alice, debate) == []


def test_a_reply_to_a_reply_is_refused_as_too_deep(association):
    group_id, users = association
    alice, bob = users["alice"], users["bob"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Pour")["id"]
    reply = say(bob, debate, "Contre", parent_id=argument)["id"]
    deeper = alice.post(f"/v1/debates/{debate}/comments", {"body": "Si", "parent_id": reply})
    assert deeper.status_code == 422
    assert [(d["field"], d["code"]) for d in deeper.data["error"]["details"]] == [
        ("parent_id", "too_deep")
    ]


def test_top_orders_by_reactions_new_and_old_by_time_and_stance_filters(association):
    group_id, users = association
    alice, bob, carol, dave = (users[name] for name in ("alice", "bob", "carol", "dave"))
    debate = open_debate(users["admin"], group_id)
    first = say(alice, debate, "Des bancs", "pro")["id"]
    second = say(bob, debate, "Trop cher", "con")["id"]
    third = say(carol, debate, "Des arbres", "pro")["id"]
    fourth = say(dave, debate, "À voir", "neutral")["id"]
    for reader, liked in ((alice, second), (carol, second), (dave, second), (alice, third)):
        assert reader.put(f"/v1/comments/{liked}/reaction").status_code == 201
    assert dave.put(f"/v1/comments/{third}/reaction").status_code == 201

    top = thread(alice, debate)  # top is the default
    assert ids(top) == [second, third, fourth, first]
    assert [c["reactions"] for c in top] == [3, 2, 0, 0]  # equal counts: newest first
    assert [c["reacted"] for c in top] == [True, True, False, False]
    assert ids(thread(alice, debate, "?sort=top")) == ids(top)
    assert ids(thread(alice, debate, "?sort=new")) == [fourth, third, second, first]
    assert ids(thread(alice, debate, "?sort=old")) == [first, second, third, fourth]
    assert ids(thread(alice, debate, "?sort=old&stance=pro")) == [first, third]
    assert ids(thread(alice, debate, "?sort=top&stance=pro")) == [third, first]
    assert ids(thread(alice, debate, "?stance=con")) == [second]
    assert ids(thread(alice, debate, "?stance=neutral&sort=new")) == [fourth]

    # A comment that gains reactions moves up; pages follow the order.
    for reader in (bob, carol, dave, users["mona"]):
        assert reader.put(f"/v1/comments/{first}/reaction").status_code == 201
    page = alice.get(f"/v1/debates/{debate}/comments?limit=2").data
    assert ids(page["items"]) == [first, second]
    rest = alice.get(f"/v1/debates/{debate}/comments?limit=2&cursor={page['next']}").data
    assert ids(rest["items"]) == [third, fourth]


# ---------------------------------------------------------------- reactions


def test_one_reaction_per_person_and_none_on_ones_own_comment(association):
    group_id, users = association
    alice, bob, olga = users["alice"], users["bob"], users["olga"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Un potager partagé", "pro")["id"]

    assert bob.put(f"/v1/comments/{argument}/reaction").status_code == 201
    again = bob.put(f"/v1/comments/{argument}/reaction")
    assert again.status_code == 200
    assert again.data == {"comment_id": argument, "reacted": True}
    assert (shown(bob, argument)["reactions"], shown(bob, argument)["reacted"]) == (1, True)
    assert shown(alice, argument)["reacted"] is False
    assert refusal(alice.put(f"/v1/comments/{argument}/reaction")) == (409, "own_comment")
    assert refusal(olga.put(f"/v1/comments/{argument}/reaction")) == (403, "not_eligible")

    assert bob.delete(f"/v1/comments/{argument}/reaction").status_code == 204
    assert bob.delete(f"/v1/comments/{argument}/reaction").status_code == 204  # no harm
    assert (shown(bob, argument)["reactions"], shown(bob, argument)["reacted"]) == (0, False)
    assert bob.put(f"/v1/comments/{argument}/reaction").status_code == 201


def test_a_second_reaction_slipped_in_between_read_and_write_counts_once(association, monkeypatch):
    """The race is forced: the same person's other request lands between this request's
    read (no reaction yet) and its write. The write's condition refuses; once read again,
    the reaction is there: one reaction, counted once."""
    group_id, users = association
    alice, bob = users["alice"], users["bob"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Un composteur", "pro")["id"]
    real_save = comment_store.save
    raced = []

    def rival_save(before, after, **changes):
        if not raced:
            raced.append(True)
            assert bob.put(f"/v1/comments/{argument}/reaction").status_code == 201
        return real_save(before, after, **changes)

    monkeypatch.setattr(comment_store, "save", rival_save)
    late = bob.put(f"/v1/comments/{argument}/reaction")
    assert raced
    assert late.status_code == 200  # it found bob's reaction there: not a new one
    assert (shown(bob, argument)["reactions"], shown(bob, argument)["reacted"]) == (1, True)
    assert bob.delete(f"/v1/comments/{argument}/reaction").status_code == 204
    assert shown(bob, argument)["reactions"] == 0


# ---------------------------------------------------------------- flags and moderation


def test_three_distinct_flags_hide_a_comment_until_a_moderator_restores_it(association):
    group_id, users = association
    alice, bob, carol, dave, mona = (users[n] for n in ("alice", "bob", "carol", "dave", "mona"))
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Les voisins du 3e sont des voleurs.", "con")["id"]

    assert flag(bob, argument, "offensive").status_code == 201
    assert refusal(flag(bob, argument, "spam")) == (409, "already_flagged")
    assert refusal(flag(alice, argument)) == (409, "own_comment")
    waiting = queue(mona, group_id)  # flagged: in the queue, still shown
    assert [(c["id"], c["flags"], c["hidden"]) for c in waiting] == [(argument, 1, False)]
    assert flag(carol, argument, "personal_data").status_code == 201
    assert (shown(dave, argument)["hidden"], shown(dave, argument)["body"]) == (
        False,
        "Les voisins du 3e sont des voleurs.",
    )  # two flags of three: still shown

    assert flag(dave, argument, "offensive").status_code == 201
    for reader in (bob, dave):
        seen = shown(reader, argument)
        assert (seen["hidden"], seen["hidden_reason"], seen["body"]) == (True, "flagged", None)
        assert "flags" not in seen
    own = shown(alice, argument)  # its author still sees it
    assert (own["hidden"], own["body"]) == (True, "Les voisins du 3e sont des voleurs.")
    [pending] = queue(mona, group_id)
    assert pending["id"] == argument
    assert pending["body"] == "Les voisins du 3e sont des voleurs."
    assert pending["flags"] == 3
    assert pending["flag_reasons"] == {"offensive": 2, "personal_data": 1}
    assert pending["history"] == []
    assert refusal(bob.get(f"/v1/groups/{group_id}/moderation")) == (403, "forbidden")

    restored = mona.post(f"/v1/comments/{argument}/restore")
    assert restored.status_code == 200, restored.data
    assert (restored.data["hidden"], restored.data["flags"], restored.data["flag_reasons"]) == (
        False,
        0,
        {},
    )
    assert queue(mona, group_id) == []
    assert shown(dave, argument)["body"] == "Les voisins du 3e sont des voleurs."
    events = moderation_events(users["admin"], group_id)
    assert [(e["action"], e["actor"]["id"], e["subject_id"]) for e in events] == [
        ("comment_auto_hidden", "hub-moderation", "alice"),
        ("comment_restored", "mona", "alice"),
    ]
    assert events[0]["details"]["comment_id"] == argument


@pytest.fixture
def flags_to_hide() -> Iterator[Any]:
    """Sets HUB_FLAGS_TO_HIDE for one test (the settings are read once, so read again), and
    puts both back afterwards."""
    before = os.environ.get("HUB_FLAGS_TO_HIDE")

    def set_to(count: int) -> None:
        os.environ["HUB_FLAGS_TO_HIDE"] = str(count)
        get_settings.cache_clear()
        assert get_settings().flags_to_hide == count

    try:
        yield set_to
    finally:
        if before is None:
            os.environ.pop("HUB_FLAGS_TO_HIDE", None)
        else:
            os.environ["HUB_FLAGS_TO_HIDE"] = before
        get_settings.cache_clear()


def test_the_number_of_flags_that_hides_a_comment_is_a_setting(association, flags_to_hide):
    group_id, users = association
    flags_to_hide(2)
    debate = open_debate(users["admin"], group_id)
    argument = say(users["alice"], debate, "Hors sujet total", "neutral")["id"]
    assert flag(users["bob"], argument, "off_topic").status_code == 201
    assert shown(users["carol"], argument)["hidden"] is False
    assert flag(users["carol"], argument, "off_topic").status_code == 201
    seen = shown(users["dave"], argument)
    assert (seen["hidden"], seen["hidden_reason"], seen["body"]) == (True, "flagged", None)


def test_a_moderator_hides_a_comment_with_a_reason_and_restores_it(association):
    group_id, users = association
    alice, bob, mona = users["alice"], users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(bob, debate, "Un propos déplacé", "con")["id"]

    assert refusal(alice.post(f"/v1/comments/{argument}/hide", {"reason": "Non"})) == (
        403,
        "forbidden",
    )
    hidden = mona.post(f"/v1/comments/{argument}/hide", {"reason": "Propos injurieux"})
    assert hidden.status_code == 200, hidden.data
    assert (hidden.data["hidden"], hidden.data["hidden_reason"]) == (True, "Propos injurieux")
    seen = shown(alice, argument)
    assert (seen["hidden"], seen["hidden_reason"], seen["body"]) == (
        True,
        "Propos injurieux",
        None,
    )
    assert ids(queue(mona, group_id)) == [argument]
    assert refusal(alice.post(f"/v1/comments/{argument}/restore")) == (403, "forbidden")
    assert mona.post(f"/v1/comments/{argument}/restore").status_code == 200
    assert shown(alice, argument)["body"] == "Un propos déplacé"
    events = moderation_events(users["admin"], group_id)
    assert [(e["action"], e["actor"]["id"], e["subject_id"]) for e in events] == [
        ("comment_hidden", "mona", "bob"),
        ("comment_restored", "mona", "bob"),
    ]
    assert events[0]["details"]["reason"] == "Propos injurieux"


def test_hidden_text_is_never_returned_to_other_participants(association):
    """Neither a hidden comment's text nor its earlier versions reach anyone but its author
    and the moderators: not in the thread (whatever the order), the comment, its replies."""
    group_id, users = association
    alice, bob, carol, olga, mona = (users[n] for n in ("alice", "bob", "carol", "olga", "mona"))
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Premier jet SECRET-1", "pro")["id"]
    assert alice.patch(f"/v1/comments/{argument}", {"body": "Texte SECRET-2"}).status_code == 200
    reply = say(bob, debate, "Réponse SECRET-3", "con", parent_id=argument)["id"]
    for comment_id in (argument, reply):
        response = mona.post(f"/v1/comments/{comment_id}/hide", {"reason": "Hors charte"})
        assert response.status_code == 200, response.data

    def everything(user: Any) -> list[dict[str, Any]]:
        seen = [shown(user, argument), shown(user, reply), *replies(user, argument)]
        for query in ("", "?sort=new", "?sort=old", "?stance=pro"):
            seen += thread(user, debate, query)
        return seen

    for other in (carol, olga):
        seen = everything(other)
        assert "SECRET" not in json.dumps(seen)
        assert all(c["hidden"] and c["body"] is None for c in seen)
        assert all("history" not in c for c in seen)
    assert "SECRET-2" in json.dumps(everything(alice))  # its author sees it
    assert "SECRET-1" not in json.dumps(everything(alice))  # earlier versions: moderators only
    assert shown(bob, reply)["body"] == "Réponse SECRET-3"
    assert shown(bob, argument)["body"] is None
    moderated = everything(mona)
    assert {c["body"] for c in moderated} == {"Texte SECRET-2", "Réponse SECRET-3"}
    assert shown(mona, argument)["history"][0]["body"] == "Premier jet SECRET-1"


# ---------------------------------------------------------------- edits and deletion


def test_an_edit_keeps_earlier_versions_for_moderators_only(association):
    group_id, users = association
    alice, bob, mona = users["alice"], users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    written = say(alice, debate, "Des bacs à fleurs", "pro")
    argument = written["id"]

    first = alice.patch(f"/v1/comments/{argument}", {"body": "Des bacs à fleurs et un banc"})
    assert first.status_code == 200, first.data
    assert first.data["body"] == "Des bacs à fleurs et un banc"
    assert first.data["edited_at"] is not None
    second = alice.patch(f"/v1/comments/{argument}", {"body": "Un banc"})
    assert second.status_code == 200
    same = alice.patch(f"/v1/comments/{argument}", {"body": "Un banc"})
    assert (same.status_code, same.data["edited_at"]) == (200, second.data["edited_at"])

    for reader in (alice, bob):  # its author and the others see the text, not its history
        seen = shown(reader, argument)
        assert (seen["body"], seen["edited_at"]) == ("Un banc", second.data["edited_at"])
        assert "history" not in seen
    assert shown(mona, argument)["history"] == [
        {"body": "Des bacs à fleurs", "written_at": written["created_at"]},
        {"body": "Des bacs à fleurs et un banc", "written_at": first.data["edited_at"]},
    ]
    # Only the author edits: not another participant, not a moderator.
    for other in (bob, mona):
        refused = other.patch(f"/v1/comments/{argument}", {"body": "Autre chose"})
        assert refusal(refused) == (403, "forbidden")
    assert shown(bob, argument)["body"] == "Un banc"


def test_a_deleted_comment_leaves_a_placeholder_in_the_thread(association):
    group_id, users = association
    alice, bob, carol, mona = (users[n] for n in ("alice", "bob", "carol", "mona"))
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Un mur végétal", "pro")["id"]
    reply = say(bob, debate, "Et l'entretien ?", "con", parent_id=argument)["id"]
    other = say(carol, debate, "Un préau", "pro")["id"]

    assert refusal(bob.delete(f"/v1/comments/{argument}")) == (403, "forbidden")
    assert alice.delete(f"/v1/comments/{argument}").status_code == 204
    placeholder = shown(carol, argument)
    assert (placeholder["deleted"], placeholder["body"], placeholder["author"]) == (
        True,
        None,
        None,
    )
    assert ids(thread(carol, debate, "?sort=old")) == [argument, other]  # still in place
    assert thread(carol, debate, "?sort=old")[0]["deleted"] is True
    assert ids(replies(carol, argument)) == [reply]  # its replies stay
    assert "Un mur végétal" not in json.dumps(shown(mona, argument))
    assert refusal(alice.patch(f"/v1/comments/{argument}", {"body": "Oups"})) == (
        404,
        "comment_not_found",
    )
    assert refusal(bob.put(f"/v1/comments/{argument}/reaction")) == (404, "comment_not_found")
    assert refusal(bob.post(f"/v1/comments/{argument}/flags", {"reason": "spam"})) == (
        404,
        "comment_not_found",
    )

    assert mona.delete(f"/v1/comments/{reply}").status_code == 204  # a moderator deletes too
    assert shown(carol, reply)["deleted"] is True
    events = moderation_events(users["admin"], group_id)  # the moderator's deletion only
    assert [(e["action"], e["actor"]["id"], e["subject_id"]) for e in events] == [
        ("comment_deleted", "mona", "bob")
    ]


def test_a_hidden_comment_is_frozen_for_its_author_until_restored(association):
    """While a moderator reviews it, the author can neither rewrite nor delete the evidence;
    the moderators still act on it."""
    group_id, users = association
    alice, mona = users["alice"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Le gardien est un incapable", "con")["id"]
    hidden = mona.post(f"/v1/comments/{argument}/hide", {"reason": "Attaque personnelle"})
    assert hidden.status_code == 200, hidden.data

    frozen = (409, "comment_hidden")
    assert refusal(alice.patch(f"/v1/comments/{argument}", {"body": "Rien dit"})) == frozen
    assert refusal(alice.delete(f"/v1/comments/{argument}")) == frozen
    seen = shown(mona, argument)
    assert (seen["body"], seen["hidden"], seen["history"]) == (
        "Le gardien est un incapable",
        True,
        [],
    )
    assert [c["id"] for c in queue(mona, group_id)] == [argument]

    assert mona.post(f"/v1/comments/{argument}/restore").status_code == 200
    edited = alice.patch(f"/v1/comments/{argument}", {"body": "Le gardien pourrait mieux faire"})
    assert edited.status_code == 200, edited.data
    assert alice.delete(f"/v1/comments/{argument}").status_code == 204


def test_nobody_reacts_or_replies_to_a_hidden_comment_until_restored(association):
    """A hidden comment is a placeholder to its readers: no reaction ranks it up and no
    thread grows under it while it is reviewed."""
    group_id, users = association
    alice, bob, mona = users["alice"], users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Le gardien est un incapable", "con")["id"]
    assert mona.post(f"/v1/comments/{argument}/hide", {"reason": "Attaque"}).status_code == 200

    frozen = (409, "comment_hidden")
    assert refusal(bob.put(f"/v1/comments/{argument}/reaction")) == frozen
    reply = {"body": "Tout à fait", "stance": "con", "parent_id": argument}
    assert refusal(bob.post(f"/v1/debates/{debate}/comments", reply)) == frozen
    assert shown(mona, argument)["reactions"] == 0

    assert mona.post(f"/v1/comments/{argument}/restore").status_code == 200
    assert bob.put(f"/v1/comments/{argument}/reaction").status_code == 201
    assert bob.post(f"/v1/debates/{debate}/comments", reply).status_code == 201


def test_who_deletes_a_comment_is_the_permission_tables_answer(association, monkeypatch):
    """Nothing beside the table decides: were `comment.delete` to allow nobody, neither the
    author nor a moderator could delete; the rule restored, both can."""
    from chalicelib.domain import permissions
    from chalicelib.domain.permissions import Action

    group_id, users = association
    alice, mona = users["alice"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    mine = say(alice, debate, "Un mur végétal", "pro")["id"]
    theirs = say(users["bob"], debate, "Un préau", "pro")["id"]
    with monkeypatch.context() as patched:
        patched.setitem(permissions.PERMISSIONS, Action.COMMENT_DELETE, {})
        assert refusal(alice.delete(f"/v1/comments/{mine}")) == (403, "forbidden")
        assert refusal(mona.delete(f"/v1/comments/{theirs}")) == (403, "forbidden")
    assert alice.delete(f"/v1/comments/{mine}").status_code == 204
    assert mona.delete(f"/v1/comments/{theirs}").status_code == 204


def test_a_comment_hidden_by_flags_is_frozen_too_and_its_moderators_may_delete_it(association):
    group_id, users = association
    alice, mona = users["alice"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Achetez mes montres", "neutral")["id"]
    for flagger in ("bob", "carol", "dave"):
        assert flag(users[flagger], argument).status_code == 201
    assert shown(mona, argument)["hidden"] is True

    assert refusal(alice.patch(f"/v1/comments/{argument}", {"body": "Bonjour"})) == (
        409,
        "comment_hidden",
    )
    assert refusal(alice.delete(f"/v1/comments/{argument}")) == (409, "comment_hidden")
    assert mona.delete(f"/v1/comments/{argument}").status_code == 204
    assert queue(mona, group_id) == []
    events = moderation_events(users["admin"], group_id)
    assert [(e["action"], e["subject_id"]) for e in events] == [
        ("comment_auto_hidden", "alice"),
        ("comment_deleted", "alice"),
    ]


# ---------------------------------------------------------------- blocks


def block(moderator: Any, group_id: str, user_id: str, **fields: Any) -> Any:
    return moderator.put(
        f"/v1/groups/{group_id}/blocks/{user_id}", {"reason": "Insultes", **fields}
    )


def takes_part(user: Any, debate_id: str, comment_id: str) -> list[tuple[int, str | None]]:
    """What `user` is answered when they comment, react, flag and vote."""
    responses = [
        user.post(f"/v1/debates/{debate_id}/comments", {"body": "Je reviens"}),
        user.put(f"/v1/comments/{comment_id}/reaction"),
        user.post(f"/v1/comments/{comment_id}/flags", {"reason": "spam"}),
        user.put(f"/v1/debates/{debate_id}/ballot", {"choice": "yes"}),
    ]
    return [
        (r.status_code, r.data["error"]["code"] if r.status_code >= 400 else None)
        for r in responses
    ]


def test_a_blocked_member_cannot_comment_react_flag_or_vote_until_unblocked(association):
    group_id, users = association
    alice, bob, mona = users["alice"], users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Fermons la cour la nuit", "pro")["id"]

    assert refusal(block(alice, group_id, "bob")) == (403, "forbidden")
    blocked = block(mona, group_id, "bob")
    assert blocked.status_code == 200, blocked.data
    assert (blocked.data["user_id"], blocked.data["reason"], blocked.data["until"]) == (
        "bob",
        "Insultes",
        None,
    )
    assert takes_part(bob, debate, argument) == [(409, "blocked")] * 4
    assert ids(thread(bob, debate)) == [argument]  # reading is not taking part

    assert mona.delete(f"/v1/groups/{group_id}/blocks/bob").status_code == 204
    assert refusal(mona.delete(f"/v1/groups/{group_id}/blocks/bob")) == (404, "block_not_found")
    assert takes_part(bob, debate, argument) == [(201, None)] * 4
    events = moderation_events(users["admin"], group_id)
    assert [(e["action"], e["actor"]["id"], e["subject_id"]) for e in events] == [
        ("member_blocked", "mona", "bob"),
        ("member_unblocked", "mona", "bob"),
    ]
    assert events[0]["details"] == {"reason": "Insultes", "until": None}


def test_a_blocked_member_cannot_edit_their_comments_until_unblocked(association):
    group_id, users = association
    bob, mona = users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(bob, debate, "Je propose un barbecue", "pro")["id"]
    assert block(mona, group_id, "bob").status_code == 200

    assert refusal(bob.patch(f"/v1/comments/{argument}", {"body": "Vous êtes nuls"})) == (
        409,
        "blocked",
    )
    assert shown(mona, argument)["body"] == "Je propose un barbecue"
    assert mona.delete(f"/v1/groups/{group_id}/blocks/bob").status_code == 204
    assert bob.patch(f"/v1/comments/{argument}", {"body": "Un barbecue ?"}).status_code == 200


def test_a_block_reaches_only_below_the_blocker_and_nobody_lifts_their_own(association, as_user):
    group_id, users = association
    admin, mona = users["admin"], users["mona"]
    assert refusal(block(mona, group_id, "admin")) == (403, "forbidden")
    assert refusal(block(mona, group_id, "mona")) == (403, "forbidden")
    assert refusal(block(admin, group_id, "admin")) == (403, "forbidden")
    assert block(mona, group_id, "bob").status_code == 200
    assert block(mona, group_id, "a-resident").status_code == 200  # not a member

    # An admin blocks a moderator, who cannot lift it; another moderator cannot either.
    nina = add_member(as_user, admin, group_id, "nina", "moderator")
    assert block(admin, group_id, "mona").status_code == 200
    for moderator in (mona, nina):
        lifted = moderator.delete(f"/v1/groups/{group_id}/blocks/mona")
        assert refusal(lifted) == (403, "forbidden")
    debate = open_debate(admin, group_id)
    assert refusal(mona.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})) == (
        409,
        "blocked",
    )
    assert admin.delete(f"/v1/groups/{group_id}/blocks/mona").status_code == 204
    assert mona.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201


def test_a_block_until_a_moment_past_does_not_block(association, monkeypatch):
    group_id, users = association
    alice, bob, carol, mona = (users[n] for n in ("alice", "bob", "carol", "mona"))
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Un local à vélos", "pro")["id"]

    assert block(mona, group_id, "bob", until=moment(timedelta(hours=-1))).status_code == 200
    assert takes_part(bob, debate, argument) == [(201, None)] * 4

    assert block(mona, group_id, "carol", until=moment(timedelta(days=1))).status_code == 200
    assert takes_part(carol, debate, argument) == [(409, "blocked")] * 4
    travel(monkeypatch, timedelta(days=2))  # the block lapses; the consultation is still open
    assert takes_part(carol, debate, argument) == [(201, None)] * 4


# ---------------------------------------------------------------- closing


def test_comments_are_read_only_once_the_consultation_is_closed(association, monkeypatch):
    group_id, users = association
    alice, bob = users["alice"], users["bob"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Pour", "pro")["id"]
    reply = say(bob, debate, "Contre", "con", parent_id=argument)["id"]
    assert alice.put(f"/v1/comments/{reply}/reaction").status_code == 201

    travel(monkeypatch, timedelta(days=8))
    closed = (409, "consultation_closed")
    assert refusal(bob.post(f"/v1/debates/{debate}/comments", {"body": "Trop tard"})) == closed
    late_reply = {"body": "Trop tard", "parent_id": argument}
    assert refusal(bob.post(f"/v1/debates/{debate}/comments", late_reply)) == closed
    assert refusal(alice.patch(f"/v1/comments/{argument}", {"body": "Corrigé"})) == closed
    assert refusal(bob.put(f"/v1/comments/{argument}/reaction")) == closed
    assert refusal(alice.delete(f"/v1/comments/{reply}/reaction")) == closed
    assert refusal(flag(bob, argument)) == closed
    # Still read, as it stood.
    assert [(c["body"], c["replies"]) for c in thread(bob, debate)] == [("Pour", 1)]
    assert [(c["body"], c["reactions"]) for c in replies(bob, argument)] == [("Contre", 1)]


# ---------------------------------------------------------------- partner moderators


def test_partner_moderators_moderate_their_own_members_comments_only(as_user):
    host_admin = as_user("host-admin", name="Hôte")
    host = create_group(host_admin, "Les Amis du Parc")
    hugo = add_member(as_user, host_admin, host, "hugo", "participant")
    host_moderator = add_member(as_user, host_admin, host, "host-mona", "moderator")
    partner_admin = as_user("partner-admin", name="Partenaire")
    partner = create_group(partner_admin, "Quartier Nord")
    pete = add_member(as_user, partner_admin, partner, "pete", "participant")
    partner_moderator = add_member(as_user, partner_admin, partner, "pmod", "moderator")
    consultation = create_consultation(host_admin, host, visibility="members")["id"]
    debate = host_admin.post(
        f"/v1/consultations/{consultation}/debates", {"title": "Fête", "function": {"type": "vote"}}
    ).data["id"]
    invited = host_admin.post(f"/v1/consultations/{consultation}/partners", {"group_id": partner})
    assert invited.status_code == 201, invited.data
    accepted = partner_admin.post(f"/v1/consultations/{consultation}/partners/{partner}/accept")
    assert accepted.status_code == 201, accepted.data
    publish(host_admin, consultation)
    theirs = say(pete, debate, "Le quartier nord apporte la musique", "pro")["id"]
    ours = say(hugo, debate, "Le parc ferme à 22 h", "con")["id"]
    assert flag(hugo, theirs).status_code == 201
    assert flag(pete, ours).status_code == 201

    # Each association's queue: the host's holds both, the partner's its own member's.
    assert ids(queue(host_moderator, host)) == [theirs, ours]
    assert ids(queue(partner_moderator, partner)) == [theirs]
    assert refusal(partner_moderator.get(f"/v1/groups/{host}/moderation")) == (403, "forbidden")

    hide = {"reason": "Hors sujet"}
    assert partner_moderator.post(f"/v1/comments/{theirs}/hide", hide).status_code == 200
    assert shown(partner_moderator, theirs)["flag_reasons"] == {"spam": 1}
    assert partner_moderator.post(f"/v1/comments/{theirs}/restore").status_code == 200
    assert refusal(partner_moderator.post(f"/v1/comments/{ours}/hide", hide)) == (
        403,
        "forbidden",
    )
    assert refusal(partner_moderator.post(f"/v1/comments/{ours}/restore")) == (403, "forbidden")
    assert refusal(partner_moderator.delete(f"/v1/comments/{ours}")) == (403, "forbidden")
    assert host_moderator.post(f"/v1/comments/{ours}/hide", hide).status_code == 200
    assert shown(partner_moderator, ours)["body"] is None  # not theirs to see in full
    assert "flags" not in shown(partner_moderator, ours)
    assert partner_moderator.delete(f"/v1/comments/{theirs}").status_code == 204
    events = moderation_events(host_admin, host)
    assert [(e["action"], e["actor"]["id"], e["subject_id"]) for e in events] == [
        ("comment_hidden", "pmod", "pete"),
        ("comment_restored", "pmod", "pete"),
        ("comment_hidden", "host-mona", "hugo"),
        ("comment_deleted", "pmod", "pete"),
    ]


def whole_queue(moderator: Any, group_id: str, limit: int) -> list[list[str]]:
    """Every page of the group's moderation queue, `limit` at a time, following `next`."""
    pages, cursor = [], ""
    while True:
        response = moderator.get(f"/v1/groups/{group_id}/moderation?limit={limit}{cursor}")
        assert response.status_code == 200, response.data
        assert len(response.data["items"]) <= limit
        pages.append(ids(response.data["items"]))
        if response.data["next"] is None:
            return pages
        cursor = f"&cursor={response.data['next']}"


def grant(admin: Any, consultation_id: str, user_id: str, role: str = "participant") -> None:
    granted = admin.put(f"/v1/consultations/{consultation_id}/grants/{user_id}", {"role": role})
    assert granted.status_code == 201, granted.data


def test_the_moderation_queue_shows_only_what_its_reader_could_open(as_user):
    """A board meeting's flagged comments stay with the board: a moderator outside its
    audience neither opens them nor finds them in the queue, page after page."""
    host_admin = as_user("host-admin", name="Hôte")
    host = create_group(host_admin, "Les Amis du Parc")
    mona = add_member(as_user, host_admin, host, "mona", "moderator")
    hugo = add_member(as_user, host_admin, host, "hugo", "participant")
    board = create_consultation(
        host_admin, host, "Conseil", visibility="restricted", audience=["admin"]
    )["id"]
    motion = host_admin.post(
        f"/v1/consultations/{board}/debates", {"title": "Budget", "function": {"type": "vote"}}
    ).data["id"]
    publish(host_admin, board)
    for user_id in ("gina", "gus"):
        grant(host_admin, board, user_id)
    gina, gus = as_user("gina"), as_user("gus")
    public = open_debate(host_admin, host)
    confidential, visible = [], []
    for n in range(3):
        secret = say(gina, motion, f"Le trésorier SECRET-{n}", "con")["id"]
        assert gina.patch(f"/v1/comments/{secret}", {"body": f"Édité SECRET-{n}"}).status_code == (
            200
        )
        assert flag(gus, secret).status_code == 201
        confidential.append(secret)
        shared = say(hugo, public, f"Argument {n}", "pro")["id"]
        assert flag(host_admin, shared).status_code == 201
        visible.append(shared)

    assert refusal(mona.get(f"/v1/comments/{confidential[0]}")) == (404, "comment_not_found")
    seen = mona.get(f"/v1/groups/{host}/moderation?limit=100")
    assert ids(seen.data["items"]) == visible
    assert "SECRET" not in json.dumps(seen.data)
    pages = whole_queue(mona, host, limit=2)
    assert [c for page in pages for c in page] == visible
    assert ids(queue(host_admin, host)) == sorted(confidential + visible)


def test_partner_moderators_see_in_their_queue_only_what_they_could_open(as_user):
    """Not a restricted consultation's comments (where partners see nothing), and nothing
    more once the partnership is withdrawn."""
    host_admin = as_user("host-admin", name="Hôte")
    host = create_group(host_admin, "Les Amis du Parc")
    hugo = add_member(as_user, host_admin, host, "hugo", "participant")
    partner_admin = as_user("partner-admin", name="Partenaire")
    partner = create_group(partner_admin, "Quartier Nord")
    pete = add_member(as_user, partner_admin, partner, "pete", "participant")
    pmod = add_member(as_user, partner_admin, partner, "pmod", "moderator")

    def shared_debate(**fields: Any) -> tuple[str, str]:
        """Shared while drafted for members; then given `fields` (a board meeting takes no
        new partner, but keeps out one accepted before)."""
        consultation = create_consultation(host_admin, host)["id"]
        debate = host_admin.post(
            f"/v1/consultations/{consultation}/debates",
            {"title": "Fête", "function": {"type": "vote"}},
        ).data["id"]
        invited = host_admin.post(
            f"/v1/consultations/{consultation}/partners", {"group_id": partner}
        )
        assert invited.status_code == 201, invited.data
        accepted = partner_admin.post(f"/v1/consultations/{consultation}/partners/{partner}/accept")
        assert accepted.status_code == 201, accepted.data
        if fields:
            reshaped = host_admin.patch(f"/v1/consultations/{consultation}", fields)
            assert reshaped.status_code == 200, reshaped.data
        publish(host_admin, consultation)
        return consultation, debate

    board, in_board = shared_debate(visibility="restricted", audience=["admin"])
    grant(host_admin, board, "pete")  # pete speaks there, as a partner member with a grant
    grant(host_admin, board, "hugo")
    secret = say(pete, in_board, "SECRET du conseil", "con")["id"]
    assert flag(hugo, secret).status_code == 201
    fete, in_fete = shared_debate(visibility="members")
    open_comment = say(pete, in_fete, "La musique", "pro")["id"]
    assert flag(hugo, open_comment).status_code == 201

    assert ids(queue(partner_admin, partner)) == [open_comment]
    assert ids(queue(pmod, partner)) == [open_comment]
    assert refusal(pmod.get(f"/v1/comments/{secret}")) == (404, "comment_not_found")

    withdrawn = host_admin.delete(f"/v1/consultations/{fete}/partners/{partner}")
    assert withdrawn.status_code == 204, withdrawn.data
    assert refusal(pmod.get(f"/v1/comments/{open_comment}")) == (404, "comment_not_found")
    for path in (f"/v1/comments/{open_comment}/hide", f"/v1/comments/{open_comment}/restore"):
        acted = pmod.post(path, {"reason": "Hors sujet"} if path.endswith("hide") else None)
        assert refusal(acted) == (404, "comment_not_found"), path
    assert refusal(pmod.delete(f"/v1/comments/{open_comment}")) == (404, "comment_not_found")
    assert queue(pmod, partner) == []
    assert ids(queue(host_admin, host)) == sorted([secret, open_comment])


def waiting_comment(debate_id: str, group_id: str, author: str) -> str:
    """A flagged comment in `debate_id`, in `group_id`'s queue, written straight to the table."""
    from chalicelib.domain import clock
    from chalicelib.domain.deliberation import Comment, Stance
    from chalicelib.domain.ids import new_comment_id

    comment = Comment(
        id=new_comment_id(debate_id),
        debate_id=debate_id,
        parent_id=None,
        author_id=author,
        author_name=author.title(),
        author_group=None,
        body="Un argument",
        stance=Stance.PRO,
        created_at=clock.now(),
    )
    comment_store.create(comment)
    flagged = replace(comment, flags=1, flag_reasons={"spam": 1})
    comment_store.save(comment, flagged, queue=[(group_id, True)])
    return comment.id


def test_a_page_of_the_moderation_queue_costs_the_same_round_trips_whatever_it_holds(as_user):
    """Counted by botocore hooks, not timed: the consultations of a page and the reader's
    roles and grants in them are read in batches, never one item at a time."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale des locataires")
    mona = add_member(as_user, admin, group_id, "mona", "moderator")

    def debate_of(**fields: Any) -> str:
        return open_debate(admin, group_id, **fields)

    def calls_of_one_page() -> tuple[dict[str, int], list[str]]:
        with metering() as meter:
            response = mona.get(f"/v1/groups/{group_id}/moderation?limit=100")
        assert response.status_code == 200, response.data
        return dict(meter.calls), ids(response.data["items"])

    first = waiting_comment(debate_of(), group_id, "alice")
    few, seen = calls_of_one_page()
    assert seen == [first]
    visible = [first]
    for n in range(8):
        board = n % 2 == 0
        debate = debate_of(visibility="restricted", audience=["admin"]) if board else debate_of()
        for author in ("bob", "carol", "dave"):
            comment = waiting_comment(debate, group_id, author)
            if not board:
                visible.append(comment)
    many, seen = calls_of_one_page()
    assert sorted(seen) == sorted(visible)
    assert many == few


# ---------------------------------------------------------------- what is refused


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "Pour", "stance": "maybe"}, "stance"),
        ({"body": "Pour", "stance": "PRO"}, "stance"),
        ({"body": "Pour", "mood": "happy"}, "mood"),
        ({"body": 42}, "body"),
    ],
    ids=["missing", "empty", "blank", "5001", "stance", "stance-case", "unknown", "number"],
)
def test_a_comment_needs_a_body_of_1_to_5000_characters_and_a_known_stance(
    association, body, field
):
    group_id, users = association
    debate = open_debate(users["admin"], group_id)
    response = users["alice"].post(f"/v1/debates/{debate}/comments", body)
    assert invalid_fields(response) == {field}
    assert thread(users["alice"], debate) == []


def test_a_too_long_comment_is_told_in_characters(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id)
    response = users["alice"].post(
        f"/v1/debates/{debate}/comments", {"body": "x" * 5001}, headers={"Accept-Language": "en"}
    )
    [detail] = response.data["error"]["details"]
    assert detail["code"] == "string_too_long"
    assert "5000 characters" in detail["message"]


def test_5000_characters_are_enough(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id)
    assert len(say(users["alice"], debate, "x" * 5000)["body"]) == 5000


def test_edits_flags_hides_blocks_and_listings_refuse_what_they_do_not_know(association):
    group_id, users = association
    alice, bob, mona = users["alice"], users["bob"], users["mona"]
    debate = open_debate(users["admin"], group_id)
    argument = say(alice, debate, "Pour", "pro")["id"]
    path = f"/v1/comments/{argument}"
    assert invalid_fields(alice.patch(path, {"body": ""})) == {"body"}
    assert invalid_fields(alice.patch(path, {"body": "x" * 5001})) == {"body"}
    assert invalid_fields(alice.patch(path, {"body": "Pour", "stance": "con"})) == {"stance"}
    assert invalid_fields(bob.post(f"{path}/flags", {"reason": "boring"})) == {"reason"}
    assert invalid_fields(bob.post(f"{path}/flags", {})) == {"reason"}
    assert invalid_fields(mona.post(f"{path}/hide", {})) == {"reason"}
    assert invalid_fields(mona.put(f"/v1/groups/{group_id}/blocks/bob", {})) == {"reason"}
    late = {"reason": "Insultes", "until": "demain"}
    assert invalid_fields(mona.put(f"/v1/groups/{group_id}/blocks/bob", late)) == {"until"}
    listing = f"/v1/debates/{debate}/comments"
    assert invalid_fields(bob.get(f"{listing}?sort=best")) == {"sort"}
    assert invalid_fields(bob.get(f"{listing}?stance=maybe")) == {"stance"}
    assert invalid_fields(bob.get(f"{listing}?limit=0")) == {"limit"}
    assert (shown(bob, argument)["body"], shown(bob, argument)["hidden"]) == ("Pour", False)


def test_unknown_debates_and_comments_are_not_found(association):
    group_id, users = association
    alice = users["alice"]
    debate = open_debate(users["admin"], group_id)
    unknown_debate = debate[:12] + "000000000000"
    unknown_comment = debate + "000000000000"
    assert refusal(alice.get(f"/v1/debates/{unknown_debate}/comments")) == (
        404,
        "debate_not_found",
    )
    assert refusal(alice.post("/v1/debates/nonsense/comments", {"body": "x"})) == (
        404,
        "debate_not_found",
    )
    for path in (f"/v1/comments/{unknown_comment}", "/v1/comments/nonsense"):
        assert refusal(alice.get(path)) == (404, "comment_not_found")
        assert refusal(alice.put(f"{path}/reaction")) == (404, "comment_not_found")


# ---------------------------------------------------------------- counts per stance


def test_a_debate_shows_its_comment_counts_per_stance(association):
    group_id, users = association
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    debate = open_debate(users["admin"], group_id)

    def counts() -> dict[str, int]:
        response = carol.get(f"/v1/debates/{debate}")
        assert response.status_code == 200, response.data
        return response.data["comments"]

    assert counts() == {"pro": 0, "con": 0, "neutral": 0}
    first = say(alice, debate, "Pour", "pro")["id"]
    say(bob, debate, "Pour aussi", "pro")
    say(carol, debate, "Contre", "con", parent_id=first)  # a reply counts under its stance
    say(bob, debate, "Sans avis")
    assert counts() == {"pro": 2, "con": 1, "neutral": 1}
    assert alice.delete(f"/v1/comments/{first}").status_code == 204  # a deleted one leaves
    assert counts() == {"pro": 1, "con": 1, "neutral": 1}
    consultation = debate[:12]
    listed = carol.get(f"/v1/consultations/{consultation}/debates").data["items"]
    assert [d["comments"] for d in listed] == [{"pro": 1, "con": 1, "neutral": 1}]
