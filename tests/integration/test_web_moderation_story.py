"""Issue 15's moderation story, through the web client only, in a real browser (tests/
integration/web.py): members argue, reply, react and flag; a moderator finds the flagged
argument in the queue from the association's page, hides it with a reason, blocks its
author for a week, and restores it from the debate; readers, the author and the blocked
member see what the API lets each of them see. Then "nothing lost": an argument or a reply
whose publication fails keeps its text, says so, and its retry makes exactly one comment.

Each test sets up its own association over the API (not the story's subject), so the demo
association other stories share is never touched. Every new screen and state passes
axe-core at 360 and 1280 px and is photographed under build/screens/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from local.devtoken import make_token
from tests.http import Api
from tests.integration import web
from tests.integration.conftest import DEV_SECRET, RunningHub
from tests.integration.web import heading, look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

ARGUMENT = "Des bancs à l'ombre pour les aînés, près de l'entrée."
EDITED = "Des bancs à l'ombre pour les aînés, près de l'entrée et du kiosque."
REPLY = "D'accord, et une fontaine à côté."
REASON = "Attaque personnelle envers une voisine"
BLOCK_REASON = "Propos injurieux répétés"
HIDDEN = "Masqué par la modération."
TITLE = "Bancs du square"
RSQ = "\u2019"  # the catalogue's typographic apostrophe
CANNOT_SHOW = f"Impossible d{RSQ}afficher cette page"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Forum:
    """An association of its own (set up over the API): an admin, a moderator, three
    participants, an observer; an open consultation with a vote debate."""

    def __init__(self, hub: RunningHub, *, visibility: str = "public") -> None:
        self.hub = hub
        self.admin = hub.as_user(unique("admin"))
        self.group = self.admin.post(
            "/v1/groups", {"name": f"Square {self.admin.sub[-8:]}"}, expect=201
        ).data
        self.people: dict[str, Api] = {}
        for name, role in (
            ("Malik", "moderator"),
            ("Anna", "participant"),
            ("Ben", "participant"),
            ("Chloé", "participant"),
            ("Olga", "observer"),
        ):
            self.people[name] = self.member(role, name)
        body: dict[str, Any] = {
            "title": f"{TITLE} {self.admin.sub[-8:]}",
            "visibility": visibility,
            "closes_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        }
        if visibility == "public":
            body["participation"] = "members"
        consultation = self.admin.post(
            f"/v1/groups/{self.group['id']}/consultations", body, expect=201
        ).data
        self.debate = self.admin.post(
            f"/v1/consultations/{consultation['id']}/debates",
            {"title": "Installer des bancs", "body": "Où ?", "function": {"type": "vote"}},
            expect=201,
        ).data
        self.admin.post(f"/v1/consultations/{consultation['id']}/publish", expect=200)

    def member(self, role: str, name: str) -> Api:
        code = self.admin.post(
            f"/v1/groups/{self.group['id']}/invitations", {"role": role}, expect=201
        ).data["code"]
        sub = unique(name.lower().replace("é", "e"))
        # named in their token too: a membership keeps the name its member joined with
        person = self.hub.as_user(sub, bearer=make_token(sub, name=name, secret=DEV_SECRET))
        person.patch("/v1/me", {"display_name": name}, expect=200)
        person.post(f"/v1/invitations/{code}/accept", expect=201)
        return person

    def comments(self, reader: Api) -> list[dict[str, Any]]:
        return reader.get(f"/v1/debates/{self.debate['id']}/comments?limit=100", expect=200).data[
            "items"
        ]


@pytest.fixture
def pages(browser: Browser, hub: RunningHub) -> Iterator[Any]:
    """Opens more people's pages (each its own context) and closes them afterwards."""
    opened: list[Page] = []

    def open_as(user: str | None, width: int = web.PHONE) -> Page:
        page = web.open_page(browser, hub, width)
        opened.append(page)
        if user:
            sign_in(page, user)
        return page

    yield open_as
    for page in opened:
        page.context.close()


def comment(page: Page, text: str) -> Locator:
    """The list item of the comment showing `text` (its replies are inside it, after it)."""
    return page.get_by_role("listitem").filter(has=page.get_by_text(text, exact=True)).last


def button(scope: Locator | Page, name: str | re.Pattern[str]) -> Locator:
    return scope.get_by_role("button", name=name)


def test_members_argue_and_a_moderator_hides_blocks_and_restores(
    phone: Page, hub: RunningHub, pages: Any
) -> None:
    forum = Forum(hub)
    people = forum.people
    debate_url = f"/debates/{forum.debate['id']}"

    # Anna argues from the association's page, edits her argument, deletes a second one.
    sign_in(phone, people["Anna"].sub)
    phone.goto(f"/groups/{forum.group['id']}")
    expect(phone.get_by_role("link", name="Modération")).to_have_count(0)  # a participant
    phone.get_by_role("link", name=re.compile(TITLE)).click()
    phone.get_by_role("link", name="Installer des bancs").click()
    heading(phone, "Installer des bancs")
    phone.get_by_label("Votre argument").fill(ARGUMENT)
    phone.get_by_label("Position").select_option(label="Pour")
    button(phone, "Publier").click()
    expect(phone.get_by_text("Votre argument est publié.")).to_be_visible()
    expect(phone.get_by_label("Votre argument")).to_have_value("")
    mine = comment(phone, ARGUMENT)
    expect(button(mine, re.compile("^Soutenir"))).to_have_count(0)  # not one's own
    expect(button(mine, "Signaler")).to_have_count(0)
    look(phone, "arguments-published")

    button(mine, "Modifier").click()
    phone.get_by_label("Votre texte").fill(EDITED)
    look(phone, "arguments-edit")
    button(phone, "Enregistrer").click()
    mine = comment(phone, EDITED)
    expect(mine.get_by_text("modifié", exact=True)).to_be_visible()

    phone.get_by_label("Votre argument").fill("Doublon, à supprimer.")
    button(phone, "Publier").click()
    duplicate = comment(phone, "Doublon, à supprimer.")
    button(duplicate, "Supprimer").click()
    expect(duplicate.get_by_text("Supprimer définitivement ce commentaire\u00a0?")).to_be_visible()
    look(phone, "arguments-delete-confirm")
    button(duplicate, "Oui, supprimer").click()
    expect(phone.get_by_text("Argument supprimé.")).to_be_visible()
    expect(phone.get_by_text("Doublon, à supprimer.")).to_have_count(0)

    # Ben replies and supports it; he may neither edit it nor support his own reply.
    ben = pages(people["Ben"].sub)
    ben.goto(debate_url)
    anna_says = comment(ben, EDITED)
    expect(button(anna_says, "Modifier")).to_have_count(0)
    expect(button(anna_says, "Supprimer")).to_have_count(0)
    support = button(anna_says, re.compile("^Soutenir"))
    expect(support).to_have_attribute("aria-pressed", "false")
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).to_have_text(re.compile(r"Soutenir\s*1"))
    button(anna_says, "Répondre").click()
    ben.get_by_label("Votre réponse à Anna").fill(REPLY)
    look(ben, "arguments-reply-form")
    button(ben, "Publier la réponse").click()
    expect(ben.get_by_text("Votre réponse est publiée.")).to_be_visible()
    replies = button(anna_says, "1 réponse")
    expect(replies).to_have_attribute("aria-expanded", "true")
    expect(comment(ben, REPLY)).to_be_visible()
    expect(button(comment(ben, REPLY), re.compile("^Soutenir"))).to_have_count(0)
    look(ben, "arguments-replied")
    support.click()  # and back, and again: a toggle
    expect(support).to_have_attribute("aria-pressed", "false")
    expect(support).to_have_text(re.compile(r"Soutenir\s*0"))
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    seen = forum.comments(people["Ben"])
    assert [(c["body"], c["reactions"], c["replies"]) for c in seen if not c["deleted"]] == [
        (EDITED, 1, 1)
    ]

    # Chloé reads the replies and reports Anna's argument, once.
    chloe = pages(people["Chloé"].sub)
    chloe.goto(debate_url)
    argued = comment(chloe, EDITED)
    expect(button(argued, "1 réponse")).to_have_attribute("aria-expanded", "false")
    button(argued, "1 réponse").click()
    expect(chloe.get_by_text(REPLY)).to_be_visible()
    button(argued, "Signaler").first.click()
    expect(
        argued.get_by_role("group", name="Pourquoi signaler ce commentaire\u00a0?")
    ).to_be_visible()
    argued.get_by_label("Propos injurieux ou haineux").check()
    look(chloe, "arguments-flag-form")
    button(argued, "Envoyer le signalement").click()
    expect(
        argued.get_by_text("Merci, votre signalement est transmis aux modérateurs.")
    ).to_be_visible()
    look(chloe, "arguments-flagged")
    chloe.reload()
    argued = comment(chloe, EDITED)
    button(argued, "Signaler").first.click()
    argued.get_by_label("Hors sujet").check()
    button(argued, "Envoyer le signalement").click()
    expect(argued.get_by_text("Vous avez déjà signalé ce commentaire.")).to_be_visible()

    # The moderator opens the queue from the association's page and hides it with a reason.
    malik = pages(people["Malik"].sub)
    malik.goto(f"/groups/{forum.group['id']}")
    malik.get_by_role("link", name="Modération").click()
    expect(malik).to_have_url(re.compile(rf"/groups/{forum.group['id']}/moderation$"))
    heading(malik, f"Modération — {forum.group['name']}")
    item = malik.get_by_role("listitem").filter(has=malik.get_by_text(EDITED, exact=True))
    expect(item).to_have_count(1)
    expect(item.get_by_text("Anna", exact=True)).to_be_visible()
    expect(
        item.get_by_text(re.compile(r"1 signalement — Propos injurieux ou haineux \(1\)"))
    ).to_be_visible()
    item.get_by_text("1 version précédente").click()
    expect(item.get_by_text(ARGUMENT, exact=True)).to_be_visible()
    expect(item.get_by_role("link", name="Voir le débat")).to_have_attribute("href", debate_url)
    look(malik, "moderation-queue")

    button(item, "Masquer…").click()
    item.get_by_label("Motif du masquage").fill(REASON)
    look(malik, "moderation-hide-confirm")
    button(item, "Confirmer le masquage").click()
    expect(item.get_by_text("Le commentaire est masqué.")).to_be_visible()
    expect(item.get_by_text(f"{HIDDEN} Motif\u00a0: {REASON}")).to_be_visible()
    hidden = people["Malik"].get(f"/v1/comments/{seen[0]['id']}", expect=200).data
    assert (hidden["hidden"], hidden["hidden_reason"]) == (True, REASON)

    # ...and blocks Anna for a week, with a reason: a clear second step.
    button(item, "Bloquer Anna…").click()
    item.get_by_label("Durée du blocage").select_option(label="7 jours")
    item.get_by_label("Motif du blocage").fill(BLOCK_REASON)
    look(malik, "moderation-block-confirm")
    button(item, "Confirmer le blocage").click()
    expect(item.get_by_role("status")).to_have_text(
        re.compile(rf"^Anna est bloqué jusqu{RSQ}au .+\.$")
    )
    expect(button(item, "Débloquer Anna")).to_be_visible()
    look(malik, "moderation-blocked")

    # A reader signed out, the observer and Ben see the placeholder with the reason, not the
    # text; Anna sees her text, marked hidden, and can no longer take part (blocked).
    reader = pages(None)
    reader.goto(debate_url)
    heading(reader, "Installer des bancs")
    expect(reader.get_by_text(f"{HIDDEN} Motif\u00a0: {REASON}")).to_be_visible()
    expect(reader.get_by_text(EDITED)).to_have_count(0)
    expect(button(reader, re.compile("^Soutenir|^Répondre|^Signaler|^Masquer"))).to_have_count(0)
    expect(reader.get_by_role("link", name="Connectez-vous pour argumenter.")).to_be_visible()
    look(reader, "arguments-hidden-reader")

    olga = pages(people["Olga"].sub)
    olga.goto(debate_url)
    expect(olga.get_by_text(f"{HIDDEN} Motif\u00a0: {REASON}")).to_be_visible()
    expect(olga.get_by_text(EDITED)).to_have_count(0)
    expect(olga.get_by_text("Vous pouvez lire ce débat, mais pas y participer.")).to_be_visible()
    expect(olga.get_by_label("Votre argument")).to_have_count(0)
    expect(button(olga, re.compile("^Soutenir|^Répondre|^Signaler|^Masquer"))).to_have_count(0)
    olga.goto(f"/groups/{forum.group['id']}")
    expect(olga.get_by_role("link", name="Modération")).to_have_count(0)
    look(olga, "group-observer")

    ben.reload()
    anna_says = comment(ben, f"{HIDDEN} Motif\u00a0: {REASON}")
    expect(button(anna_says, "Répondre")).to_have_count(0)  # no thread on what is hidden
    expect(button(anna_says, "Masquer…")).to_have_count(0)

    phone.reload()
    mine = comment(phone, EDITED)
    expect(mine.get_by_text(re.compile(f"^{HIDDEN} Motif\u00a0: {REASON}"))).to_be_visible()
    expect(button(mine, "Modifier")).to_have_count(0)
    expect(button(mine, "Supprimer")).to_have_count(0)
    expect(
        phone.get_by_text(re.compile("^Un modérateur vous a bloqué dans cette association"))
    ).to_be_visible()
    expect(phone.get_by_label("Votre argument")).to_have_count(0)
    expect(button(phone, re.compile("^Soutenir|^Répondre|^Signaler"))).to_have_count(0)
    look(phone, "arguments-blocked-author")

    # The moderator restores it from the debate screen: everyone reads it again.
    item.get_by_role("link", name="Voir le débat").click()
    heading(malik, "Installer des bancs")
    moderated = comment(malik, EDITED)
    expect(moderated.get_by_text(re.compile(r"^1 signalement"))).to_be_visible()
    look(malik, "arguments-moderator")
    button(moderated, "Rétablir").click()
    expect(moderated.get_by_text("Le commentaire est rétabli.")).to_be_visible()
    expect(button(moderated, "Masquer…")).to_be_visible()
    reader.reload()
    expect(reader.get_by_text(EDITED)).to_be_visible()
    expect(reader.get_by_text(HIDDEN)).to_have_count(0)
    malik.go_back()
    heading(malik, f"Modération — {forum.group['name']}")
    malik.reload()
    expect(malik.get_by_text("Rien à examiner pour le moment.")).to_be_visible()
    look(malik, "moderation-empty")

    # The block outlives the queue item: the moderator lifts it from the same screen.
    malik.get_by_text("Lever un blocage").click()
    malik.get_by_label("Membre").select_option(label="Anna")
    look(malik, "moderation-unblock")
    button(malik, "Débloquer").click()
    expect(malik.get_by_text("Anna est débloqué.")).to_be_visible()
    button(malik, "Débloquer").click()  # again: the API says she is not blocked
    expect(malik.get_by_role("alert")).to_be_visible()
    phone.reload()
    expect(phone.get_by_label("Votre argument")).to_be_visible()


def test_who_is_no_moderator_here_gets_no_queue(phone: Page, hub: RunningHub, pages: Any) -> None:
    forum = Forum(hub)
    queue = f"/groups/{forum.group['id']}/moderation"
    elsewhere = Forum(hub, visibility="members").people["Malik"]  # moderates another group

    sign_in(phone, elsewhere.sub)
    phone.goto(f"/groups/{forum.group['id']}")
    heading(phone, forum.group["name"])
    expect(phone.get_by_role("link", name="Modération")).to_have_count(0)
    phone.goto(queue)
    heading(phone, CANNOT_SHOW)
    refusal = forum.hub.as_user(elsewhere.sub).get(f"/v1{queue}").data["error"]
    assert refusal["code"] == "forbidden"
    expect(phone.get_by_role("alert")).to_have_text(refusal["message"])
    look(phone, "moderation-refused")
    phone.goto(f"/debates/{forum.debate['id']}")
    heading(phone, "Installer des bancs")
    expect(button(phone, re.compile("^Masquer"))).to_have_count(0)

    signed_out = pages(None)
    signed_out.goto(queue)
    heading(signed_out, CANNOT_SHOW)
    expect(signed_out.get_by_role("alert")).to_contain_text("Vous reconnecter")

    participant = pages(forum.people["Ben"].sub)
    participant.goto(queue)
    expect(participant.get_by_role("alert")).to_have_text(refusal["message"])


def lose_first(page: Page, fail: str) -> list[str | None]:
    """Makes the first POST of a comment fail as `fail` says, and records the Idempotency-Key
    of every POST: "lost" lets it reach the Hub (the comment is written) and then drops the
    answer, as a phone going offline would; "503" answers it at the edge without the Hub."""
    keys: list[str | None] = []

    def handle(route: Route) -> None:
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        keys.append(request.header_value("idempotency-key"))
        if len(keys) > 1:
            route.continue_()
        elif fail == "lost":
            route.fetch()
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=503, content_type="text/plain", body="Service Unavailable")

    page.route("**/v1/debates/*/comments", handle)
    return keys


def test_an_argument_whose_answer_is_lost_is_published_once_on_retry(
    phone: Page, hub: RunningHub
) -> None:
    forum = Forum(hub, visibility="members")
    anna = forum.people["Anna"]
    sign_in(phone, anna.sub)
    phone.goto(f"/debates/{forum.debate['id']}")
    keys = lose_first(phone, "lost")

    phone.get_by_label("Votre argument").fill(ARGUMENT)
    button(phone, "Publier").click()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("Le Hub ne répond pas.")
    expect(
        phone.get_by_text(f"Votre argument n{RSQ}est pas publié. Votre texte est conservé")
    ).to_be_visible()
    expect(phone.get_by_label("Votre argument")).to_have_value(ARGUMENT)
    assert [c["body"] for c in forum.comments(anna)] == [ARGUMENT]  # written, answer lost
    look(phone, "arguments-not-published")

    button(phone, "Publier").click()
    expect(phone.get_by_text("Votre argument est publié.")).to_be_visible()
    expect(phone.get_by_label("Votre argument")).to_have_value("")
    expect(phone.get_by_text(ARGUMENT, exact=True)).to_have_count(1)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert [c["body"] for c in forum.comments(anna)] == [ARGUMENT]
    phone.reload()
    expect(phone.get_by_text(ARGUMENT, exact=True)).to_have_count(1)


def test_a_reply_refused_by_a_503_keeps_its_text_and_is_published_once_on_retry(
    phone: Page, hub: RunningHub
) -> None:
    forum = Forum(hub, visibility="members")
    anna, ben = forum.people["Anna"], forum.people["Ben"]
    argued = anna.post(
        f"/v1/debates/{forum.debate['id']}/comments", {"body": ARGUMENT}, expect=201
    ).data
    sign_in(phone, ben.sub)
    phone.goto(f"/debates/{forum.debate['id']}")
    keys = lose_first(phone, "503")

    button(comment(phone, ARGUMENT), "Répondre").click()
    phone.get_by_label("Votre réponse à Anna").fill(REPLY)
    button(phone, "Publier la réponse").click()
    expect(
        phone.get_by_text(f"Votre réponse n{RSQ}est pas publiée. Votre texte est conservé")
    ).to_be_visible()
    expect(phone.get_by_label("Votre réponse à Anna")).to_have_value(REPLY)
    look(phone, "arguments-reply-not-published")

    button(phone, "Publier la réponse").click()
    expect(phone.get_by_text("Votre réponse est publiée.")).to_be_visible()
    expect(phone.get_by_text(REPLY, exact=True)).to_have_count(1)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    replies = ben.get(f"/v1/comments/{argued['id']}/replies", expect=200).data["items"]
    assert [r["body"] for r in replies] == [REPLY]
