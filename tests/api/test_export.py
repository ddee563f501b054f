"""GET /v1/me/export: everything the Hub holds about the caller, found by Query (never a
Scan), each of their items in its section and nobody else's."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    publish,
)


def debate_in(admin, group_id, function, **consultation):
    c = create_consultation(admin, group_id, **consultation)
    debate = admin.post(
        f"/v1/consultations/{c['id']}/debates", {"title": "Motion", "function": function}
    )
    assert debate.status_code == 201, debate.data
    publish(admin, c["id"])
    return debate.data["id"]


@pytest.fixture
def world(as_user):
    """Ana, a participant of the Amicale who has done one of everything; Ben, who has done
    the same beside her."""
    admin = as_user("admin", name="Admin")
    amicale = create_group(admin, "Amicale")
    ana = add_member(as_user, admin, amicale, "ana", "author")
    ben = add_member(as_user, admin, amicale, "ben", "participant")
    mod = add_member(as_user, admin, amicale, "mod", "moderator")
    club = create_group(as_user("clubadmin", name="Club"), "Club", join_policy="request")
    ana.get("/v1/me")
    ana.patch("/v1/me", {"display_name": "Ana L.", "locale": "fr"}, expect=200)
    ana.post(f"/v1/groups/{club}/join", expect=202)
    ana.put(f"/v1/groups/{amicale}/follow", expect=200)
    vote = debate_in(admin, amicale, {"type": "vote"})
    secret = debate_in(admin, amicale, {"type": "poll", "options": ["A", "B"], "secret": True})
    ana.put(f"/v1/debates/{vote}/ballot", {"choice": "yes"}, expect=201)
    ana.put(f"/v1/debates/{secret}/ballot", {"choices": ["o1"]}, expect=201)
    ben.put(f"/v1/debates/{vote}/ballot", {"choice": "no"}, expect=201)
    mine = ana.post(f"/v1/debates/{vote}/comments", {"body": "Premier jet", "stance": "pro"}).data
    ana.patch(f"/v1/comments/{mine['id']}", {"body": "Ma version finale"}, expect=200)
    theirs = ben.post(f"/v1/debates/{vote}/comments", {"body": "Texte de Ben"}).data
    ana.put(f"/v1/comments/{theirs['id']}/reaction", expect=201)
    ana.post(f"/v1/comments/{theirs['id']}/flags", {"reason": "off_topic"}, expect=201)
    mod.put(f"/v1/groups/{amicale}/blocks/ana", {"reason": "Hors sujet"}, expect=200)
    mod.delete(f"/v1/groups/{amicale}/blocks/ana", expect=204)
    mod.put(f"/v1/groups/{amicale}/blocks/ana", {"reason": "Encore"}, expect=200)
    return {
        "ana": ana,
        "ben": ben,
        "admin": admin,
        "amicale": amicale,
        "club": club,
        "vote": vote,
        "secret": secret,
        "mine": mine["id"],
        "theirs": theirs["id"],
    }


def test_each_of_their_items_is_in_its_section(world):
    exported = world["ana"].get("/v1/me/export", expect=200).data
    assert exported["format"] == "hub-export-1"
    assert exported["user_id"] == "ana"
    assert exported["profile"]["display_name"] == "Ana L."
    assert exported["profile"]["locale"] == "fr"
    assert [(m["group_id"], m["group_name"], m["role"]) for m in exported["memberships"]] == [
        (world["amicale"], "Amicale", "author")
    ]
    assert [f["group_id"] for f in exported["follows"]] == [world["amicale"]]
    assert [r["group_id"] for r in exported["join_requests"]] == [world["club"]]
    [comment] = exported["comments"]
    assert comment["id"] == world["mine"]
    assert comment["body"] == "Ma version finale"
    assert [v["body"] for v in comment["history"]] == ["Premier jet"]
    assert exported["reactions"][0]["comment_id"] == world["theirs"]
    assert exported["flags"][0]["comment_id"] == world["theirs"]
    assert exported["flags"][0]["reason"] == "off_topic"
    ballots = {b["debate_id"]: b for b in exported["ballots"]}
    assert ballots[world["vote"]]["choice"] == "yes"
    assert ballots[world["secret"]]["secret"] is True
    assert {"choice", "choices", "receipt"}.isdisjoint(ballots[world["secret"]])
    assert [b["reason"] for b in exported["blocks"]] == ["Encore"]
    assert "blocked_by" not in exported["blocks"][0]  # who blocked them is not theirs


def test_invitations_and_audit_entries_of_an_admin(as_user):
    admin = as_user("zoe", name="Zoé")
    group = create_group(admin, "Jardins")
    code = admin.post(f"/v1/groups/{group}/invitations", {"role": "observer"}).data["code"]
    exported = admin.get("/v1/me/export", expect=200).data
    assert [i["code"] for i in exported["invitations_created"]] == [code]
    assert {"group_created", "invitation_created"} <= {
        e["action"] for e in exported["audit_entries"]
    }


def test_notifications_and_preferences_are_theirs(world):
    from chalicelib.domain import clock
    from chalicelib.domain.notifications import Event, Kind
    from chalicelib.store.notifications import put_notification

    ana = world["ana"]
    ana.patch("/v1/me/preferences", {"kinds": {"reply": "daily"}}, expect=200)
    approved = Event("evt1", Kind.JOIN_APPROVED, clock.now(), world["club"], {"group_name": "Club"})
    put_notification("ana", approved)
    put_notification("ben", Event("evt2", Kind.JOIN_APPROVED, clock.now(), world["club"]))
    exported = ana.get("/v1/me/export", expect=200).data
    assert exported["preferences"]["*|reply"] == "daily"
    assert exported["reachability"]["locale"] == "fr"
    assert [(n["id"], n["kind"], n["data"], n["read"]) for n in exported["notifications"]] == [
        ("evt1", "join_approved", {"group_name": "Club"}, False)
    ]


def test_nobody_elses_item_is_in_it(world):
    text = world["ana"].get("/v1/me/export", expect=200).body.decode()
    assert "Texte de Ben" not in text  # the comment she reacted to: only its id
    assert '"no"' not in text  # Ben's ballot
    assert "mod" not in json.loads(text)["blocks"][0].values()
    ben = world["ben"].get("/v1/me/export", expect=200).data
    assert [c["id"] for c in ben["comments"]] == [world["theirs"]]
    assert ben["reactions"] == ben["flags"] == ben["join_requests"] == []
    assert [b["debate_id"] for b in ben["ballots"]] == [world["vote"]]


def test_it_reads_by_query_and_never_scans(world):
    with dynamodb_requests() as sent:
        world["ana"].get("/v1/me/export", expect=200)
    operations = {request.operation for request in sent}
    assert "Scan" not in operations
    assert {"Query", "BatchGetItem"} <= operations
    assert all(r.operation in ("Query", "BatchGetItem", "GetItem") for r in sent)  # no write


def test_someone_who_never_did_anything_gets_empty_sections(as_user):
    exported = as_user("nobody").get("/v1/me/export", expect=200).data
    assert exported["profile"] is None
    assert exported["memberships"] == exported["comments"] == exported["ballots"] == []


def test_the_zip_holds_the_document_and_a_readme_in_their_language(world):
    # A binary answer needs an Accept admitting it (API Gateway's rule, Chalice's too).
    zipped = {"Accept": "application/zip"}
    answer = world["ana"].get(
        "/v1/me/export?format=zip", headers={**zipped, "Accept-Language": "fr"}
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/zip"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="hub-export-')
    with zipfile.ZipFile(io.BytesIO(answer.body)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "export.json"]
        document = json.loads(archive.read("export.json"))
        readme = archive.read("README.txt").decode()
    assert document["user_id"] == "ana"
    assert [c["id"] for c in document["comments"]] == [world["mine"]]
    assert "Vos données" in readme and "- ballots" in readme
    english = world["ana"].get(  # as a browser's fetch asks
        "/v1/me/export?format=zip", headers={"Accept": "*/*", "Accept-Language": "en"}
    )
    assert english.status_code == 200
    with zipfile.ZipFile(io.BytesIO(english.body)) as archive:
        assert "Your data" in archive.read("README.txt").decode()


def test_a_zip_asked_for_without_accepting_it_is_refused_saying_why(world):
    refused = world["ana"].get("/v1/me/export?format=zip", headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert refused.data["error"]["code"] == "not_acceptable"


def test_an_unknown_format_is_refused(world):
    refused = world["ana"].get("/v1/me/export?format=pdf", expect=422)
    assert refused.data["error"]["details"][0]["field"] == "format"


def test_it_needs_a_token(as_user):
    assert as_user(None).get("/v1/me/export").status_code == 401


def test_a_grant_is_in_the_export_and_goes_with_the_erasure(as_user):
    admin = as_user("zoe", name="Zoé")
    group = create_group(admin, "Jardins")
    consultation = create_consultation(admin, group)["id"]
    admin.put(f"/v1/consultations/{consultation}/grants/dora", {"role": "participant"}, expect=201)
    dora = as_user("dora", name="Dora")
    [grant] = dora.get("/v1/me/export", expect=200).data["grants"]
    assert (grant["consultation_id"], grant["role"]) == (consultation, "participant")
    dora.delete("/v1/me", expect=204)
    assert admin.get(f"/v1/consultations/{consultation}/grants").data["items"] == []
    assert dora.get("/v1/me/export").data["grants"] == []
