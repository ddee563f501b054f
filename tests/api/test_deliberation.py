"""Deliberation, as the issue's acceptance reads: arguments, replies, reactions, flags,
moderation and blocks."""

from __future__ import annotations

import pytest

from tests.api.helpers import (
    add_member,
    audit_actions,
    create_consultation,
    create_group,
    publish,
)


@pytest.fixture
def debate(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Quartier")
    users = {"admin": admin}
    for sub, role in [
        ("ana", "participant"),
        ("ben", "participant"),
        ("cy", "participant"),
        ("dee", "participant"),
        ("mod", "moderator"),
        ("obs", "observer"),
    ]:
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    c = create_consultation(admin, group_id)
    debate_id = admin.post(
        f"/v1/consultations/{c['id']}/debates", {"title": "Bancs", "function": {"type": "vote"}}
    ).data["id"]
    publish(admin, c["id"])
    return group_id, debate_id, users


def say(user, debate_id, body, stance="neutral", parent_id=None):
    sent = {"body": body, "stance": stance} | ({"parent_id": parent_id} if parent_id else {})
    response = user.post(f"/v1/debates/{debate_id}/comments", sent)
    assert response.status_code == 201, response.data
    return response.data["id"]


def test_participants_argue_reply_and_top_orders_by_reactions(debate):
    _group_id, debate_id, users = debate
    pro = say(users["ana"], debate_id, "Des bancs pour les aînés", "pro")
    con = say(users["ben"], debate_id, "Trop cher", "con")
    reply = say(users["cy"], debate_id, "Pas si cher", "pro", parent_id=con)
    for who in ("cy", "dee"):
        assert users[who].put(f"/v1/comments/{con}/reaction").status_code == 201
    assert users["dee"].put(f"/v1/comments/{con}/reaction").status_code == 200  # once each
    top = users["dee"].get(f"/v1/debates/{debate_id}/comments?sort=top").data["items"]
    assert [c["id"] for c in top] == [con, pro]
    assert (top[0]["reactions"], top[0]["replies"], top[0]["reacted"]) == (2, 1, True)
    assert top[1]["reacted"] is False
    new = users["dee"].get(f"/v1/debates/{debate_id}/comments?sort=new").data["items"]
    assert [c["id"] for c in new] == [con, pro]
    pros = users["dee"].get(f"/v1/debates/{debate_id}/comments?stance=pro").data["items"]
    assert [c["id"] for c in pros] == [pro]
    replies = users["ana"].get(f"/v1/comments/{con}/replies").data["items"]
    assert [(r["id"], r["parent_id"]) for r in replies] == [(reply, con)]
    too_deep = users["ana"].post(
        f"/v1/debates/{debate_id}/comments", {"body": "x", "parent_id": reply}
    )
    assert (too_deep.status_code, too_deep.data["error"]["details"][0]["field"]) == (
        422,
        "parent_id",
    )
    assert users["admin"].get(f"/v1/debates/{debate_id}").data["comments"] == {
        "pro": 2,
        "con": 1,
        "neutral": 0,
    }
    assert users["ana"].put(f"/v1/comments/{pro}/reaction").data["error"]["code"] == "own_comment"
    assert users["obs"].post(f"/v1/debates/{debate_id}/comments", {"body": "x"}).status_code == 403


def test_three_distinct_flags_hide_a_comment_until_a_moderator_restores_it(debate):
    group_id, debate_id, users = debate
    rude = say(users["ana"], debate_id, "Propos déplacés", "con")
    for n, who in enumerate(("ben", "cy"), start=1):
        assert (
            users[who].post(f"/v1/comments/{rude}/flags", {"reason": "offensive"}).status_code
            == 201
        )
        assert users["dee"].get(f"/v1/comments/{rude}").data["hidden"] is False, n
    again = users["ben"].post(f"/v1/comments/{rude}/flags", {"reason": "spam"})
    assert (again.status_code, again.data["error"]["code"]) == (409, "already_flagged")
    users["dee"].post(f"/v1/comments/{rude}/flags", {"reason": "spam"})
    for path in (f"/v1/comments/{rude}", f"/v1/debates/{debate_id}/comments?sort=new"):
        shown = users["obs"].get(path).data
        shown = shown["items"][0] if "items" in shown else shown
        assert (shown["hidden"], shown["body"], shown["hidden_reason"]) == (True, None, "flagged")
    assert users["ana"].get(f"/v1/comments/{rude}").data["body"] == "Propos déplacés"
    queue = users["mod"].get(f"/v1/groups/{group_id}/moderation").data["items"]
    assert [(c["id"], c["flags"], c["flag_reasons"]) for c in queue] == [
        (rude, 3, {"offensive": 2, "spam": 1})
    ]
    assert users["ben"].get(f"/v1/groups/{group_id}/moderation").status_code == 403
    restored = users["mod"].post(f"/v1/comments/{rude}/restore")
    assert (restored.status_code, restored.data["hidden"]) == (200, False)
    assert users["obs"].get(f"/v1/comments/{rude}").data["body"] == "Propos déplacés"
    assert users["mod"].get(f"/v1/groups/{group_id}/moderation").data["items"] == []
    actions = audit_actions(users["admin"], group_id)
    assert actions[-2:] == ["comment_auto_hidden", "comment_restored"]


def test_a_blocked_member_cannot_comment_react_flag_or_vote_until_unblocked(debate):
    group_id, debate_id, users = debate
    target = say(users["ana"], debate_id, "Un avis")
    ben = users["ben"]
    block = users["mod"].put(f"/v1/groups/{group_id}/blocks/ben", {"reason": "Insultes"})
    assert block.status_code == 200
    for response in (
        ben.post(f"/v1/debates/{debate_id}/comments", {"body": "encore"}),
        ben.put(f"/v1/comments/{target}/reaction"),
        ben.post(f"/v1/comments/{target}/flags", {"reason": "spam"}),
        ben.put(f"/v1/debates/{debate_id}/ballot", {"choice": "no"}),
    ):
        assert (response.status_code, response.data["error"]["code"]) == (409, "blocked")
    assert users["mod"].delete(f"/v1/groups/{group_id}/blocks/ben").status_code == 204
    assert ben.put(f"/v1/debates/{debate_id}/ballot", {"choice": "no"}).status_code == 201
    assert ben.put(f"/v1/comments/{target}/reaction").status_code == 201
    assert audit_actions(users["admin"], group_id)[-2:] == ["member_blocked", "member_unblocked"]


def test_a_block_whose_end_has_passed_no_longer_blocks(debate):
    group_id, debate_id, users = debate
    users["mod"].put(
        f"/v1/groups/{group_id}/blocks/ben", {"reason": "1 jour", "until": "2020-01-01T00:00:00Z"}
    )
    assert users["ben"].put(f"/v1/debates/{debate_id}/ballot", {"choice": "yes"}).status_code == 201


def test_edits_keep_earlier_versions_for_moderators_only_and_deletion_leaves_a_placeholder(
    debate,
):
    _group_id, debate_id, users = debate
    cid = say(users["ana"], debate_id, "Première version")
    edited = users["ana"].patch(f"/v1/comments/{cid}", {"body": "Seconde version"})
    assert (edited.status_code, edited.data["body"]) == (200, "Seconde version")
    assert "history" not in users["ben"].get(f"/v1/comments/{cid}").data
    history = users["mod"].get(f"/v1/comments/{cid}").data["history"]
    assert [v["body"] for v in history] == ["Première version"]
    assert users["ben"].patch(f"/v1/comments/{cid}", {"body": "x"}).status_code == 403
    assert users["ana"].delete(f"/v1/comments/{cid}").status_code == 204
    gone = users["ben"].get(f"/v1/comments/{cid}").data
    assert (gone["deleted"], gone["body"], gone["author"]) == (True, None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "x", "stance": "maybe"}, "stance"),
        ({"body": "x", "colour": "red"}, "colour"),
    ],
)
def test_invalid_comments_are_422_naming_the_field(debate, body, field):
    _, debate_id, users = debate
    response = users["ana"].post(f"/v1/debates/{debate_id}/comments", body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.data["error"]["details"]]
