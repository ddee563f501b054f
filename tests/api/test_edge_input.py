"""What reaches the Hub from the edge: path parameters, ids bound for the table's keys, the
text of names and bodies, and JSON objects.

- A path parameter arrives percent-encoded, as clients send it and as API Gateway (and
  Chalice's local server and test client) pass it on: it is decoded once, for every route.
- Every id that becomes part of a key fits DynamoDB's key sizes: at most 256 bytes of UTF-8,
  else 422 naming the parameter (never a 500 from the table).
- Names are one visible line: no control, line-separator or bidi-override characters, and
  not empty once invisible characters are set aside. NUL is dropped from longer texts.
- A JSON object that names a key twice is refused (400 `duplicate_key`), whichever route.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.api.helpers import add_member, create_consultation, create_group, sealed_cursor

# Subjects an identity provider may issue, as people and IdPs write them.
AWKWARD_IDS = ["élodie", "Zoë Martin", "a|b", "%41", "a+b", "auth0|5f1c?x#y", "李雷"]


def in_path(user_id: str) -> str:
    """A path segment as an HTTP client sends it: percent-encoded UTF-8."""
    return quote(user_id, safe="")


# ---------------------------------------------------------------- path parameters, decoded once


@pytest.mark.parametrize("user_id", AWKWARD_IDS)
def test_an_admin_can_re_role_and_remove_a_member_whatever_their_id(as_user, user_id):
    admin = as_user("founder")
    group_id = create_group(admin)
    add_member(as_user, admin, group_id, user_id, "participant")

    changed = admin.put(f"/v1/groups/{group_id}/members/{in_path(user_id)}", {"role": "author"})
    assert changed.status_code == 200, changed.data
    assert changed.data["id"] == user_id
    assert changed.data["role"] == "author"

    removed = admin.delete(f"/v1/groups/{group_id}/members/{in_path(user_id)}")
    assert removed.status_code == 204, removed.data
    listed = admin.get(f"/v1/groups/{group_id}/members").data["items"]
    assert [member["id"] for member in listed] == ["founder"]


@pytest.mark.parametrize("user_id", AWKWARD_IDS)
def test_a_member_can_leave_whatever_their_id(as_user, user_id):
    admin = as_user("founder")
    group_id = create_group(admin)
    member = add_member(as_user, admin, group_id, user_id, "observer")
    assert member.delete(f"/v1/groups/{group_id}/members/{in_path(user_id)}").status_code == 204


@pytest.mark.parametrize("user_id", AWKWARD_IDS)
def test_an_admin_can_approve_or_reject_a_request_to_join_whatever_the_id(as_user, user_id):
    admin = as_user("founder")
    group_id = create_group(admin, join_policy="request")
    other = f"{user_id}-2"
    for sub in (user_id, other):
        assert as_user(sub).post(f"/v1/groups/{group_id}/join").status_code == 202

    approved = admin.post(f"/v1/groups/{group_id}/join-requests/{in_path(user_id)}/approve")
    assert approved.status_code == 201, approved.data
    assert approved.data["id"] == user_id
    rejected = admin.post(f"/v1/groups/{group_id}/join-requests/{in_path(other)}/reject")
    assert rejected.status_code == 204, rejected.data
    assert admin.get(f"/v1/groups/{group_id}/join-requests").data["items"] == []


@pytest.mark.parametrize("user_id", AWKWARD_IDS)
def test_a_moderator_can_block_and_unblock_whatever_the_id(as_user, user_id):
    admin = as_user("founder")
    group_id = create_group(admin)
    add_member(as_user, admin, group_id, user_id, "participant")

    blocked = admin.put(
        f"/v1/groups/{group_id}/blocks/{in_path(user_id)}", {"reason": "insultes répétées"}
    )
    assert blocked.status_code == 200, blocked.data
    assert blocked.data["user_id"] == user_id
    unblocked = admin.delete(f"/v1/groups/{group_id}/blocks/{in_path(user_id)}")
    assert unblocked.status_code == 204, unblocked.data


@pytest.mark.parametrize("user_id", AWKWARD_IDS)
def test_an_admin_can_grant_and_take_back_a_role_whatever_the_id(as_user, user_id):
    admin = as_user("founder")
    group_id = create_group(admin)
    consultation_id = create_consultation(admin, group_id)["id"]
    path = f"/v1/consultations/{consultation_id}/grants/{in_path(user_id)}"

    granted = admin.put(path, {"role": "observer"})
    assert granted.status_code == 201, granted.data
    assert granted.data["id"] == user_id
    grants = admin.get(f"/v1/consultations/{consultation_id}/grants").data["items"]
    assert [grant["id"] for grant in grants] == [user_id]
    assert admin.delete(path).status_code == 204


def test_a_percent_sign_in_an_id_is_decoded_only_once(as_user):
    """`%2541` is the id `%41`, never `A`: decoding twice would act on someone else."""
    admin = as_user("founder")
    group_id = create_group(admin)
    add_member(as_user, admin, group_id, "A", "participant")
    add_member(as_user, admin, group_id, "%41", "participant")

    assert admin.delete(f"/v1/groups/{group_id}/members/%2541").status_code == 204
    listed = admin.get(f"/v1/groups/{group_id}/members").data["items"]
    assert sorted(member["id"] for member in listed) == ["A", "founder"]


def test_a_path_parameter_that_is_not_utf8_is_422_naming_it(as_user):
    admin = as_user("founder")
    group_id = create_group(admin)
    response = admin.delete(f"/v1/groups/{group_id}/members/%C3%28")
    assert response.status_code == 422, response.data
    assert [d["field"] for d in response.data["error"]["details"]] == ["user_id"]


# ---------------------------------------------------------------- ids bounded for the keys

LONG_IDS = ["x" * 1100, "é" * 129, "😀" * 65]  # 1,100, 258 and 260 bytes


@pytest.mark.parametrize("user_id", LONG_IDS)
@pytest.mark.parametrize(
    ("method", "template", "body"),
    [
        ("PUT", "/v1/groups/{group}/blocks/{user}", {"reason": "spam"}),
        ("DELETE", "/v1/groups/{group}/blocks/{user}", None),
        ("PUT", "/v1/groups/{group}/members/{user}", {"role": "author"}),
        ("DELETE", "/v1/groups/{group}/members/{user}", None),
        ("POST", "/v1/groups/{group}/join-requests/{user}/approve", None),
        ("POST", "/v1/groups/{group}/join-requests/{user}/reject", None),
        ("PUT", "/v1/consultations/{consultation}/grants/{user}", {"role": "observer"}),
        ("DELETE", "/v1/consultations/{consultation}/grants/{user}", None),
    ],
)
def test_a_user_id_longer_than_256_bytes_is_422_in_every_route(
    as_user, method, template, body, user_id
):
    admin = as_user("founder")
    group_id = create_group(admin)
    consultation_id = create_consultation(admin, group_id)["id"]
    path = template.format(group=group_id, consultation=consultation_id, user=in_path(user_id))
    response = admin.request(method, path, body)
    assert response.status_code == 422, response.data
    assert response.data["error"]["code"] == "validation_failed"
    details = response.data["error"]["details"]
    assert [(d["field"], d["code"]) for d in details] == [("user_id", "too_many_bytes")]


def test_a_user_id_of_exactly_256_bytes_still_works(as_user):
    admin = as_user("founder")
    group_id = create_group(admin)
    user_id = "é" * 128  # 256 bytes
    add_member(as_user, admin, group_id, user_id, "participant")
    blocked = admin.put(f"/v1/groups/{group_id}/blocks/{in_path(user_id)}", {"reason": "spam"})
    assert blocked.status_code == 200, blocked.data


@pytest.mark.parametrize(
    "template",
    [
        "/v1/groups/{id}",
        "/v1/groups/{id}/members",
        "/v1/consultations/{id}",
        "/v1/debates/{id}",
        "/v1/debates/{id}/comments",
        "/v1/comments/{id}",
        "/v1/invitations/{id}",
        "/v1/debates/abcdefghjkmnabcdefghjkmn/receipts/{id}",
    ],
)
def test_any_other_oversized_path_id_is_422_not_500(as_user, template):
    response = as_user("founder").get(template.format(id=in_path("😀" * 300)))
    assert response.status_code == 422, response.data
    assert response.data["error"]["code"] == "validation_failed"


# ---------------------------------------------------------------- names: one visible line

BAD_NAMES = [
    "Conseil\u202eda",  # right-to-left override
    "\u202aConseil",  # left-to-right embedding
    "Conseil\u2066x\u2069",  # isolates
    "\u200b",  # zero-width space only
    "\ufeff",  # BOM only
    "\u200b\u200d\u2060\ufeff",  # invisible characters only
    "\u3164",  # Hangul filler only
    "Conseil\u2028d'administration",  # line separator
    "Conseil\u2029x",  # paragraph separator
    "Conseil\x00",  # NUL
    "Conseil\x85x",  # NEL (C1 control)
    "Conseil\tx",  # tab
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_group_name_must_be_one_visible_line(as_user, name):
    response = as_user("alice").post("/v1/groups", {"name": name})
    assert response.status_code == 422, response.data
    assert [d["field"] for d in response.data["error"]["details"]] == ["name"]


@pytest.mark.parametrize("name", BAD_NAMES[:3] + BAD_NAMES[6:8])
def test_a_renamed_group_follows_the_same_rule(as_user, name):
    alice = as_user("alice")
    group_id = create_group(alice)
    response = alice.patch(f"/v1/groups/{group_id}", {"name": name})
    assert response.status_code == 422, response.data
    assert [d["field"] for d in response.data["error"]["details"]] == ["name"]


@pytest.mark.parametrize("title", ["\u200b\u200b", "Budget\u202e2025", "Budget\u2028x"])
def test_consultation_and_debate_titles_follow_the_same_rule(as_user, title):
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation = alice.post(
        f"/v1/groups/{group_id}/consultations",
        {"title": title, "visibility": "members", "closes_at": "2099-01-01T00:00:00Z"},
    )
    assert consultation.status_code == 422, consultation.data
    assert [d["field"] for d in consultation.data["error"]["details"]] == ["title"]

    consultation_id = create_consultation(alice, group_id)["id"]
    debate = alice.post(f"/v1/consultations/{consultation_id}/debates", {"title": title})
    assert debate.status_code == 422, debate.data
    assert [d["field"] for d in debate.data["error"]["details"]] == ["title"]


def test_poll_option_labels_follow_the_same_rule(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation_id = create_consultation(alice, group_id)["id"]
    response = alice.post(
        f"/v1/consultations/{consultation_id}/debates",
        {
            "title": "Quel jour ?",
            "function": {"type": "poll", "options": ["Lundi", "\u202eidnuL"]},
        },
    )
    assert response.status_code == 422, response.data
    assert [d["field"] for d in response.data["error"]["details"]] == ["function.poll.options.1"]


@pytest.mark.parametrize(
    "name", ["Zoë & Élodie", "李雷的协会", "👩‍👩‍👧 Familles", "نادي الحي", "Café\u0301 des arts"]
)
def test_names_in_every_script_and_with_emoji_sequences_are_accepted(as_user, name):
    response = as_user("alice").post("/v1/groups", {"name": name})
    assert response.status_code == 201, response.data
    assert response.data["name"] == name


def test_nul_is_dropped_from_longer_texts(as_user):
    alice = as_user("alice")
    response = alice.post("/v1/groups", {"name": "Les Amis", "description": "ligne 1\x00\nligne 2"})
    assert response.status_code == 201, response.data
    assert response.data["description"] == "ligne 1\nligne 2"


def test_a_comment_body_keeps_its_lines_but_loses_nul(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation_id = create_consultation(alice, group_id, opens_at=None)["id"]
    debate = alice.post(f"/v1/consultations/{consultation_id}/debates", {"title": "Parlons-en"})
    assert debate.status_code == 201, debate.data
    alice.post(f"/v1/consultations/{consultation_id}/publish")
    comment = alice.post(
        f"/v1/debates/{debate.data['id']}/comments", {"body": "D'accord\x00.\nMerci."}
    )
    assert comment.status_code == 201, comment.data
    assert comment.data["body"] == "D'accord.\nMerci."


@pytest.mark.parametrize("body", ["\x00", "\u200b\ufeff", " \x00 "])
def test_a_comment_with_nothing_visible_is_422(as_user, body):
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation_id = create_consultation(alice, group_id)["id"]
    debate = alice.post(f"/v1/consultations/{consultation_id}/debates", {"title": "Parlons-en"})
    alice.post(f"/v1/consultations/{consultation_id}/publish")
    response = alice.post(f"/v1/debates/{debate.data['id']}/comments", {"body": body})
    assert response.status_code == 422, response.data
    assert [d["field"] for d in response.data["error"]["details"]] == ["body"]


def test_a_lone_surrogate_is_no_text_and_answers_400_not_500(as_user):
    response = as_user("alice").post("/v1/groups", '{"name": "x\\ud800y"}')
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "malformed_json"


def test_a_display_name_from_the_token_loses_its_control_characters(as_user):
    alice = as_user("alice", name="Alice\u202e\u2028\x00 M.")
    assert alice.get("/v1/me").data["display_name"] == "Alice M."


# ---------------------------------------------------------------- JSON objects: each key once


def test_a_repeated_key_cannot_smuggle_an_admin_invitation(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    response = alice.post(
        f"/v1/groups/{group_id}/invitations", '{"role": "observer", "role": "admin"}'
    )
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "duplicate_key"


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "a", "name": "b"}',
        '{"name": "a", "description": "x", "description": "y"}',
        '{"name": "a", "\\u006eame": "b"}',  # the same key, escaped
    ],
)
def test_a_body_naming_a_key_twice_is_400(as_user, raw):
    response = as_user("alice").post("/v1/groups", raw)
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "duplicate_key"


def test_a_repeated_key_in_a_nested_object_is_400(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation_id = create_consultation(alice, group_id)["id"]
    response = alice.post(
        f"/v1/consultations/{consultation_id}/debates",
        '{"title": "Vote", "function": {"type": "vote", "secret": false, "secret": true}}',
    )
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "duplicate_key"


def test_a_deeply_nested_body_is_400_not_500(as_user):
    response = as_user("alice").post("/v1/groups", "[" * 100_000)
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "malformed_json"


def test_a_cursor_holding_a_key_dynamodb_would_refuse_is_400(as_user):
    """Only the Hub's key can make such a cursor; the key is checked once decrypted all the
    same: a sort key past DynamoDB's 1,024 bytes, or an empty one."""
    alice = as_user("alice")
    group_id = create_group(alice)
    add_member(as_user, alice, group_id, "bob", "participant")
    members = f"/v1/groups/{group_id}/members?limit=1"
    fitting = sealed_cursor(
        lambda: alice.get(members), ["MEMBER#alice"]
    )  # the forgery itself opens
    assert alice.get(f"{members}&cursor={fitting}").data["items"][0]["id"] == "bob"

    for sort_key in ("MEMBER#" + "x" * 1100, ""):
        cursor = sealed_cursor(lambda: alice.get(members), [sort_key])
        response = alice.get(f"{members}&cursor={cursor}")

        assert response.status_code == 400, response.data
        assert response.data["error"]["code"] == "invalid_cursor"
