"""Issue 15's people, in a real browser (tests/integration/web.py): an association's admins
run it from its own screens (settings, members and roles, join requests, invitations, the
audit log), a newcomer joins by an invitation link and takes part, a member edits their
account; and whoever may not use a tool never sees it, but the API's refusal instead.

Each test makes its own associations (names with a uuid), so the demo's state, used by the
other browser stories of the same worker, stays as it was. Every screen and state passes
axe-core at 360 and 1280 px and is photographed under build/screens/people-*.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import heading, look, reload_until_final, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

FORBIDDEN = "Votre rôle ne vous permet pas de faire cela."  # the API's 403 `forbidden`
ADMINS_ONLY = "Seuls les administrateurs de l\u2019association modifient ses paramètres."
ADMIN_TOOLS = ("Paramètres", "Demandes d\u2019adhésion", "Invitations", "Journal")


def tools(page: Page) -> Locator:
    return page.get_by_role("navigation", name="L\u2019association")


def card(page: Page, text: str) -> Locator:
    return page.get_by_role("listitem").filter(has_text=text)


def said(page: Page, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


def new_group(hub: RunningHub, admin: str, policy: str = "invite", **fields: object) -> str:
    name = f"Amicale {uuid.uuid4().hex[:8]}"
    body = {"name": name, "join_policy": policy, **fields}
    return hub.as_user(admin).post("/v1/groups", body, expect=201).data["id"]


def add_member(hub: RunningHub, group: str, admin: str, user: str, role: str) -> None:
    """An invitation made and accepted through the API: a precondition, not the story."""
    made = hub.as_user(admin).post(f"/v1/groups/{group}/invitations", {"role": role}, expect=201)
    hub.as_user(user).post(f"/v1/invitations/{made.data['code']}/accept", expect=201)


def open_vote(hub: RunningHub, group: str, admin: str, question: str) -> tuple[str, str]:
    """A members' consultation, open, with one vote debate whose results show after it
    closes: (consultation id, debate id)."""
    closes = (datetime.now() + timedelta(days=2)).astimezone().isoformat()
    consultation = (
        hub.as_user(admin)
        .post(
            f"/v1/groups/{group}/consultations",
            {"title": "Assemblée de printemps", "visibility": "members", "closes_at": closes},
            expect=201,
        )
        .data["id"]
    )
    debate = (
        hub.as_user(admin)
        .post(
            f"/v1/consultations/{consultation}/debates",
            {"title": question, "function": {"type": "vote", "results_visibility": "after_close"}},
            expect=201,
        )
        .data["id"]
    )
    hub.as_user(admin).post(f"/v1/consultations/{consultation}/publish", expect=200)
    return consultation, debate


def test_a_newcomer_joins_by_an_invitation_link_votes_and_sees_the_final_results(
    desktop: Page, phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, newcomer = f"admin-{tag}", f"newcomer-{tag}"
    group = new_group(hub, admin)
    group_name = hub.as_user(admin).get(f"/v1/groups/{group}").data["name"]
    question = "Repeindre le local en vert"
    consultation, _ = open_vote(hub, group, admin, question)

    # The admin makes an invitation from the association's page and copies its link.
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(desktop, admin)
    desktop.goto(f"/groups/{group}")
    heading(desktop, group_name)
    for tool in ("Membres", *ADMIN_TOOLS):
        expect(tools(desktop).get_by_role("link", name=tool, exact=True)).to_be_visible()
    look(desktop, "people-group-admin")
    tools(desktop).get_by_role("link", name="Invitations", exact=True).click()
    expect(desktop).to_have_url(re.compile(rf"/groups/{group}/invitations$"))
    heading(desktop, "Invitations")
    expect(desktop.get_by_text("Aucune invitation en cours.")).to_be_visible()
    look(desktop, "people-invitations-empty")
    expect(desktop.get_by_label("Rôle donné")).to_have_value("participant")
    desktop.get_by_label("Valable").select_option(label="30 jours")
    desktop.get_by_role("button", name="Créer l\u2019invitation").click()
    made = desktop.get_by_role("region", name="Invitation créée")
    expect(made).to_be_visible()
    link = made.get_by_label("Lien d\u2019invitation").input_value()
    assert re.fullmatch(rf"{re.escape(hub.base_url)}/invitations/[A-Za-z0-9_-]+", link), link
    made.get_by_role("button", name="Copier le lien").click()
    expect(made.get_by_role("status")).to_have_text("Lien copié.")
    assert desktop.evaluate("() => navigator.clipboard.readText()") == link
    listed = hub.as_user(admin).get(f"/v1/groups/{group}/invitations").data["items"]
    assert [(i["role"], i["status"]) for i in listed] == [("participant", "usable")]
    assert link.endswith("/" + listed[0]["code"])
    expect(card(desktop, "Invitation comme participant")).to_have_count(1)
    look(desktop, "people-invitation-made")

    # The newcomer opens the link signed out, signs in, comes back and accepts.
    phone.goto(link)
    heading(phone, "Invitation")
    expect(phone.get_by_role("button", name="Accepter l\u2019invitation")).to_have_count(0)
    look(phone, "people-invitation-signed-out")
    phone.get_by_role("link", name="Connectez-vous pour accepter cette invitation.").click()
    phone.get_by_label("Identifiant").fill(newcomer)
    phone.get_by_role("button", name="Se connecter", exact=True).click()
    expect(phone.get_by_role("button", name="Se déconnecter")).to_be_visible()
    if phone.url != link:  # the sign-in returns to `/` until it learns to come back
        phone.goto(link)
    heading(phone, "Invitation")
    expect(phone.get_by_text(group_name)).to_be_visible()
    expect(phone.get_by_text("Rôle\u00a0: participant")).to_be_visible()
    look(phone, "people-invitation")
    phone.get_by_role("button", name="Accepter l\u2019invitation").click()
    expect(phone).to_have_url(re.compile(rf"/groups/{group}$"))
    heading(phone, group_name)
    expect(phone.get_by_text("Votre rôle\u00a0: participant")).to_be_visible()
    expect(tools(phone).get_by_role("link")).to_have_text(["Membres"])  # no admin tool
    member = hub.as_user(admin).get(f"/v1/groups/{group}/members").data["items"]
    assert {(m["id"], m["role"]) for m in member} == {(admin, "admin"), (newcomer, "participant")}
    look(phone, "people-group-member")

    # They vote, then change their vote.
    phone.get_by_role("link", name="Assemblée de printemps").click()
    phone.get_by_role("link", name=question).click()
    heading(phone, question)
    phone.get_by_role("group", name="Votre vote").get_by_role("radio", name="Pour").check()
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(said(phone, "Vous avez voté")).to_have_text(re.compile(r"Vous avez voté\s*:\s*Pour"))
    phone.get_by_role("group", name="Votre vote").get_by_role("radio", name="Contre").check()
    phone.get_by_role("button", name="Changer mon vote").click()
    expect(said(phone, "Vous avez voté")).to_have_text(re.compile(r"Vous avez voté\s*:\s*Contre"))

    # The admin closes the consultation early; the newcomer reads the final results.
    desktop.goto(f"/consultations/{consultation}")
    heading(desktop, "Assemblée de printemps")
    desktop.get_by_label("Motif").fill("Le quorum de l\u2019assemblée est atteint.")
    desktop.get_by_role("button", name=re.compile(r"^Clore")).click()
    desktop.get_by_role("button", name="Oui, clore").click()
    expect(desktop.get_by_text("Clôturée", exact=True)).to_be_visible()

    phone.reload()
    heading(phone, question)
    reload_until_final(phone, question)
    expect(phone.get_by_text("Définitif", exact=True)).to_be_visible()
    table = phone.get_by_role("table", name="Résultats")
    contre = table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Contre"))
    expect(contre.get_by_role("cell")).to_have_text("1")
    pour = table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Pour"))
    expect(pour.get_by_role("cell")).to_have_text("0")
    look(phone, "people-debate-final")


def test_an_admin_runs_the_association_from_its_screens(
    desktop: Page, phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, alice, bob, carol = (f"{who}-{tag}" for who in ("admin", "alice", "bob", "carol"))
    group = new_group(hub, admin, "request")
    group_name = hub.as_user(admin).get(f"/v1/groups/{group}").data["name"]
    add_member(hub, group, admin, alice, "participant")
    add_member(hub, group, admin, bob, "participant")

    dave = f"dave-{tag}"
    hub.as_user(dave).post(f"/v1/groups/{group}/join", expect=202)  # a request, by the API
    # Carol asks to join through the association's page.
    sign_in(phone, carol)
    phone.goto(f"/groups/{group}")
    heading(phone, group_name)
    expect(tools(phone)).to_have_count(0)
    phone.get_by_role("button", name="Demander à rejoindre").click()
    expect(said(phone, "Votre demande est envoyée")).to_be_visible()
    look(phone, "people-group-asked")

    sign_in(desktop, admin)
    desktop.goto(f"/groups/{group}")
    tools(desktop).get_by_role("link", name="Membres").click()
    expect(desktop).to_have_url(re.compile(rf"/groups/{group}/members$"))
    heading(desktop, "Membres")
    expect(desktop.get_by_text("3 membres")).to_be_visible()
    look(desktop, "people-members")

    # Alice becomes a moderator.
    alice_card = card(desktop, alice)
    alice_card.get_by_label(f"Rôle de {alice}").select_option(label="modérateur")
    alice_card.get_by_role("button", name=f"Changer le rôle de {alice}").click()
    expect(said(desktop, f"{alice} est maintenant modérateur.")).to_be_visible()
    expect(alice_card.get_by_label(f"Rôle de {alice}")).to_have_value("moderator")

    # Bob is removed, after a second step that can be cancelled.
    bob_card = card(desktop, bob)
    bob_card.get_by_role("button", name=f"Retirer {bob}").click()
    question = bob_card.get_by_role("group", name=re.compile(rf"^Retirer {bob} de l"))
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name=re.compile("^Oui, retirer"))).to_be_focused()
    look(desktop, "people-members-confirm")
    question.get_by_role("button", name="Annuler").click()
    expect(bob_card.get_by_role("button", name=f"Retirer {bob}")).to_be_focused()
    bob_card.get_by_role("button", name=f"Retirer {bob}").click()
    bob_card.get_by_role("button", name=re.compile("^Oui, retirer")).click()
    expect(said(desktop, f"{bob} ne fait plus partie de l\u2019association.")).to_be_visible()
    expect(card(desktop, bob)).to_have_count(0)
    expect(said(desktop, f"{bob} ne fait plus partie")).to_be_focused()  # the card is gone
    expect(desktop.get_by_text("2 membres")).to_be_visible()

    # The last admin cannot step down: the API's refusal, beside them.
    admin_card = card(desktop, f"{admin}")
    admin_card.get_by_label(f"Rôle de {admin}").select_option(label="participant")
    admin_card.get_by_role("button", name=f"Changer le rôle de {admin}").click()
    expect(admin_card.get_by_role("alert")).to_contain_text(
        "Une association garde toujours au moins un administrateur"
    )
    look(desktop, "people-members-last-admin")
    members = hub.as_user(admin).get(f"/v1/groups/{group}/members").data["items"]
    assert {m["id"]: m["role"] for m in members} == {admin: "admin", alice: "moderator"}

    # Carol's request is approved.
    desktop.get_by_role("link", name="Demandes d\u2019adhésion").click()
    expect(desktop).to_have_url(re.compile(rf"/groups/{group}/requests$"))
    heading(desktop, "Demandes d\u2019adhésion")
    look(desktop, "people-requests")
    card(desktop, dave).get_by_role("button", name=f"Refuser la demande de {dave}").click()
    expect(said(desktop, f"La demande de {dave} est refusée.")).to_be_visible()
    expect(card(desktop, dave)).to_have_count(0)
    card(desktop, carol).get_by_role("button", name=f"Accepter la demande de {carol}").click()
    expect(said(desktop, f"{carol} est maintenant membre (participant).")).to_be_visible()
    expect(desktop.get_by_text("Aucune demande en attente.")).to_be_visible()
    look(desktop, "people-requests-done")

    # The description changes; a name left empty is refused by the API, named in the summary.
    desktop.goto(f"/groups/{group}")
    tools(desktop).get_by_role("link", name="Paramètres").click()
    expect(desktop).to_have_url(re.compile(rf"/groups/{group}/settings$"))
    heading(desktop, "Paramètres")
    expect(desktop.get_by_label("Nom")).to_have_value(group_name)
    expect(desktop.get_by_label("Adhésion")).to_have_value("request")
    look(desktop, "people-settings")
    desktop.get_by_label("Nom").fill("")
    desktop.get_by_role("button", name="Enregistrer les paramètres").click()
    summary = desktop.get_by_role("alert")
    expect(summary.get_by_role("link", name=re.compile(r"^Nom\s*:"))).to_have_attribute(
        "href", "#settings-name"
    )
    look(desktop, "people-settings-refused")
    desktop.get_by_label("Nom").fill(group_name)
    desktop.get_by_label("Description").fill("Les locataires du **bâtiment B**.")
    desktop.get_by_role("button", name="Enregistrer les paramètres").click()
    expect(said(desktop, "Paramètres enregistrés.")).to_be_visible()
    saved = hub.as_user(admin).get(f"/v1/groups/{group}").data
    assert (saved["name"], saved["description"]) == (
        group_name,
        "Les locataires du **bâtiment B**.",
    )
    desktop.get_by_role("link", name=f"Retour à l\u2019association {group_name}").click()
    heading(desktop, group_name)
    expect(desktop.get_by_text("bâtiment B")).to_be_visible()

    # An invitation is made, then revoked.
    tools(desktop).get_by_role("link", name="Invitations", exact=True).click()
    heading(desktop, "Invitations")
    desktop.get_by_label("Rôle donné").select_option(label="auteur")
    desktop.get_by_label("Nombre de personnes (facultatif)").fill("0")
    desktop.get_by_role("button", name="Créer l\u2019invitation").click()
    expect(
        desktop.get_by_role("alert").get_by_role("link", name=re.compile(r"^Nombre de personnes"))
    ).to_be_visible()
    look(desktop, "people-invitations-refused")
    desktop.get_by_label("Nombre de personnes (facultatif)").fill("3")
    desktop.get_by_role("button", name="Créer l\u2019invitation").click()
    invitation = card(desktop, "Invitation comme auteur")
    expect(invitation.get_by_text("0 utilisation(s) sur 3")).to_be_visible()
    invitation.get_by_role("button", name=re.compile("^Révoquer")).click()
    invitation.get_by_role("button", name="Oui, révoquer").click()
    expect(said(desktop, "Invitation révoquée")).to_be_visible()
    expect(card(desktop, "Invitation comme auteur")).to_have_count(0)
    listed = hub.as_user(admin).get(f"/v1/groups/{group}/invitations").data["items"]
    assert [i for i in listed if i["role"] == "author" and i["status"] != "revoked"] == []

    # The audit log tells all of it, newest first, in sentences.
    desktop.goto(f"/groups/{group}")
    tools(desktop).get_by_role("link", name="Journal").click()
    expect(desktop).to_have_url(re.compile(rf"/groups/{group}/audit$"))
    heading(desktop, "Journal")
    entries = desktop.get_by_role("main").get_by_role("listitem")
    for sentence in (
        f"{admin} a révoqué une invitation comme auteur.",
        f"{admin} a créé une invitation comme auteur.",
        f"{admin} a modifié l\u2019association\u00a0: description.",
        f"{admin} a accepté la demande d\u2019adhésion de {carol}, comme participant.",
        f"{admin} a refusé la demande d\u2019adhésion de {dave}.",
        f"{admin} a retiré {bob} de l\u2019association (était participant).",
        f"{admin} a changé le rôle de {alice}\u00a0: participant → modérateur.",
        f"{alice} a rejoint l\u2019association par invitation, comme participant.",
        f"{admin} a créé l\u2019association «\u00a0{group_name}\u00a0».",
    ):
        expect(entries.filter(has_text=sentence)).to_have_count(1)
    texts = [text.split("\n")[0] for text in entries.all_inner_texts()]
    assert texts[0].startswith(f"{admin} a révoqué"), texts
    assert texts[-1].startswith(f"{admin} a créé l\u2019association"), texts
    look(desktop, "people-audit")

    desktop.get_by_role("button", name="English").click()  # the reader's language
    heading(desktop, "Audit log")
    expect(
        entries.filter(has_text=f"{admin} changed the role of {alice}: participant → moderator.")
    ).to_have_count(1)
    look(desktop, "people-audit-en")


def test_a_member_edits_their_name_and_language_on_their_account(
    phone: Page, hub: RunningHub
) -> None:
    someone = f"zoe-{uuid.uuid4().hex[:8]}"
    group = new_group(hub, f"admin-{someone}")
    add_member(hub, group, f"admin-{someone}", someone, "author")
    sign_in(phone, someone)
    phone.get_by_role("navigation", name="Principal").get_by_role("link", name="Mon compte").click()
    heading(phone, "Mon compte")
    expect(phone.get_by_label("Nom affiché")).to_have_value(someone)
    expect(card(phone, "Amicale").get_by_text("Votre rôle\u00a0: auteur")).to_be_visible()
    look(phone, "people-me")

    phone.get_by_label("Nom affiché").fill("Zoé\u202e Martin")  # a bidi control: refused
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(
        phone.get_by_role("alert").get_by_role("link", name=re.compile(r"^Nom affiché\s*:"))
    ).to_have_attribute("href", "#me-name")
    look(phone, "people-me-refused")

    phone.get_by_label("Nom affiché").fill("Zoé Martin")
    phone.get_by_label("Langue préférée").select_option(label="English")
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(said(phone, "Vos choix sont enregistrés.")).to_be_visible()
    expect(phone.locator("dd.me-name")).to_have_text("Zoé Martin")
    me = hub.as_user(someone).get("/v1/me").data
    assert (me["display_name"], me["locale"]) == ("Zoé Martin", "en")
    look(phone, "people-me-saved")

    phone.reload()
    heading(phone, "Mon compte")
    expect(phone.get_by_label("Nom affiché")).to_have_value("Zoé Martin")
    expect(phone.get_by_label("Langue préférée")).to_have_value("en")

    phone.get_by_label("Nom affiché").fill("")  # back to the account's own name
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(said(phone, "Vos choix sont enregistrés.")).to_be_visible()
    expect(phone.get_by_label("Nom affiché")).to_have_value(someone)
    assert hub.as_user(someone).get("/v1/me").data["display_name"] == someone


def test_an_invitation_that_admits_nobody_says_so(phone: Page, hub: RunningHub) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, first, late = f"admin-{tag}", f"first-{tag}", f"late-{tag}"
    group = new_group(hub, admin)
    as_admin = hub.as_user(admin)
    once = as_admin.post(f"/v1/groups/{group}/invitations", {"max_uses": 1}, expect=201)
    hub.as_user(first).post(f"/v1/invitations/{once.data['code']}/accept", expect=201)
    revoked = as_admin.post(f"/v1/groups/{group}/invitations", {}, expect=201).data["code"]
    as_admin.delete(f"/v1/groups/{group}/invitations/{revoked}", expect=204)
    sign_in(phone, late)

    cases = {
        "used-up": (once.data["code"], "Cette invitation a expiré ou a déjà servi"),
        "revoked": (revoked, "Cette invitation a été retirée"),
        "unknown": ("nosuchcode123", "Aucune invitation ne porte ce code."),
    }
    for name, (code, message) in cases.items():
        phone.goto(f"/invitations/{code}")
        heading(phone, "Invitation")
        expect(phone.get_by_role("alert")).to_contain_text(message)
        expect(phone.get_by_text("Demandez une nouvelle invitation")).to_be_visible()
        expect(phone.get_by_role("button", name="Accepter l\u2019invitation")).to_have_count(0)
        expect(phone.get_by_role("button", name="Réessayer")).to_have_count(0)
        look(phone, f"people-invitation-{name}")

    # Whoever already belongs and opens a link still usable just lands in the association.
    again = as_admin.post(f"/v1/groups/{group}/invitations", {"role": "observer"}, expect=201)
    sign_in(phone, first)
    phone.goto(f"/invitations/{again.data['code']}")
    phone.get_by_role("button", name="Accepter l\u2019invitation").click()
    expect(phone).to_have_url(re.compile(rf"/groups/{group}$"))
    expect(phone.get_by_text("Votre rôle\u00a0: participant")).to_be_visible()
    assert as_admin.get(f"/v1/groups/{group}/invitations").data["items"][0]["uses"] == 0


SCREENS = ("settings", "members", "requests", "invitations", "audit")


def test_whoever_is_not_an_admin_gets_no_tool_but_the_apis_refusal(
    desktop: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, former, participant, moderator = (
        f"{who}-{tag}" for who in ("admin", "former", "participant", "moderator")
    )
    group = new_group(hub, admin, "request")
    add_member(hub, group, admin, former, "admin")
    add_member(hub, group, admin, participant, "participant")
    add_member(hub, group, admin, moderator, "moderator")
    hub.as_user(admin).delete(f"/v1/groups/{group}/members/{former}", expect=204)

    def visit(who: str, members_readable: bool) -> None:
        desktop.goto(f"/groups/{group}")
        expect(desktop.get_by_role("heading", level=1)).to_have_count(1)
        for tool in ADMIN_TOOLS:
            expect(desktop.get_by_role("link", name=tool, exact=True)).to_have_count(0)
        for screen in SCREENS:
            desktop.goto(f"/groups/{group}/{screen}")
            expect(desktop.get_by_role("heading", level=1)).to_have_count(1)
            expect(desktop.get_by_role("combobox")).to_have_count(0)
            expect(
                desktop.get_by_role(
                    "button", name=re.compile("^(Retirer|Accepter|Révoquer|Créer|Enregistrer)")
                )
            ).to_have_count(0)
            if screen == "settings":
                expect(desktop.get_by_role("alert")).to_have_text(ADMINS_ONLY)
            elif screen == "members" and members_readable:
                expect(
                    card(desktop, admin).get_by_text("Rôle\u00a0: administrateur")
                ).to_be_visible()
            else:
                expect(desktop.get_by_role("alert")).to_contain_text(
                    FORBIDDEN if who != "signed-out" else "jeton"
                )
            look(desktop, f"people-{who}-{screen}")

    sign_in(desktop, participant)
    visit("participant", members_readable=True)

    navigation = desktop.get_by_role("navigation", name="Principal")
    navigation.get_by_role("button", name="Se déconnecter").click()
    sign_in(desktop, moderator)
    visit("moderator", members_readable=True)

    navigation.get_by_role("button", name="Se déconnecter").click()
    sign_in(desktop, former)
    visit("former-admin", members_readable=False)

    navigation.get_by_role("button", name="Se déconnecter").click()
    visit("signed-out", members_readable=False)
    expect(desktop.get_by_role("link", name="Vous reconnecter")).to_be_visible()


def test_a_long_member_list_comes_a_page_at_a_time(desktop: Page, hub: RunningHub) -> None:
    tag = uuid.uuid4().hex[:8]
    admin = f"admin-{tag}"
    group = new_group(hub, admin)
    code = (
        hub.as_user(admin)
        .post(f"/v1/groups/{group}/invitations", {"role": "observer"}, expect=201)
        .data["code"]
    )
    for n in range(21):
        hub.as_user(f"m{n:02d}-{tag}").post(f"/v1/invitations/{code}/accept", expect=201)
    sign_in(desktop, admin)
    desktop.goto(f"/groups/{group}/members")
    heading(desktop, "Membres")
    expect(desktop.get_by_text("22 membres")).to_be_visible()
    cards = desktop.get_by_role("main").get_by_role("listitem")
    expect(cards).to_have_count(20)
    desktop.get_by_role("button", name="Voir plus de membres").click()
    expect(cards).to_have_count(22)
    expect(desktop.get_by_role("button", name="Voir plus de membres")).to_have_count(0)
    expect(card(desktop, f"m20-{tag}")).to_be_visible()
    look(desktop, "people-members-all")


def test_an_audit_action_this_client_does_not_know_is_shown_as_named(phone: Page) -> None:
    """The API may add actions before the client learns to say them: they still show."""
    phone.goto("/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Consultations ouvertes")
    entry = {
        "id": "e1",
        "at": "2026-12-02T10:00:00Z",
        "action": "budget_reallocated",
        "actor": {"id": "hub-scheduler", "name": "Scheduled"},
        "subject_id": None,
        "details": {"amount": 12},
    }
    written = phone.evaluate(
        "async (entry) => (await import('/js/screens/audit.js')).sentence(entry)", entry
    )
    assert written == "Le Hub (calendrier)\u00a0: budget reallocated."
