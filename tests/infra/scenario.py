"""One season in the life of the Hub, driven through HTTP as its users would drive it: every
route the app serves answers 2xx at least once (tests/infra/test_permissions_cover_calls.py).

Les Amis du Parc (alice, admin) take members in by invitation, by request and freely, open a
members' consultation to a partner association and to one neighbour, vote four ways (a
vote, a secret vote, a poll, a ranked choice), argue, moderate, and close early; the scheduler then
finalises, and a voter checks her receipt on the ballot board.

`every_route(as_user)` returns the (METHOD, route template) pairs that answered 2xx;
`routes_served()` lists what the app serves. A route added without a place in this story, or
a step that stops answering 2xx, fails that test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from app import app
from chalicelib.api import fallback
from chalicelib.domain import clock
from chalicelib.jobs.count_ballots import handler as count_ballots
from chalicelib.services import closer, closing
from local.stream import StreamReader
from tests.api.helpers import (
    add_member,
    audit_actions,
    create_consultation,
    create_group,
    invite,
    publish,
)
from tests.http import Answer, Api

Route = tuple[str, str]  # (METHOD, template), e.g. ("PUT", "/v1/debates/{debate_id}/ballot")
People = dict[str, "Visitor"]


def routes_served() -> set[Route]:
    """Every (METHOD, route template) the app serves, CORS preflights aside."""
    return {
        (method, template)
        for template, methods in app.routes.items()
        for method, entry in methods.items()
        if method != "OPTIONS" and not fallback.is_fallback(entry)  # 404/405: no call made
    }


@cache
def _patterns() -> dict[Route, re.Pattern[str]]:
    """Each route as a pattern over concrete paths: `{param}` stands for one path segment."""
    return {
        (method, template): re.compile(
            "[^/]+".join(re.escape(part) for part in re.split(r"\{\w+\}", template))
        )
        for method, template in routes_served()
    }


def template_of(method: str, path: str) -> str:
    """The route template a concrete path reaches, e.g. `/v1/debates/{debate_id}/ballot`."""
    path = path.partition("?")[0]
    matches = [
        template
        for (served, template), pattern in _patterns().items()
        if served == method and pattern.fullmatch(path)
    ]
    assert len(matches) == 1, f"{method} {path} reaches {matches or 'no route'}"
    return matches[0]


class Visitor(Api):
    """One user's `Api` that insists on a 2xx answer and notes the route each call reached.
    `expect` asks for an exact status (by default 200 for GET and PATCH, 204 for DELETE)."""

    def __init__(self, api: Api, reached: set[Route]):
        super().__init__(api.send, api.sub, token=api.token, check=api.check)
        self.reached = reached

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> Answer:
        response = super().request(method, path, body, **kw)
        said = f"{method} {path} as {self.sub or 'anonymous'} answered {response.status_code}"
        assert 200 <= response.status_code < 300, f"{said}: {response.data}"
        self.reached.add((method, template_of(method, path)))
        return response

    def get(self, path: str, *, expect: int | None = 200, **kw: Any) -> Answer:
        return self.request("GET", path, expect=expect, **kw)

    def patch(self, path: str, body: Any = None, *, expect: int | None = 200, **kw: Any) -> Answer:
        return self.request("PATCH", path, body, expect=expect, **kw)

    def delete(self, path: str, *, expect: int | None = 204, **kw: Any) -> Answer:
        return self.request("DELETE", path, expect=expect, **kw)


# Everyone who appears, signed in with their name; "anonymous" sends no token.
CAST = (
    "alice",  # founds Les Amis du Parc, its admin
    "mona",  # its moderator, invited
    "bob",  # an author, who drafts the consultation
    "carol",  # participants: they vote and argue
    "dave",
    "erin",
    "frank",  # asks to join, is let in, becomes an observer
    "gina",  # asks to join, is turned down
    "hugo",  # joins once the park is open, then is removed
    "paula",  # founds the Comité des fêtes, a partner that accepts
    "quentin",  # founds Jardins partagés, a partner asked in, then withdrawn
    "dora",  # a neighbour let into one consultation by a grant
)


def every_route(as_user: Callable[..., Api]) -> set[Route]:
    """Drive the whole app through HTTP as real users would: every route the app serves,
    each at least once with a 2xx answer. Returns the (METHOD, route template) pairs that
    answered 2xx, e.g. ("PUT", "/v1/debates/{debate_id}/ballot")."""
    reached: set[Route] = set()

    def visit(sub: str | None, **claims: Any) -> Visitor:
        return Visitor(as_user(sub, **claims), reached)

    people = {
        sub: visit(
            sub, name=sub.title(), email=f"{sub}@example.org", extra={"email_verified": True}
        )
        for sub in CAST
    } | {"anonymous": visit(None)}
    for sub in CAST:  # signing in: how to reach them by email is recorded
        people[sub].get("/v1/me")
    park = found_the_park(people, visit)
    consultation, debates = prepare_the_consultation(people, park)
    receipt = vote(people, consultation, debates)
    deliberate(people, park, debates["vote"])
    close_and_count(people, park, consultation, debates, receipt)
    hear_of_it(people, park)
    read_the_contract(people["anonymous"])
    leave_the_hub(people)
    return reached


def leave_the_hub(people: People) -> None:
    """Erin takes her data (as JSON, then as a file) and erases her account: her reaction and
    flag go with their counts, her membership through its transaction; carol erases hers:
    her argument stays as a deleted member's, her ballots in the closed consultation move to
    pseudonyms; the audit entries about both keep pseudonyms. A second erasure: 204."""
    erin, carol = people["erin"], people["carol"]
    assert erin.get("/v1/me/export").data["reactions"]
    zipped = erin.get("/v1/me/export?format=zip", headers={"Accept": "application/zip"})
    assert zipped.body.startswith(b"PK")
    erin.delete("/v1/me")
    carol.delete("/v1/me")
    carol.delete("/v1/me")


def hear_of_it(people: People, park: str) -> None:
    """Notifications as a person handles them: her list and its unread count, marking read,
    her email choices, following an association, an email's unsubscribe link."""
    from chalicelib.mail.unsubscribe import unsubscribe_token

    carol, anonymous = people["carol"], people["anonymous"]
    assert carol.get("/v1/me/notifications?unread=true").data["unread"] >= 0
    carol.post("/v1/me/notifications/read", {"all": True}, expect=200)
    assert carol.get("/v1/me/preferences").data["kinds"]["reply"] == "daily"
    # Openings in her daily digest (the notifier reads her choices when it delivers).
    choices = {"kinds": {"consultation_opened": "daily"}, "groups": {park: {"reply": "never"}}}
    carol.patch("/v1/me/preferences", choices)
    people["frank"].put(f"/v1/groups/{park}/follow", expect=200)
    people["frank"].delete(f"/v1/groups/{park}/follow")
    link = f"/v1/unsubscribe?token={unsubscribe_token('carol', park, 'results')}"
    assert anonymous.get(link).data["delivery"] == "immediately"
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert (
        anonymous.request("POST", link, "List-Unsubscribe=One-Click", headers=form).data["delivery"]
        == "never"
    )


def ids(response: Any) -> list[str]:
    return [item["id"] for item in response.data["items"]]


def found_the_park(people: People, visit: Callable[..., Visitor]) -> str:
    """Alice founds a listed association; members come by invitation, by request (one let
    in, one turned down), then freely once it is open; a role changes, a member is removed."""
    alice, anonymous = people["alice"], people["anonymous"]
    park = create_group(alice, "Les Amis du Parc", listed=True, join_policy="request")
    assert park in ids(anonymous.get("/v1/groups?limit=100"))
    assert anonymous.get(f"/v1/groups/{park}").data["my_role"] is None

    code = invite(alice, park, "moderator", max_uses=1)
    mona = people["mona"]
    assert mona.get(f"/v1/invitations/{code}").data["group_name"] == "Les Amis du Parc"
    assert mona.post(f"/v1/invitations/{code}/accept", expect=201).data["role"] == "moderator"
    add_member(visit, alice, park, "bob", "author")
    for sub in ("carol", "dave", "erin"):
        add_member(visit, alice, park, sub, "participant")

    for sub in ("frank", "gina"):
        asked = people[sub].post(f"/v1/groups/{park}/join", expect=202)
        assert asked.data["status"] == "pending"
    requests = f"/v1/groups/{park}/join-requests"
    assert sorted(ids(alice.get(requests))) == ["frank", "gina"]
    assert alice.post(f"{requests}/frank/approve", expect=201).data["role"] == "participant"
    alice.post(f"{requests}/gina/reject", expect=204)

    spare = invite(alice, park, "participant")
    listed = alice.get(f"/v1/groups/{park}/invitations").data["items"]
    assert listed[0]["code"] == spare
    alice.delete(f"/v1/groups/{park}/invitations/{spare}")

    opened = {"join_policy": "open", "description": "Le parc, ses bancs et sa fête"}
    assert alice.patch(f"/v1/groups/{park}", opened).data["join_policy"] == "open"
    joined = people["hugo"].post(f"/v1/groups/{park}/join", expect=201)
    assert joined.data["role"] == "participant"

    members = f"/v1/groups/{park}/members"
    demoted = alice.put(f"{members}/frank", {"role": "observer"}, expect=200)
    assert demoted.data["role"] == "observer"
    alice.delete(f"{members}/hugo")
    roles = {m["id"]: m["role"] for m in people["bob"].get(members).data["items"]}
    assert roles == {
        "alice": "admin",
        "mona": "moderator",
        "bob": "author",
        "carol": "participant",
        "dave": "participant",
        "erin": "participant",
        "frank": "observer",
    }
    assert people["bob"].get("/v1/me").data["groups"] == [
        {"id": park, "name": "Les Amis du Parc", "role": "author", "member_count": len(roles)}
    ]
    bob = people["bob"].patch("/v1/me", {"display_name": "Bob", "locale": "fr"}, expect=200)
    assert bob.data["display_name"] == "Bob"
    return park


def prepare_the_consultation(people: People, park: str) -> tuple[str, dict[str, str]]:
    """Bob drafts a members' consultation with a vote, a secret vote and a poll, edits it and
    publishes it; alice asks one partner association in for good (whose own public
    consultation anyone finds), withdraws another, and lets dora in by a grant."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    draft = create_consultation(  # for members, who may give their proxy
        bob, park, "Budget participatif", proxies={"allowed": True, "max_per_holder": 1}
    )
    url = f"/v1/consultations/{draft['id']}"
    bob.patch(url, {"description": "Trois décisions pour le parc"})
    functions = {
        "vote": {"type": "vote", "results_visibility": "live", "quorum": 3, "threshold": 0.5},
        "secret": {"type": "vote", "secret": True},
        "poll": {
            "type": "poll",
            "options": ["Mardi", "Jeudi", "Samedi"],
            "max_choices": 2,
            "results_visibility": "after_vote",
        },
        "ranked": {"type": "ranked", "options": ["Kiosque", "Fontaine", "Bancs"]},
    }
    debates = {
        name: bob.post(
            f"{url}/debates", {"title": f"Débat : {name}", "function": function}, expect=201
        ).data["id"]
        for name, function in functions.items()
    }
    bob.patch(f"/v1/debates/{debates['vote']}", {"body": "Des bancs le long de l'allée"})
    assert publish(bob, draft["id"])["status"] == "open"

    assert ids(carol.get(f"/v1/groups/{park}/consultations")) == [draft["id"]]
    assert carol.get(url).data["description"] == "Trois décisions pour le parc"
    assert sorted(ids(carol.get(f"{url}/debates"))) == sorted(debates.values())
    shown = carol.get(f"/v1/debates/{debates['vote']}").data
    assert (shown["body"], shown["status"]) == ("Des bancs le long de l'allée", "open")
    # Open: the question is frozen; a correction is an addendum under it.
    bob.post(f"/v1/debates/{debates['vote']}/addenda", {"body": "Bancs en bois"}, expect=201)
    shown = carol.get(f"/v1/debates/{debates['vote']}").data
    assert [a["body"] for a in shown["addenda"]] == ["Bancs en bois"]

    fetes = create_group(people["paula"], "Comité des fêtes")
    jardins = create_group(people["quentin"], "Jardins partagés")
    music = create_consultation(people["paula"], fetes, "Fête de la musique", visibility="public")
    publish(people["paula"], music["id"])
    assert ids(people["anonymous"].get("/v1/consultations?scope=public")) == [music["id"]]
    published = people["anonymous"].get(f"/v1/consultations/{music['id']}/open-data").data
    assert published["licence"]["name"] and published["consultation"]["id"] == music["id"]
    alice.post(f"{url}/partners", {"group_id": fetes}, expect=201)
    waiting = people["paula"].get(f"/v1/groups/{fetes}/partner-invitations", expect=200)
    assert ids(waiting) == [draft["id"]]
    accepted = people["paula"].post(f"{url}/partners/{fetes}/accept", expect=201)
    assert accepted.data["status"] == "accepted"
    alice.post(f"{url}/partners", {"group_id": jardins}, expect=201)
    alice.delete(f"{url}/partners/{jardins}")
    assert carol.get(url).data["partners"] == [{"group_id": fetes, "status": "accepted"}]

    alice.put(f"{url}/grants/dora", {"role": "participant"}, expect=201)
    assert ids(alice.get(f"{url}/grants")) == ["dora"]
    return draft["id"], debates


def vote(people: People, consultation: str, debates: dict[str, str]) -> str:
    """Members, a partner's admin and dora cast ballots: one changed, one withdrawn, one
    secret (whose receipt is returned); the stream is counted and live results read."""
    carol, dave, erin = people["carol"], people["dave"], people["erin"]
    motion, secret, poll = (f"/v1/debates/{debates[n]}" for n in ("vote", "secret", "poll"))

    carol.put(f"{motion}/ballot", {"choice": "yes"}, expect=201)
    dave.put(f"{motion}/ballot", {"choice": "yes"}, expect=201)
    assert dave.put(f"{motion}/ballot", {"choice": "no"}, expect=200).data["choice"] == "no"
    people["paula"].put(f"{motion}/ballot", {"choice": "yes"}, expect=201)  # from the partner
    erin.put(f"{motion}/ballot", {"choice": "abstain"}, expect=201)
    erin.delete(f"{motion}/ballot")
    assert carol.get(f"{motion}/ballot").data["choice"] == "yes"

    cast = carol.put(f"{secret}/ballot", {"choice": "yes"}, expect=201).data
    assert cast["secret"] is True
    dave.put(f"{secret}/ballot", {"choice": "no"}, expect=201)
    assert carol.get(f"{secret}/ballot").data["receipt"] is None  # the Hub cannot show it again

    dave.put(f"{poll}/ballot", {"choices": ["o1", "o3"]}, expect=201)
    ranked = f"/v1/debates/{debates['ranked']}"
    for voter, ranking in ((carol, ["o1", "o3"]), (dave, ["o2", "o3"]), (erin, ["o3", "o2"])):
        voter.put(f"{ranked}/ballot", {"ranking": ranking}, expect=201)
    people["dora"].put(f"{poll}/ballot", {"choices": ["o3"]}, expect=201)  # by her grant
    people["alice"].delete(f"/v1/consultations/{consultation}/grants/dora")

    # Erin gives carol her proxy, takes it back, gives it again; carol answers the poll for her.
    proxy = f"/v1/consultations/{consultation}/proxy"
    erin.put(proxy, {"holder": "carol"}, expect=201)
    assert erin.get(proxy).data["holder"]["id"] == "carol"
    erin.delete(proxy)
    erin.put(proxy, {"holder": "carol"}, expect=201)
    carol.delete(f"/v1/me/proxies/{consultation}/erin")  # carol gives it back; erin again
    erin.put(proxy, {"holder": "carol"}, expect=201)
    assert [p["giver"]["id"] for p in carol.get("/v1/me/proxies").data["items"]] == ["erin"]
    assert (
        carol.put(f"{poll}/ballot", {"choices": ["o2"], "for": "erin"}, expect=201).data["for"]
        == "erin"
    )
    assert carol.get(f"{poll}/ballot?for=erin").data["choices"] == ["o2"]

    StreamReader(os.environ["HUB_TABLE"]).drain(count_ballots)  # what Lambda does
    live = people["frank"].get(f"{motion}/results").data  # an observer reads, live
    assert (live["counts"], live["total"], live["final"]) == (
        {"yes": 2, "no": 1, "abstain": 0},
        3,
        False,
    )
    assert dave.get(f"{poll}/results").data["counts"] == {"o1": 1, "o2": 1, "o3": 2}
    return cast["receipt"]


def deliberate(people: People, park: str, debate: str) -> None:
    """An argument and a reply; reading, editing, reacting, flagging; mona moderates the
    queue, hides and restores, blocks and unblocks; a reply is deleted by its author."""
    carol, dave, erin, mona = (people[sub] for sub in ("carol", "dave", "erin", "mona"))
    thread = f"/v1/debates/{debate}/comments"
    argument = carol.post(thread, {"body": "Des bancs pour les aînés", "stance": "pro"}, expect=201)
    argument_url = f"/v1/comments/{argument.data['id']}"
    reply = dave.post(
        thread,
        {"body": "Et une fontaine ?", "stance": "neutral", "parent_id": argument.data["id"]},
        expect=201,
    )
    reply_url = f"/v1/comments/{reply.data['id']}"

    assert ids(erin.get(f"{thread}?sort=top")) == [argument.data["id"]]
    assert ids(erin.get(f"{argument_url}/replies")) == [reply.data["id"]]
    carol.patch(argument_url, {"body": "Des bancs à l'ombre pour les aînés"})
    assert erin.get(argument_url).data["body"] == "Des bancs à l'ombre pour les aînés"

    erin.put(f"{argument_url}/reaction", expect=201)
    dave.put(f"{argument_url}/reaction", expect=201)
    dave.delete(f"{argument_url}/reaction")
    assert erin.get(argument_url).data["reactions"] == 1

    erin.post(f"{reply_url}/flags", {"reason": "off_topic"}, expect=201)
    queued = mona.get(f"/v1/groups/{park}/moderation").data["items"]
    assert [(c["id"], c["flags"]) for c in queued] == [(reply.data["id"], 1)]
    hidden = mona.post(f"{reply_url}/hide", {"reason": "Hors sujet"}, expect=200)
    assert hidden.data["hidden"] is True
    assert mona.post(f"{reply_url}/restore", expect=200).data["hidden"] is False
    dave.delete(reply_url)

    blocks = f"/v1/groups/{park}/blocks/erin"
    mona.put(blocks, {"reason": "Insultes répétées"}, expect=200)
    mona.delete(blocks)


def close_and_count(
    people: People, park: str, consultation: str, debates: dict[str, str], receipt: str
) -> None:
    """Alice closes early with a reason; the scheduler finalises a grace period later (its
    run has no route: it is called as EventBridge would, at that later time); everyone reads
    the final results, carol finds her receipt counted, the ballot board is open to readers."""
    alice, carol, frank = people["alice"], people["carol"], people["frank"]
    url = f"/v1/consultations/{consultation}"
    closed = alice.post(f"{url}/close", {"reason": "Le budget est voté en assemblée"}, expect=200)
    assert closed.data["status"] == "closed"
    assert closer.close_due_consultations(clock.now() + closing.grace()) == 1

    motion, secret = (f"/v1/debates/{debates[n]}" for n in ("vote", "secret"))
    final = frank.get(f"{motion}/results").data
    assert (final["final"], final["outcome"]["result"], final["tally_mismatch"]) == (
        True,
        "adopted",
        None,
    )
    checked = carol.get(f"{secret}/receipts/{receipt}").data
    assert (checked["counted"], checked["choices"]) == (True, ["yes"])
    board = frank.get(f"{secret}/ballots").data["items"]
    assert sorted(b["choices"][0] for b in board) == ["no", "yes"]
    assert receipt in [b["receipt"] for b in board]

    summary = frank.get(f"{url}/results").data  # the whole consultation's, as a file too
    assert {d["id"] for d in summary["debates"]} >= {debates["vote"], debates["secret"]}
    # The ranked choice: one first preference each; the runoff drops Bancs (listed last) and
    # Fontaine takes its ballot. The same figures in the debate's results and the summary.
    ranked = frank.get(f"/v1/debates/{debates['ranked']}/results").data
    assert (ranked["counts"], ranked["outcome"]["winner"]) == ({"o1": 1, "o2": 1, "o3": 1}, "o2")
    assert [r["counts"] for r in ranked["outcome"]["rounds"]] == [
        {"o1": 1, "o2": 1, "o3": 1},
        {"o1": 1, "o2": 2},
    ]
    [exported] = [d for d in summary["debates"] if d["id"] == debates["ranked"]]
    assert (exported["counts"], exported["breakdown"]) == (ranked["counts"], ranked["breakdown"])
    sheet = alice.get(f"{url}/results?format=csv").body.decode("utf-8")
    assert "round:2" in sheet and "Fontaine" in sheet

    actions = audit_actions(alice, park)
    assert actions[-2:] == ["consultation_closed", "consultation_finalised"]


def read_the_contract(anonymous: Visitor) -> None:
    """A developer of the city's app reads the API's contract, without a token."""
    assert anonymous.get("/v1/openapi.json").data["openapi"] == "3.1.0"
    page = anonymous.get("/v1/docs").body
    assert b"openapi.json" in page
    for asset in ("reference.js", "swagger-ui-bundle.js", "swagger-ui.css"):
        assert asset.encode() in page
        assert anonymous.get(f"/v1/docs/{asset}").body  # what the page loads
