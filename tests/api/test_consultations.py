"""Consultations over HTTP: drafting, publishing, the dates that drive the status, what may
change when, listings, grants and partner associations."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from chalicelib.domain import clock
from chalicelib.domain.ids import new_id
from tests.api.helpers import (
    add_member,
    audit_actions,
    audit_log,
    create_consultation,
    create_group,
    group_with_every_role,
    moment,
    publish,
    travel,
)

DAY = timedelta(days=1)
MS = timedelta(milliseconds=1)
MISSING = object()


@pytest.fixture
def host(as_user):
    """Les Amis du Parc, founded by alice (admin)."""
    alice = as_user("alice", name="Alice")
    return create_group(alice, "Les Amis du Parc"), alice


def set_clock(monkeypatch, iso: str) -> None:
    instant = clock.from_iso(iso)
    monkeypatch.setattr(clock, "now", lambda: instant)


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.data["error"]["code"]


def fields_of(response) -> list[str]:
    return [detail["field"] for detail in response.data["error"]["details"]]


def titles(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [item["title"] for item in response.data["items"]]


# ---------------------------------------------------------------- drafting


def test_an_author_drafts_a_consultation_that_reads_back_as_a_draft(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    opens = (clock.now() + 30 * DAY).replace(microsecond=0, tzinfo=UTC)
    paris = timezone(timedelta(hours=2))
    created = bob.post(
        f"/v1/groups/{group_id}/consultations",
        {
            "title": "  Budget participatif 2027  ",
            "description": "Où investir ?",
            "visibility": "members",
            "opens_at": opens.astimezone(paris).isoformat(),
            "closes_at": (opens + 14 * DAY + timedelta(microseconds=500_123)).isoformat(),
        },
    )
    assert created.status_code == 201, created.data
    consultation = created.data
    assert consultation["title"] == "Budget participatif 2027"
    assert consultation["status"] == "draft"
    assert consultation["group_id"] == group_id
    assert consultation["created_by"] == "bob"
    assert (consultation["visibility"], consultation["audience"]) == ("members", [])
    assert consultation["participation"] == "members"
    assert consultation["opens_at"] == clock.to_iso(opens)  # UTC, whatever offset was sent
    assert consultation["closes_at"] == clock.to_iso(opens + 14 * DAY + 500 * MS)
    assert consultation["published_at"] is None
    assert consultation["partners"] == []
    assert bob.get(f"/v1/consultations/{consultation['id']}").data == consultation


def test_participants_may_not_draft_and_do_not_see_drafts(host, as_user):
    group_id, alice = host
    carol = add_member(as_user, alice, group_id, "carol", "participant")
    refused = carol.post(
        f"/v1/groups/{group_id}/consultations",
        {"title": "Budget", "visibility": "members", "closes_at": moment(7 * DAY)},
    )
    assert error_of(refused) == (403, "forbidden")
    draft = create_consultation(alice, group_id)
    assert error_of(carol.get(f"/v1/consultations/{draft['id']}")) == (
        404,
        "consultation_not_found",
    )


def test_restricted_and_public_consultations_keep_their_audience_and_participation(host):
    group_id, alice = host
    board = create_consultation(
        alice, group_id, "Conseil", visibility="restricted", audience=["moderator", "admin"]
    )
    assert (board["audience"], board["participation"]) == (["moderator", "admin"], "members")
    town = create_consultation(alice, group_id, "Parc", visibility="public")
    assert (town["audience"], town["participation"]) == ([], "members")
    verified = create_consultation(
        alice, group_id, "Piscine", visibility="public", participation="verified"
    )
    assert verified["participation"] == "verified"


INVALID_CONSULTATIONS = [
    ({"closes_at": MISSING}, "closes_at"),
    ({"opens_at": "+2d", "closes_at": "+1d"}, "closes_at"),
    ({"opens_at": "+2d", "closes_at": "+2d"}, "closes_at"),
    ({"closes_at": "-1d"}, "closes_at"),
    ({"closes_at": "2031-01-01T00:00:00"}, "closes_at"),
    ({"opens_at": "2031-01-01T00:00:00"}, "opens_at"),
    ({"closes_at": "next tuesday"}, "closes_at"),
    ({"audience": ["admin"]}, "audience"),
    ({"visibility": "public", "audience": ["admin"]}, "audience"),
    ({"visibility": "restricted"}, "audience"),
    ({"visibility": "restricted", "audience": []}, "audience"),
    ({"visibility": "restricted", "audience": ["admin", "admin"]}, "audience"),
    ({"visibility": "restricted", "audience": ["king"]}, "audience.0"),
    ({"participation": "signed_in"}, "participation"),
    (
        {"visibility": "restricted", "audience": ["admin"], "participation": "verified"},
        "participation",
    ),
    ({"visibility": "public", "participation": "everyone"}, "participation"),
    ({"visibility": "secret"}, "visibility"),
    ({"visibility": MISSING}, "visibility"),
    ({"title": MISSING}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": 2027}, "title"),
    ({"description": "x" * 10_001}, "description"),
    ({"colour": "green"}, "colour"),
]


def _body(changes: dict) -> dict:
    body = {"title": "Budget", "visibility": "members", "closes_at": "+7d"}
    body.update(changes)
    for name, value in list(body.items()):
        if value is MISSING:
            del body[name]
        elif isinstance(value, str) and value[:1] in "+-" and value.endswith("d"):
            body[name] = moment(int(value[:-1]) * DAY)
    return body


def test_every_invalid_consultation_is_refused_naming_its_field_and_nothing_is_created(host):
    group_id, alice = host
    for changes, field in INVALID_CONSULTATIONS:
        response = alice.post(f"/v1/groups/{group_id}/consultations", _body(changes))
        assert error_of(response) == (422, "validation_failed"), changes
        assert fields_of(response) == [field], changes
    assert alice.get(f"/v1/groups/{group_id}/consultations").data["items"] == []
    assert audit_actions(alice, group_id) == ["group_created"]


# ---------------------------------------------------------------- publishing and status


def test_without_an_opening_date_a_consultation_opens_when_published(host):
    group_id, alice = host
    draft = create_consultation(alice, group_id)
    published = publish(alice, draft["id"])
    assert published["status"] == "open"
    assert published["published_at"] is not None
    assert published["opens_at"] is None
    assert alice.get(f"/v1/consultations/{draft['id']}").data["status"] == "open"

    again = alice.post(f"/v1/consultations/{draft['id']}/publish")
    assert error_of(again) == (409, "already_published")
    log = audit_log(alice, group_id)
    assert [e["action"] for e in log] == [
        "group_created",
        "consultation_created",
        "consultation_published",
    ]
    assert log[1]["details"] == {
        "consultation_id": draft["id"],
        "title": "Budget participatif",
        "visibility": "members",
    }
    assert log[2]["details"] == {"consultation_id": draft["id"], "status": "open"}


def test_a_later_opening_is_scheduled_then_opens_then_closes_by_the_dates(host, monkeypatch):
    group_id, alice = host
    draft = create_consultation(alice, group_id, opens_at=moment(DAY), closes_at=moment(2 * DAY))
    assert publish(alice, draft["id"])["status"] == "scheduled"
    assert audit_log(alice, group_id)[-1]["details"]["status"] == "scheduled"

    def status_at(iso: str, delta: timedelta = timedelta()) -> str:
        set_clock(monkeypatch, clock.to_iso(clock.from_iso(iso) + delta))
        return alice.get(f"/v1/consultations/{draft['id']}").data["status"]

    assert status_at(draft["opens_at"], -MS) == "scheduled"
    assert status_at(draft["opens_at"]) == "open"
    assert status_at(draft["closes_at"], -MS) == "open"
    assert status_at(draft["closes_at"]) == "closed"  # no job has run: the dates decide


def test_a_draft_whose_closing_date_passed_cannot_be_published(host, monkeypatch):
    group_id, alice = host
    draft = create_consultation(alice, group_id, closes_at=moment(timedelta(hours=1)))
    travel(monkeypatch, timedelta(hours=2))
    response = alice.post(f"/v1/consultations/{draft['id']}/publish")
    assert error_of(response) == (422, "validation_failed")
    assert fields_of(response) == ["closes_at"]
    assert alice.get(f"/v1/consultations/{draft['id']}").data["status"] == "draft"


def test_publishing_an_unknown_consultation_is_not_found(host):
    _, alice = host
    for consultation_id in (new_id(), "nope"):
        response = alice.post(f"/v1/consultations/{consultation_id}/publish")
        assert error_of(response) == (404, "consultation_not_found"), consultation_id


# ---------------------------------------------------------------- changing


def test_a_draft_may_change_entirely_and_each_change_is_audited(host):
    group_id, alice = host
    draft = create_consultation(alice, group_id)
    url = f"/v1/consultations/{draft['id']}"
    opens, closes = moment(3 * DAY), moment(10 * DAY)
    changed = alice.patch(
        url,
        {
            "title": "Conseil d'administration",
            "description": "Ordre du jour",
            "visibility": "restricted",
            "audience": ["admin", "moderator"],
            "opens_at": opens,
            "closes_at": closes,
        },
    )
    assert changed.status_code == 200, changed.data
    assert changed.data["title"] == "Conseil d'administration"
    assert changed.data["description"] == "Ordre du jour"
    assert (changed.data["visibility"], changed.data["audience"]) == (
        "restricted",
        ["admin", "moderator"],
    )
    assert (changed.data["opens_at"], changed.data["closes_at"]) == (opens, closes)
    assert alice.get(url).data == changed.data
    assert audit_log(alice, group_id)[-1]["details"] == {
        "consultation_id": draft["id"],
        "title": {"from": "Budget participatif", "to": "Conseil d'administration"},
        "description": {"from": "", "to": "Ordre du jour"},
        "visibility": {"from": "members", "to": "restricted"},
        "audience": {"from": [], "to": ["admin", "moderator"]},
        "opens_at": {"from": None, "to": opens},
        "closes_at": {"from": draft["closes_at"], "to": closes},
    }

    public = alice.patch(url, {"visibility": "public", "participation": "signed_in"}).data
    assert (public["audience"], public["participation"]) == ([], "signed_in")
    assert alice.patch(url, {"opens_at": None}).data["opens_at"] is None
    assert alice.patch(url, {"title": "Conseil d'administration"}).status_code == 200
    assert (
        audit_actions(alice, group_id)[1:]
        == ["consultation_created"] + ["consultation_updated"] * 3
    )  # resending the same title changed nothing, so recorded nothing


def test_invalid_changes_to_a_draft_name_their_field(host):
    group_id, alice = host
    draft = create_consultation(alice, group_id, opens_at=moment(2 * DAY))
    url = f"/v1/consultations/{draft['id']}"
    for body, field in [
        ({}, "body"),
        ({"closes_at": moment(DAY)}, "closes_at"),
        ({"closes_at": "2031-01-01T00:00:00"}, "closes_at"),
        ({"audience": ["admin"]}, "audience"),
        ({"participation": "verified"}, "participation"),
        ({"visibility": "restricted"}, "audience"),
        ({"title": ""}, "title"),
        ({"colour": "green"}, "colour"),
    ]:
        response = alice.patch(url, body)
        assert error_of(response) == (422, "validation_failed"), body
        assert fields_of(response) == [field], body
    assert alice.get(url).data == draft


def test_a_change_cannot_slip_an_audience_into_a_members_consultation(host):
    group_id, alice = host
    draft = create_consultation(alice, group_id, "Conseil", visibility="public")
    url = f"/v1/consultations/{draft['id']}"
    for body, field in [
        ({"visibility": "members", "audience": ["admin"]}, "audience"),
        ({"visibility": "members", "participation": "verified"}, "participation"),
    ]:
        response = alice.patch(url, body)
        assert response.status_code == 422, (body, response.data)
        assert fields_of(response) == [field]


def test_once_published_only_the_description_and_a_later_closing_date_may_change(host):
    group_id, alice = host
    draft = create_consultation(alice, group_id, opens_at=moment(DAY))
    url = f"/v1/consultations/{draft['id']}"
    publish(alice, draft["id"])  # scheduled: not open yet, already locked

    for body, locked in [
        ({"title": "Autre titre"}, ["title"]),
        ({"visibility": "public"}, ["visibility"]),
        ({"opens_at": moment(2 * DAY)}, ["opens_at"]),
        ({"opens_at": None}, ["opens_at"]),
        ({"title": "Autre", "visibility": "public", "description": "x"}, ["title", "visibility"]),
        ({"closes_at": clock.to_iso(clock.from_iso(draft["closes_at"]) - MS)}, ["closes_at"]),
    ]:
        response = alice.patch(url, body)
        assert error_of(response) == (409, "consultation_locked"), body
        assert fields_of(response) == locked, body

    later = clock.to_iso(clock.from_iso(draft["closes_at"]) + DAY)
    assert alice.patch(url, {"description": "Annexes jointes"}).status_code == 200
    extended = alice.patch(url, {"closes_at": later, "title": draft["title"]})
    assert extended.status_code == 200, extended.data
    now = alice.get(url).data
    assert (now["title"], now["description"], now["closes_at"]) == (
        "Budget participatif",
        "Annexes jointes",
        later,
    )
    assert now["status"] == "scheduled"
    log = audit_log(alice, group_id)
    assert [e["action"] for e in log[-3:]] == [
        "consultation_published",
        "consultation_updated",
        "consultation_updated",
    ]
    assert log[-1]["details"]["closes_at"] == {"from": draft["closes_at"], "to": later}


def test_past_its_closing_date_a_consultation_reads_closed_and_refuses_changes(host, monkeypatch):
    group_id, alice = host
    draft = create_consultation(alice, group_id)
    publish(alice, draft["id"])
    url = f"/v1/consultations/{draft['id']}"
    set_clock(monkeypatch, draft["closes_at"])
    assert alice.get(url).data["status"] == "closed"
    for body in ({"description": "trop tard"}, {"closes_at": moment(DAY)}):
        assert error_of(alice.patch(url, body)) == (409, "consultation_closed"), body
    assert alice.get(url).data["description"] == ""
    assert audit_actions(alice, group_id)[-1] == "consultation_published"


def test_only_the_creator_and_admins_change_a_consultation(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    dave = add_member(as_user, alice, group_id, "dave", "moderator")
    mine = create_consultation(bob, group_id)
    publish(alice, mine["id"])
    url = f"/v1/consultations/{mine['id']}"
    assert error_of(dave.patch(url, {"description": "moi"})) == (403, "forbidden")
    assert bob.patch(url, {"description": "Bob"}).status_code == 200
    assert alice.patch(url, {"description": "Alice"}).data["description"] == "Alice"


# ---------------------------------------------------------------- listings


def test_a_groups_consultations_list_newest_first_page_by_page(host, monkeypatch):
    group_id, alice = host
    for title in ("Premier", "Deuxième", "Troisième"):
        create_consultation(alice, group_id, title)
        travel(monkeypatch, timedelta(seconds=1))
    url = f"/v1/groups/{group_id}/consultations"
    first = alice.get(f"{url}?limit=2")
    assert titles(first) == ["Troisième", "Deuxième"]
    assert first.data["next"]
    rest = alice.get(f"{url}?limit=2&cursor={first.data['next']}")
    assert titles(rest) == ["Premier"]
    assert rest.data["next"] is None
    assert {item["status"] for item in first.data["items"] + rest.data["items"]} == {"draft"}
    assert error_of(alice.get(f"{url}?limit=0")) == (422, "validation_failed")


def test_a_groups_list_shows_each_caller_only_what_they_may_see(host, as_user):
    group_id, alice = host
    carol = add_member(as_user, alice, group_id, "carol", "participant")
    create_consultation(alice, group_id, "Brouillon")
    for title, fields in [
        ("Interne", {}),
        ("Conseil", {"visibility": "restricted", "audience": ["admin"]}),
        ("Parc", {"visibility": "public"}),
    ]:
        publish(alice, create_consultation(alice, group_id, title, **fields)["id"])
    url = f"/v1/groups/{group_id}/consultations"
    assert set(titles(alice.get(url))) == {"Brouillon", "Interne", "Conseil", "Parc"}
    assert set(titles(carol.get(url))) == {"Interne", "Parc"}
    assert set(titles(as_user(None).get(url))) == {"Parc"}


def test_the_public_list_holds_open_and_scheduled_public_consultations_of_every_group(
    host, as_user, monkeypatch
):
    group_id, alice = host
    bruno = as_user("bruno", name="Bruno")
    other_group = create_group(bruno, "Comité des fêtes")
    create_consultation(alice, group_id, "Brouillon public", visibility="public")
    for author, group, title, fields in [
        (alice, group_id, "Parc", {}),
        (alice, group_id, "Interne", {"visibility": "members"}),
        (alice, group_id, "Fête", {"opens_at": moment(DAY)}),
        (bruno, other_group, "Piscine", {"closes_at": moment(timedelta(hours=1))}),
    ]:
        consultation = create_consultation(
            author, group, title, **{"visibility": "public", **fields}
        )
        publish(author, consultation["id"])
        travel(monkeypatch, timedelta(seconds=1))

    anonymous = as_user(None)
    assert titles(anonymous.get("/v1/consultations?scope=public")) == ["Piscine", "Fête", "Parc"]
    first = anonymous.get("/v1/consultations?scope=public&limit=2")
    assert titles(first) == ["Piscine", "Fête"]
    rest = anonymous.get(f"/v1/consultations?scope=public&limit=2&cursor={first.data['next']}")
    assert titles(rest) == ["Parc"]
    statuses = {c["title"]: c["status"] for c in first.data["items"] + rest.data["items"]}
    assert statuses == {"Piscine": "open", "Fête": "scheduled", "Parc": "open"}

    travel(monkeypatch, timedelta(hours=1))
    assert titles(alice.get("/v1/consultations?scope=public")) == ["Fête", "Parc"]


def test_listing_consultations_needs_the_public_scope(host):
    _, alice = host
    for query in ("", "?scope=mine", "?scope=PUBLIC"):
        response = alice.get(f"/v1/consultations{query}")
        assert error_of(response) == (422, "validation_failed"), query
        assert fields_of(response) == ["scope"], query


# ---------------------------------------------------------------- grants


def test_a_grant_lets_one_outsider_into_one_consultation_until_removed(host, as_user):
    group_id, alice = host
    board = create_consultation(
        alice, group_id, "Conseil", visibility="restricted", audience=["admin"]
    )
    publish(alice, board["id"])
    url = f"/v1/consultations/{board['id']}"
    dora = as_user("dora", name="Dora")
    assert error_of(dora.get(url)) == (404, "consultation_not_found")

    given = alice.put(f"{url}/grants/dora", {"role": "observer"})
    assert given.status_code == 201, given.data
    assert given.data["id"] == "dora"
    assert (given.data["role"], given.data["granted_by"]) == ("observer", "alice")
    assert given.data["consultation_id"] == board["id"]
    assert alice.put(f"{url}/grants/dora", {"role": "observer"}).status_code == 200
    changed = alice.put(f"{url}/grants/dora", {"role": "author"})
    assert (changed.status_code, changed.data["role"]) == (200, "author")
    assert [(g["id"], g["role"]) for g in alice.get(f"{url}/grants").data["items"]] == [
        ("dora", "author")
    ]
    assert dora.get(url).data["title"] == "Conseil"
    assert error_of(dora.get(f"{url}/grants")) == (403, "forbidden")

    assert alice.delete(f"{url}/grants/dora").status_code == 204
    assert error_of(dora.get(url)) == (404, "consultation_not_found")
    assert alice.get(f"{url}/grants").data["items"] == []
    assert error_of(alice.delete(f"{url}/grants/dora")) == (404, "grant_not_found")

    log = audit_log(alice, group_id)[-3:]
    assert [(e["action"], e["subject_id"]) for e in log] == [
        ("grant_set", "dora"),
        ("grant_set", "dora"),
        ("grant_removed", "dora"),
    ]
    assert log[0]["details"] == {
        "consultation_id": board["id"],
        "role": "observer",
        "previous": None,
    }
    assert (log[1]["details"]["role"], log[1]["details"]["previous"]) == ("author", "observer")


def test_invalid_grants_are_refused(host):
    group_id, alice = host
    url = f"/v1/consultations/{create_consultation(alice, group_id)['id']}/grants"
    response = alice.put(f"{url}/dora", {"role": "king"})
    assert error_of(response) == (422, "validation_failed")
    assert fields_of(response) == ["role"]
    unknown = alice.put(f"/v1/consultations/{new_id()}/grants/dora", {"role": "observer"})
    assert error_of(unknown) == (404, "consultation_not_found")
    assert alice.get(url).data["items"] == []


# ---------------------------------------------------------------- partner associations


@pytest.fixture
def partner(as_user):
    """Comité des fêtes, founded by paula (admin)."""
    paula = as_user("paula", name="Paula")
    return create_group(paula, "Comité des fêtes"), paula


def test_a_partner_is_invited_accepts_and_is_withdrawn_in_both_audit_logs(host, partner):
    group_id, alice = host
    partner_id, paula = partner
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    url = f"/v1/consultations/{consultation['id']}"
    partner_list = f"/v1/groups/{partner_id}/consultations"

    invited = alice.post(f"{url}/partners", {"group_id": partner_id})
    assert invited.status_code == 201, invited.data
    assert invited.data == {
        "consultation_id": consultation["id"],
        "group_id": partner_id,
        "status": "pending",
    }
    again = alice.post(f"{url}/partners", {"group_id": partner_id})
    assert (again.status_code, again.data["status"]) == (200, "pending")
    assert alice.get(url).data["partners"] == [{"group_id": partner_id, "status": "pending"}]
    assert error_of(paula.get(url)) == (404, "consultation_not_found")  # pending: not inside
    assert paula.get(partner_list).data["items"] == []

    accepted = paula.post(f"{url}/partners/{partner_id}/accept")
    assert (accepted.status_code, accepted.data["status"]) == (201, "accepted")
    assert paula.post(f"{url}/partners/{partner_id}/accept").status_code == 200
    assert paula.get(url).data["partners"] == [{"group_id": partner_id, "status": "accepted"}]
    assert [c["id"] for c in paula.get(partner_list).data["items"]] == [consultation["id"]]

    assert alice.delete(f"{url}/partners/{partner_id}").status_code == 204
    assert error_of(paula.get(url)) == (404, "consultation_not_found")
    for anyone in (paula, alice):  # alice may still read it: the partner's list drops it
        assert anyone.get(partner_list).data["items"] == []
    assert alice.get(url).data["partners"] == []
    assert error_of(alice.delete(f"{url}/partners/{partner_id}")) == (
        404,
        "partnership_not_found",
    )

    partner_events = ["partner_invited", "partner_accepted", "partner_withdrawn"]
    assert audit_actions(alice, group_id)[-3:] == partner_events
    partner_log = audit_log(paula, partner_id)
    assert [e["action"] for e in partner_log] == ["group_created", *partner_events]
    assert {(e["actor"]["id"], e["details"]["partner"]) for e in partner_log[1:]} == {
        ("alice", partner_id),
        ("paula", partner_id),
    }
    assert {e["details"]["consultation_id"] for e in partner_log[1:]} == {consultation["id"]}


def test_a_partners_admin_may_leave_the_partnership(host, partner):
    group_id, alice = host
    partner_id, paula = partner
    consultation = create_consultation(alice, group_id)
    url = f"/v1/consultations/{consultation['id']}"
    alice.post(f"{url}/partners", {"group_id": partner_id})
    paula.post(f"{url}/partners/{partner_id}/accept")
    assert paula.delete(f"{url}/partners/{partner_id}").status_code == 204
    assert alice.get(url).data["partners"] == []
    assert audit_actions(alice, group_id)[-1] == "partner_withdrawn"


def test_a_partner_must_be_another_existing_association(host, partner, as_user):
    group_id, alice = host
    partner_id, paula = partner
    url = f"/v1/consultations/{create_consultation(alice, group_id)['id']}"
    itself = alice.post(f"{url}/partners", {"group_id": group_id})
    assert error_of(itself) == (422, "validation_failed")
    assert fields_of(itself) == ["group_id"]
    assert fields_of(alice.post(f"{url}/partners", {})) == ["group_id"]
    for unknown in (new_id(), "nope"):
        response = alice.post(f"{url}/partners", {"group_id": unknown})
        assert error_of(response) == (404, "group_not_found"), unknown
    uninvited = paula.post(f"{url}/partners/{partner_id}/accept")
    assert error_of(uninvited) == (404, "partnership_not_found")
    assert alice.get(url).data["partners"] == []


def test_only_the_host_admins_invite_partners(host, partner, as_user):
    group_id, alice = host
    partner_id, _ = partner
    bob = add_member(as_user, alice, group_id, "bob", "author")
    url = f"/v1/consultations/{create_consultation(bob, group_id)['id']}"
    assert error_of(bob.post(f"{url}/partners", {"group_id": partner_id})) == (403, "forbidden")
    assert alice.post(f"{url}/partners", {"group_id": partner_id}).status_code == 201


def test_a_stranger_cannot_tell_a_hidden_consultation_from_a_missing_one(host, as_user):
    group_id, alice = host
    zoe = as_user("zoe", name="Zoé")
    own_group = create_group(zoe, "Club de Zoé")
    hidden = create_consultation(alice, group_id, "Conseil")
    on_hidden = zoe.delete(f"/v1/consultations/{hidden['id']}/partners/{own_group}")
    on_missing = zoe.delete(f"/v1/consultations/{new_id()}/partners/{own_group}")
    assert error_of(on_missing) == (404, "consultation_not_found")
    assert error_of(on_hidden) == error_of(on_missing)


def test_a_field_sent_as_null_is_refused_rather_than_ignored(host):
    group_id, alice = host
    consultation = create_consultation(alice, group_id)
    for field in ("closes_at", "title", "visibility"):
        response = alice.patch(f"/v1/consultations/{consultation['id']}", {field: None})
        assert response.status_code == 422, field
        assert [d["field"] for d in response.data["error"]["details"]] == [field]
    cleared = alice.patch(f"/v1/consultations/{consultation['id']}", {"opens_at": None})
    assert cleared.status_code == 200


def test_a_creator_removed_from_the_association_loses_the_consultation(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    board = create_consultation(
        bob, group_id, visibility="restricted", audience=["author", "admin"]
    )
    assert bob.get(f"/v1/consultations/{board['id']}").status_code == 200
    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    for response in (
        bob.get(f"/v1/consultations/{board['id']}"),
        bob.patch(f"/v1/consultations/{board['id']}", {"description": "still mine?"}),
        bob.post(f"/v1/consultations/{board['id']}/publish"),
    ):
        assert response.status_code == 404
        assert response.data["error"]["code"] == "consultation_not_found"


def test_an_author_cannot_make_a_board_meeting_that_leaves_them_out(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    refused = bob.post(
        f"/v1/groups/{group_id}/consultations",
        {
            "title": "Conseil",
            "visibility": "restricted",
            "audience": ["admin"],
            "closes_at": "2099-01-01T00:00:00Z",
        },
    )
    assert error_of(refused) == (422, "validation_failed")
    assert [(d["field"], d["code"]) for d in refused.data["error"]["details"]] == [
        ("audience", "excludes_you")
    ]
    mine = create_consultation(bob, group_id, visibility="restricted", audience=["author", "admin"])
    narrowed = bob.patch(f"/v1/consultations/{mine['id']}", {"audience": ["admin"]})
    assert error_of(narrowed)[0] == 422
    assert bob.get(f"/v1/consultations/{mine['id']}").data["audience"] == ["author", "admin"]
    # an admin is always inside: the board meeting for admins only is theirs to make
    board = create_consultation(alice, group_id, visibility="restricted", audience=["admin"])
    assert board["audience"] == ["admin"]


def test_an_author_demoted_below_author_no_longer_holds_their_draft(host, as_user):
    group_id, alice = host
    bob = add_member(as_user, alice, group_id, "bob", "author")
    plan = create_consultation(bob, group_id, "Plan vélo")
    path = f"/v1/consultations/{plan['id']}"
    assert bob.get(path).status_code == 200
    assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "observer"}).status_code == 200
    for response in (
        bob.get(path),
        bob.patch(path, {"visibility": "public"}),
        bob.post(f"{path}/debates", {"title": "Pistes", "function": {"type": "vote"}}),
        bob.post(f"{path}/publish"),
    ):
        assert error_of(response) == (404, "consultation_not_found")
    assert plan["id"] not in [
        c["id"] for c in bob.get(f"/v1/groups/{group_id}/consultations").data["items"]
    ]
    assert alice.get(path).data["status"] == "draft"  # the admin still holds it
    assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "author"}).status_code == 200
    assert bob.get(path).status_code == 200


def test_a_partners_admins_find_the_invitations_they_have_not_answered(host, partner, as_user):
    """How the invited association learns of it: its admins list what awaits their answer,
    as the host shows it; accepting or declining takes it off the list."""
    group_id, alice = host
    partner_id, paula = partner
    waiting = f"/v1/groups/{partner_id}/partner-invitations"
    first = create_consultation(alice, group_id, "Fête du quartier")
    second = create_consultation(alice, group_id, "Vide-grenier")
    assert paula.get(waiting).data["items"] == []
    for consultation in (first, second):
        invited = alice.post(
            f"/v1/consultations/{consultation['id']}/partners", {"group_id": partner_id}
        )
        assert invited.status_code == 201

    listed = paula.get(waiting)
    assert listed.status_code == 200
    assert [(c["id"], c["title"], c["group"]["name"]) for c in listed.data["items"]] == [
        (second["id"], "Vide-grenier", "Les Amis du Parc"),
        (first["id"], "Fête du quartier", "Les Amis du Parc"),
    ]
    # who else is invited is the host admins' business: a page shows accepted partners only
    assert [c["partners"] for c in listed.data["items"]] == [[], []]

    paula.post(f"/v1/consultations/{first['id']}/partners/{partner_id}/accept", expect=201)
    assert (
        paula.delete(f"/v1/consultations/{second['id']}/partners/{partner_id}").status_code == 204
    )
    assert paula.get(waiting).data["items"] == []

    # invited again after declining: listed again; withdrawn by the host: gone
    alice.post(f"/v1/consultations/{second['id']}/partners", {"group_id": partner_id})
    assert [c["id"] for c in paula.get(waiting).data["items"]] == [second["id"]]
    assert (
        alice.delete(f"/v1/consultations/{second['id']}/partners/{partner_id}").status_code == 204
    )
    assert paula.get(waiting).data["items"] == []


def test_only_the_invited_associations_admins_see_its_invitations(host, partner, as_user):
    group_id, alice = host
    partner_id, paula = partner
    consultation = create_consultation(alice, group_id)
    alice.post(f"/v1/consultations/{consultation['id']}/partners", {"group_id": partner_id})
    waiting = f"/v1/groups/{partner_id}/partner-invitations"
    for role in ("observer", "participant", "author", "moderator"):
        member = add_member(as_user, paula, partner_id, f"{role}-p", role)
        assert error_of(member.get(waiting)) == (403, "forbidden"), role
    assert error_of(alice.get(waiting)) == (403, "forbidden")  # the host's admin: not theirs
    assert error_of(as_user("nobody").get(waiting)) == (403, "forbidden")
    assert error_of(alice.get(f"/v1/groups/{new_id()}/partner-invitations")) == (
        404,
        "group_not_found",
    )
    assert [c["id"] for c in paula.get(waiting).data["items"]] == [consultation["id"]]


# ---------------------------------------------------------------- what the caller may do


def test_each_caller_reads_what_their_roles_let_them_do_to_a_consultation(as_user):
    """`my_permissions` follows the role table for every kind of caller, and is what the
    routes then allow; lists leave it out (null)."""
    group_id, users = group_with_every_role(as_user, prefix="host-")
    admin = users["admin"]
    partner_admin = as_user("partner-admin", name="Partner")
    partner_id = create_group(partner_admin, "Voisins")
    partner_author = add_member(as_user, partner_admin, partner_id, "partner-author", "author")
    granted = as_user("granted", name="Granted")
    drafted = create_consultation(users["author"], group_id, "Fête")
    url = f"/v1/consultations/{drafted['id']}"
    assert admin.post(f"{url}/partners", {"group_id": partner_id}).status_code == 201
    accepted = partner_admin.post(f"{url}/partners/{partner_id}/accept")
    assert accepted.status_code == 201, accepted.data
    assert admin.put(f"{url}/grants/granted", {"role": "admin"}).status_code == 201
    everything = [
        "update",
        "publish",
        "close",
        "add_debates",
        "update_debates",
        "manage_partners",
        "manage_grants",
    ]
    editing = ["update", "publish", "add_debates", "update_debates"]
    while_drafted = {  # a draft: nobody closes it; only its editors see it
        "host admin": (admin, [p for p in everything if p != "close"]),
        "granted admin": (granted, editing),
        "creator (host author)": (users["author"], editing),
    }
    for who, (caller, permissions) in while_drafted.items():
        seen = caller.get(url)
        assert seen.status_code == 200, (who, seen.data)
        assert seen.data["my_permissions"] == permissions, who

    published = publish(admin, drafted["id"])
    published_admin = [p for p in everything if p != "publish"]  # a draft is published once
    assert published["my_permissions"] == published_admin  # one consultation's answers carry it
    once_open = {
        "partner author": (partner_author, ["add_debates"]),
        "host moderator": (users["moderator"], ["add_debates"]),
        "host participant": (users["participant"], []),
        "host observer": (users["observer"], []),
        "anonymous": (users["anonymous"], None),
    }
    for who, (caller, permissions) in once_open.items():
        seen = caller.get(url)
        if permissions is None:
            assert seen.status_code == 404, who  # a members' consultation
            continue
        assert seen.data["my_permissions"] == permissions, who
    listed = admin.get(f"/v1/groups/{group_id}/consultations")
    assert [item["my_permissions"] for item in listed.data["items"]] == [None]

    # What it says is what the routes do: the partner author adds a debate, not a grant.
    added = partner_author.post(f"{url}/debates", {"title": "Musique ?", "body": ""})
    assert added.status_code == 201, added.data
    assert error_of(partner_author.put(f"{url}/grants/x", {"role": "observer"}))[0] == 403
    assert error_of(users["moderator"].post(f"{url}/close", {"reason": "Fin"}))[0] == 403
    assert error_of(partner_author.post(f"{url}/close", {"reason": "Fin"}))[0] == 403


def test_an_invitation_waiting_shows_to_the_host_admins_alone(as_user):
    """A reader of the consultation learns its partners, not whom else it invited."""
    group_id, users = group_with_every_role(as_user, prefix="host-")
    admin = users["admin"]
    accepting = create_group(as_user("yes-admin", name="Oui"), "Voisins")
    unlisted = create_group(as_user("quiet-admin", name="Discret"), "Discrets", listed=False)
    consultation = create_consultation(admin, group_id, "Fête")
    url = f"/v1/consultations/{consultation['id']}"
    for partner in (accepting, unlisted):
        admin.post(f"{url}/partners", {"group_id": partner}, expect=201)
    as_user("yes-admin").post(f"{url}/partners/{accepting}/accept", expect=201)
    publish(admin, consultation["id"])

    both = sorted([(accepting, "accepted"), (unlisted, "pending")])
    seen = admin.get(url).data["partners"]
    assert sorted((p["group_id"], p["status"]) for p in seen) == both
    for role in ("participant", "observer", "author", "moderator"):
        shown = users[role].get(url).data["partners"]
        assert shown == [{"group_id": accepting, "status": "accepted"}], role
    listed = admin.get(f"/v1/groups/{group_id}/consultations").data["items"]
    assert [item["partners"] for item in listed] == [
        [{"group_id": accepting, "status": "accepted"}]
    ]
