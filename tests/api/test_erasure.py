"""DELETE /v1/me: a person erases their account. What others rely on stays, without them:
comments as a deleted member's, closed ballots counted under pseudonyms, audit entries with
a pseudonym; the rest of theirs goes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.model import Caller
from chalicelib.services import privacy
from chalicelib.services.ballots import voting
from chalicelib.services.closer import close_due_consultations
from chalicelib.services.closing import grace, recount
from chalicelib.store import privacy as privacy_store
from tests.api.helpers import (
    add_member,
    audit_log,
    create_consultation,
    create_group,
    publish,
    travel,
)


def debate_in(admin, consultation_id, function):
    debate = admin.post(
        f"/v1/consultations/{consultation_id}/debates", {"title": "Motion", "function": function}
    )
    assert debate.status_code == 201, debate.data
    return debate.data["id"]


@pytest.fixture
def amicale(as_user):
    admin = as_user("admin", name="Admin")
    group = create_group(admin, "Amicale")
    users = {"admin": admin}
    for sub in ("ana", "ben"):
        users[sub] = add_member(as_user, admin, group, sub, "participant")
    return group, users


def owned_by(user_id):
    return privacy_store.owned(user_id)


def test_a_member_comments_votes_exports_and_erases(amicale, drain, monkeypatch):
    """Acceptance 1: the export finds the comment and the ballot; after the erasure the
    comment shows a deleted member with no text, the open ballot no longer counts, and a
    finalised result's recount is unchanged."""
    group, users = amicale
    admin, ana, ben = users["admin"], users["ana"], users["ben"]
    closing = create_consultation(admin, group, "Fête", closes_at=_in(timedelta(hours=1)))
    closed_vote = debate_in(admin, closing["id"], {"type": "vote"})
    closed_secret = debate_in(admin, closing["id"], {"type": "vote", "secret": True})
    publish(admin, closing["id"])
    ana.put(f"/v1/debates/{closed_vote}/ballot", {"choice": "yes"}, expect=201)
    ana.put(f"/v1/debates/{closed_secret}/ballot", {"choice": "no"}, expect=201)
    ben.put(f"/v1/debates/{closed_vote}/ballot", {"choice": "no"}, expect=201)
    travel(monkeypatch, timedelta(hours=1) + grace() + timedelta(minutes=1))
    assert close_due_consultations() >= 1
    final = admin.get(f"/v1/debates/{closed_vote}/results", expect=200).data
    assert final["final"] is True

    budget = create_consultation(admin, group, "Budget")
    live = debate_in(admin, budget["id"], {"type": "vote", "results_visibility": "live"})
    publish(admin, budget["id"])
    ana.put(f"/v1/debates/{live}/ballot", {"choice": "yes"}, expect=201)
    ben.put(f"/v1/debates/{live}/ballot", {"choice": "no"}, expect=201)
    argument = ana.post(f"/v1/debates/{live}/comments", {"body": "Je suis pour", "stance": "pro"})
    reply = ben.post(
        f"/v1/debates/{live}/comments", {"body": "Moi non", "parent_id": argument.data["id"]}
    )
    assert reply.status_code == 201
    drain()
    assert admin.get(f"/v1/debates/{live}/results").data["counts"]["yes"] == 1

    exported = ana.get("/v1/me/export", expect=200).data
    assert [c["body"] for c in exported["comments"]] == ["Je suis pour"]
    assert {b["debate_id"] for b in exported["ballots"]} == {closed_vote, closed_secret, live}

    assert ana.delete("/v1/me").status_code == 204

    shown = admin.get(f"/v1/comments/{argument.data['id']}", expect=200).data
    assert (shown["author_erased"], shown["body"], shown["author"]) == (True, None, None)
    assert shown["deleted"] is False and shown["replies"] == 1
    replies = admin.get(f"/v1/comments/{argument.data['id']}/replies").data["items"]
    assert [r["body"] for r in replies] == ["Moi non"]
    drain()
    running = admin.get(f"/v1/debates/{live}/results").data
    assert (running["counts"]["yes"], running["counts"]["no"], running["total"]) == (0, 1, 1)
    after = admin.get(f"/v1/debates/{closed_vote}/results", expect=200).data
    assert after["counts"] == final["counts"]
    debate = voting(Caller("admin"), closed_vote).debate
    assert recount(debate, debate.created_at + timedelta(days=30)).per_option == final["counts"]
    secret = voting(Caller("admin"), closed_secret).debate
    assert recount(secret, secret.created_at + timedelta(days=30)).ballots == 1
    assert owned_by("ana") == []
    assert ana.get("/v1/me/export").data["ballots"] == []


def _in(delta):
    from tests.api.helpers import moment

    return moment(delta)


def test_reactions_and_flags_go_with_their_counts(amicale):
    group, users = amicale
    admin, ana, ben = users["admin"], users["ana"], users["ben"]
    c = create_consultation(admin, group)
    debate = debate_in(admin, c["id"], {"type": "none"})
    publish(admin, c["id"])
    comment = ben.post(f"/v1/debates/{debate}/comments", {"body": "Texte"}).data["id"]
    ana.put(f"/v1/comments/{comment}/reaction", expect=201)
    ana.post(f"/v1/comments/{comment}/flags", {"reason": "spam"}, expect=201)
    ana.delete("/v1/me", expect=204)
    assert admin.get(f"/v1/comments/{comment}").data["reactions"] == 0
    queue = admin.get(f"/v1/groups/{group}/moderation").data["items"]
    [entry] = [q for q in queue if q["id"] == comment]  # the queue entry stays
    assert entry["flags"] == 0 and entry["flag_reasons"] == {}
    assert ben.get(f"/v1/comments/{comment}").data["body"] == "Texte"


def test_memberships_go_through_the_groups_counts_and_are_audited_without_the_id(amicale):
    group, users = amicale
    admin, ana = users["admin"], users["ana"]
    ana.get("/v1/me")
    ana.patch("/v1/me", {"display_name": "Ana"}, expect=200)
    before = admin.get(f"/v1/groups/{group}").data["member_count"]
    ana.delete("/v1/me", expect=204)
    assert admin.get(f"/v1/groups/{group}").data["member_count"] == before - 1
    members = admin.get(f"/v1/groups/{group}/members").data["items"]
    assert "ana" not in str(members)
    log = audit_log(admin, group)
    erased = [e for e in log if e["action"] == "member_erased"]
    assert len(erased) == 1
    assert "ana" not in str(log)  # the invitation she accepted names a pseudonym now
    assert erased[0]["actor"]["id"].startswith("erased-")
    gone = ana.get("/v1/me/export").data  # what an export made now would find
    assert (gone["profile"], gone["reachability"], gone["memberships"]) == (None, None, [])


def test_the_only_admin_is_told_to_hand_over_and_nothing_changes(amicale):
    group, users = amicale
    admin = users["admin"]
    admin.get("/v1/me")
    before = admin.get("/v1/me/export").data
    refused = admin.delete("/v1/me", headers={"Accept-Language": "fr"}, expect=409)
    assert refused.data["error"]["code"] == "last_admin"
    assert refused.data["error"]["details"][0]["field"] == group
    assert "Amicale" in refused.data["error"]["details"][0]["message"]
    after = admin.get("/v1/me/export").data
    assert {k: v for k, v in after.items() if k != "generated_at"} == {
        k: v for k, v in before.items() if k != "generated_at"
    }


def test_an_admin_beside_another_admin_may_go(as_user, amicale):
    group, users = amicale
    users["zoe"] = add_member(as_user, users["admin"], group, "zoe", "admin")
    assert users["admin"].delete("/v1/me").status_code == 204
    members = users["zoe"].get(f"/v1/groups/{group}/members").data["items"]
    assert [m["role"] for m in members].count("admin") == 1


def test_a_second_call_answers_204_and_changes_nothing(amicale):
    _, users = amicale
    users["ana"].delete("/v1/me", expect=204)
    users["ana"].delete("/v1/me", expect=204)


def test_past_its_budget_it_answers_202_and_goes_on(amicale, monkeypatch):
    group, users = amicale
    admin, ana = users["admin"], users["ana"]
    c = create_consultation(admin, group)
    debate = debate_in(admin, c["id"], {"type": "none"})
    publish(admin, c["id"])
    for n in range(4):
        ana.post(f"/v1/debates/{debate}/comments", {"body": f"Argument {n}"}, expect=201)
    monkeypatch.setattr(privacy, "BUDGET_ITEMS", 2)
    answers = []
    for _ in range(10):
        answer = ana.delete("/v1/me")
        answers.append(answer.status_code)
        if answer.status_code == 204:
            break
        assert answer.data == {"status": "erasing"}
    assert answers[0] == 202 and answers[-1] == 204
    assert owned_by("ana") == []
    listed = admin.get(f"/v1/debates/{debate}/comments").data["items"]
    assert [(c["author_erased"], c["body"]) for c in listed] == [(True, None)] * 4


def test_nobody_elses_data_changes(amicale):
    group, users = amicale
    admin, ana, ben = users["admin"], users["ana"], users["ben"]
    c = create_consultation(admin, group)
    debate = debate_in(admin, c["id"], {"type": "vote"})
    publish(admin, c["id"])
    ben.put(f"/v1/debates/{debate}/ballot", {"choice": "no"}, expect=201)
    ben.post(f"/v1/debates/{debate}/comments", {"body": "Ben"}, expect=201)
    ana.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}, expect=201)
    before = ben.get("/v1/me/export").data
    ana.delete("/v1/me", expect=204)
    after = ben.get("/v1/me/export").data
    assert {k: v for k, v in after.items() if k != "generated_at"} == {
        k: v for k, v in before.items() if k != "generated_at"
    }


def test_it_needs_a_token(as_user):
    assert as_user(None).delete("/v1/me").status_code == 401


def test_an_open_secret_ballot_stays_counted_and_the_same_sign_in_cannot_vote_again(as_user, drain):
    """The Hub cannot tell which anonymous ballot is theirs: it stays counted. Its marker
    keeps their id while the debate is open, so signing in again does not give a second
    ballot; an erasure asked again once it is closed moves the marker to a pseudonym."""
    admin = as_user("admin", name="Admin")
    group = create_group(admin, "Quartier")
    c = create_consultation(admin, group, visibility="public", participation="signed_in")
    secret = debate_in(
        admin, c["id"], {"type": "vote", "secret": True, "results_visibility": "live"}
    )
    publish(admin, c["id"])
    ana = as_user("ana", name="Ana")
    ana.put(f"/v1/debates/{secret}/ballot", {"choice": "yes"}, expect=201)
    drain()
    ana.delete("/v1/me", expect=204)
    drain()
    assert admin.get(f"/v1/debates/{secret}/results").data["counts"]["yes"] == 1
    again = as_user("ana", name="Ana").put(f"/v1/debates/{secret}/ballot", {"choice": "no"})
    assert again.status_code == 409 and again.data["error"]["code"] == "already_voted"
    drain()
    assert admin.get(f"/v1/debates/{secret}/results").data["counts"] == {
        "yes": 1,
        "no": 0,
        "abstain": 0,
    }

    admin.post(f"/v1/consultations/{c['id']}/close", {"reason": "Fin"}, expect=200)
    ana.delete("/v1/me", expect=204)
    debate = voting(Caller("admin"), secret).debate
    assert [m.voter_id[:7] for m in privacy_store_markers(debate)] == ["erased-"]
    assert owned_by("ana") == []


def privacy_store_markers(debate):
    from chalicelib.store.ballots import markers

    return list(markers(debate))


def test_requests_invitations_blocks_and_entries_about_them_go_or_lose_their_id(as_user):
    admin = as_user("admin", name="Admin")
    group = create_group(admin, "Amicale")
    zoe = add_member(as_user, admin, group, "zoe", "admin")
    mod = add_member(as_user, admin, group, "mod", "moderator")
    club = create_group(as_user("clubadmin"), "Club", join_policy="request")
    zoe.post(f"/v1/groups/{club}/join", expect=202)
    code = zoe.post(f"/v1/groups/{group}/invitations", {"role": "observer"}).data["code"]
    admin.put(f"/v1/groups/{group}/members/zoe", {"role": "participant"}, expect=200)
    mod.put(f"/v1/groups/{group}/blocks/zoe", {"reason": "Spam"}, expect=200)
    zoe.delete("/v1/me", expect=204)
    assert as_user("newcomer").get(f"/v1/invitations/{code}").status_code == 404
    assert as_user("clubadmin").get(f"/v1/groups/{club}/join-requests").data["items"] == []
    assert mod.delete(f"/v1/groups/{group}/blocks/zoe").status_code == 404
    log = audit_log(admin, group)
    assert "zoe" not in str(log)
    changed = [e for e in log if e["action"] == "member_role_changed"]
    assert changed[0]["subject_id"].startswith("erased-")
    assert changed[0]["actor"]["id"] == "admin"  # someone else's part stays theirs


def test_audit_details_naming_them_name_the_pseudonym(amicale):
    """Wherever an entry about them names them in its details (in a list, in a map), the
    pseudonym does. (The Hub's entries name a person only as actor or subject.)"""
    from chalicelib.domain import clock
    from chalicelib.domain.model import AuditEvent
    from chalicelib.store.audit import record_in
    from chalicelib.store.table import transact

    group, users = amicale
    event = AuditEvent(
        group_id=group,
        action="member_role_changed",
        actor_id="admin",
        actor_name="Admin",
        at=clock.now(),
        subject_id="ana",
        details={"for": "ana", "people": ["ana", "ben"], "by": {"who": "ana"}},
    )
    transact(lambda t: record_in(t, event))
    users["ana"].delete("/v1/me", expect=204)
    [entry] = [e for e in audit_log(users["admin"], group) if e["details"].get("people")]
    alias = entry["details"]["for"]
    assert alias.startswith("erased-")
    assert entry["details"] == {"for": alias, "people": [alias, "ben"], "by": {"who": alias}}
    assert (entry["actor"]["id"], entry["subject_id"]) == ("admin", alias)


def test_a_reaction_racing_the_erasure_is_counted_and_theirs_taken_back(
    as_user, amicale, monkeypatch
):
    """Someone reacts to the same comment between the erasure's read and its write: the
    erasure's write is refused by the comment's version, read again, and both counts hold."""
    from chalicelib.services import reactions
    from chalicelib.store import comments as comment_store

    group, users = amicale
    admin, ana, ben = users["admin"], users["ana"], users["ben"]
    add_member(as_user, admin, group, "cleo", "participant")
    c = create_consultation(admin, group)
    debate = debate_in(admin, c["id"], {"type": "none"})
    publish(admin, c["id"])
    comment = ben.post(f"/v1/debates/{debate}/comments", {"body": "Texte"}).data["id"]
    ana.put(f"/v1/comments/{comment}/reaction", expect=201)
    ana.post(f"/v1/comments/{comment}/flags", {"reason": "spam"}, expect=201)

    original, raced = comment_store.save, []

    def racing_save(*args, **kwargs):
        if not raced:
            raced.append(True)
            assert reactions.react(Caller("cleo", "Cléo"), comment) is True
        return original(*args, **kwargs)

    monkeypatch.setattr(comment_store, "save", racing_save)
    ana.delete("/v1/me", expect=204)
    monkeypatch.setattr(comment_store, "save", original)
    shown = admin.get(f"/v1/comments/{comment}").data
    assert shown["reactions"] == 1  # cleo's, not ana's
    queue = admin.get(f"/v1/groups/{group}/moderation").data["items"]
    assert [(q["flags"], q["flag_reasons"]) for q in queue if q["id"] == comment] == [(0, {})]
    assert owned_by("ana") == []
