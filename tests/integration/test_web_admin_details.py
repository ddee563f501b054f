"""The administration screens' details a newcomer trips on, in a real browser
(tests/integration/web.py): what waits for the admins shows on the association's page,
publishing and closing ask once more, edits say they were saved, a later refusal does not
stand beside an earlier success, each place a role is picked explains the roles, removing
a member says how they may come back under the association's join policy, the unblock
panel offers those the audit log shows blocked, the audit log names the consultation, and
the invitation screen tells a signed-out person they will come back.

Each test makes its own associations (names with a uuid). Every state is looked at
(axe-core at 360 and 1280 px) and photographed under build/screens/details-*.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import heading, look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

RSQ = "\u2019"  # the catalogue's typographic apostrophe


def said(page: Page | Locator, text: str) -> Locator:
    return page.get_by_role("status").filter(has_text=text)


def person(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:6]}"


def new_group(hub: RunningHub, admin: str, policy: str = "invite") -> tuple[str, str]:
    name = f"Amicale {uuid.uuid4().hex[:8]}"
    body = {"name": name, "join_policy": policy}
    return hub.as_user(admin).post("/v1/groups", body, expect=201).data["id"], name


def add_member(hub: RunningHub, group: str, admin: str, user: str, role: str) -> None:
    made = hub.as_user(admin).post(f"/v1/groups/{group}/invitations", {"role": role}, expect=201)
    hub.as_user(user).post(f"/v1/invitations/{made.data['code']}/accept", expect=201)


def draft(hub: RunningHub, group: str, admin: str, title: str) -> str:
    closes = (datetime.now() + timedelta(days=3)).astimezone().isoformat()
    body = {"title": title, "visibility": "members", "closes_at": closes}
    return hub.as_user(admin).post(f"/v1/groups/{group}/consultations", body, expect=201).data["id"]


def test_the_admins_find_what_waits_for_them_on_the_association_page(
    phone: Page, hub: RunningHub
) -> None:
    admin, asker, other_admin = person("admin"), person("asker"), person("host")
    group, name = new_group(hub, admin, policy="request")
    host, _ = new_group(hub, other_admin)
    shared = draft(hub, host, other_admin, "Fête des voisins")
    hub.as_user(other_admin).post(
        f"/v1/consultations/{shared}/partners", {"group_id": group}, expect=201
    )
    hub.as_user(asker).post(f"/v1/groups/{group}/join", expect=202)

    sign_in(phone, admin)
    phone.goto(f"/groups/{group}")
    heading(phone, name)
    waiting = phone.get_by_role("region", name="En attente")
    expect(waiting.get_by_role("link")).to_have_text(
        [f"1 demande d{RSQ}adhésion en attente", "1 partenariat proposé attend votre réponse"]
    )
    tools = phone.get_by_role("navigation", name=f"L{RSQ}association")
    expect(tools.get_by_role("link", name="Partenariats proposés", exact=True)).to_be_visible()
    expect(tools.get_by_role("link", name="Invitations", exact=True)).to_be_visible()
    look(phone, "details-group-pending")

    waiting.get_by_role("link", name=re.compile("demande")).click()
    heading(phone, f"Demandes d{RSQ}adhésion")
    expect(phone.get_by_text(asker).first).to_be_visible()

    # Someone who is no admin reads no such list (nor asks the API for it).
    hub.as_user(admin).post(f"/v1/groups/{group}/join-requests/{asker}/approve", expect=201)
    hub.as_user(admin).delete(f"/v1/consultations/{shared}/partners/{group}", expect=204)
    phone.goto(f"/groups/{group}")
    heading(phone, name)
    expect(phone.get_by_role("region", name="En attente")).to_have_count(0)  # nothing waits
    sign_in(phone, asker)
    phone.goto(f"/groups/{group}")
    heading(phone, name)
    expect(phone.get_by_role("region", name="En attente")).to_have_count(0)


def test_publishing_and_closing_ask_once_more_and_edits_say_they_were_saved(
    phone: Page, hub: RunningHub
) -> None:
    admin = person("admin")
    group, name = new_group(hub, admin)
    consultation = draft(hub, group, admin, "Horaires du local")
    hub.as_user(admin).post(
        f"/v1/consultations/{consultation}/debates",
        {"title": "Ouvrir le samedi", "body": "Le matin.", "function": {"type": "vote"}},
        expect=201,
    )
    sign_in(phone, admin)

    # The form asks for the opening before the closing; saving says so on return.
    phone.goto(f"/consultations/{consultation}/edit")
    heading(phone, "Modifier la consultation")
    expect(
        phone.get_by_role("link", name="Retour à la consultation «\u00a0Horaires du local\u00a0»")
    ).to_be_visible()
    labels = phone.locator("form label").all_inner_texts()
    assert labels.index("Ouverture (facultatif)") < labels.index("Date de clôture")
    phone.get_by_label("Titre").fill("Horaires du local associatif")
    phone.get_by_role("button", name="Enregistrer").click()
    heading(phone, "Horaires du local associatif")
    expect(said(phone, "Modifications enregistrées.")).to_be_visible()
    look(phone, "details-consultation-saved")

    phone.get_by_role("link", name="modifier ce débat").click()
    heading(phone, "Modifier le débat")
    phone.get_by_label("Titre").fill("Ouvrir le samedi matin")
    phone.get_by_role("button", name="Enregistrer le débat").click()
    heading(phone, "Horaires du local associatif")
    expect(said(phone, "Modifications enregistrées.")).to_be_visible()

    # A poll's quorum counts voters; only a vote's speaks of abstentions.
    tools = phone.get_by_role("region", name="Organiser la consultation")
    tools.get_by_label("Décision").select_option("poll")
    expect(tools.get_by_text(re.compile("^Nombre de votants"))).not_to_contain_text("abstention")
    tools.get_by_label("Décision").select_option("vote")
    expect(tools.get_by_text(re.compile("^Nombre de votants"))).to_contain_text("abstentions")

    # Publishing asks once more; cancelling leaves the draft as it was.
    tools.get_by_role("button", name="Publier", exact=True).click()
    asking = tools.get_by_role("group", name=re.compile("^Publier maintenant"))
    expect(asking).to_contain_text("Les débats ne pourront plus être modifiés.")
    expect(tools.get_by_role("button", name="Oui, publier")).to_be_focused()
    look(phone, "details-publish-asking")
    tools.get_by_role("button", name="Annuler").click()
    expect(asking).to_have_count(0)
    assert hub.as_user(admin).get(f"/v1/consultations/{consultation}").data["status"] == "draft"
    tools.get_by_role("button", name="Publier", exact=True).click()
    tools.get_by_role("button", name="Oui, publier").click()
    expect(said(phone, "Consultation publiée.")).to_be_visible()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()
    look(phone, "details-published")

    # Closing too; refused without a reason, the publication is no longer said beside it.
    phone.get_by_role("button", name="Clore maintenant").click()
    phone.get_by_role("button", name="Oui, clore").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    expect(said(phone, "Consultation publiée.")).to_have_count(0)
    # The reason typed is kept while it asks.
    phone.get_by_label("Motif").fill("Décidé en réunion.")
    phone.get_by_role("button", name="Clore maintenant").click()
    expect(phone.get_by_role("group", name=re.compile("^Clore maintenant"))).to_be_visible()
    expect(phone.get_by_role("button", name="Oui, clore")).to_be_focused()
    look(phone, "details-close-asking")
    phone.get_by_role("button", name="Annuler").click()
    assert hub.as_user(admin).get(f"/v1/consultations/{consultation}").data["status"] == "open"
    phone.get_by_role("button", name="Clore maintenant").click()
    phone.get_by_role("button", name="Oui, clore").click()
    expect(said(phone, "Consultation close.")).to_be_visible()
    expect(phone.get_by_text("Clôturée", exact=True)).to_be_visible()

    # The audit log names the consultation it published and closed.
    phone.goto(f"/groups/{group}/audit")
    heading(phone, "Journal")
    log = phone.locator("ol.audit")
    expect(log).to_contain_text(
        f"{admin} a publié la consultation «\u00a0Horaires du local associatif\u00a0»."
    )
    expect(log).to_contain_text(
        f"{admin} a clos la consultation «\u00a0Horaires du local associatif\u00a0» "
        "avant la date prévue."
    )
    look(phone, "details-audit-named")
    expect(phone.get_by_role("link", name=f"Retour à l{RSQ}association {name}")).to_be_visible()


def test_roles_are_explained_and_a_refusal_clears_the_earlier_success(
    phone: Page, hub: RunningHub
) -> None:
    admin, lea = person("admin"), person("lea")
    group, _ = new_group(hub, admin, policy="request")
    add_member(hub, group, admin, lea, "participant")
    sign_in(phone, admin)
    phone.goto(f"/groups/{group}/members")
    heading(phone, "Membres")

    help_ = phone.get_by_text("Que peut faire chaque rôle\u00a0?")
    help_.click()
    expect(phone.get_by_text(re.compile("^Auteur\u00a0: crée aussi"))).to_be_visible()
    look(phone, "details-members-roles")

    phone.get_by_label(f"Rôle de {lea}", exact=True).select_option("author")
    phone.get_by_role("button", name=f"Changer le rôle de {lea}").click()
    expect(said(phone, f"{lea} est maintenant auteur.")).to_be_visible()
    # The last admin may not step down: the refusal shows, the success is no longer said.
    phone.get_by_label(f"Rôle de {admin}", exact=True).select_option("participant")
    phone.get_by_role("button", name=f"Changer le rôle de {admin}").click()
    expect(phone.get_by_role("alert")).to_contain_text("au moins un administrateur")
    expect(said(phone, "est maintenant")).to_have_count(0)
    look(phone, "details-members-refused")

    # The association admits on request: the removed member may ask again.
    phone.get_by_role("button", name=f"Retirer {lea}").click()
    expect(phone.get_by_role("group", name=re.compile(f"^Retirer {lea}"))).to_contain_text(
        "elle devra demander à nouveau à rejoindre"
    )
    look(phone, "details-members-remove-request")

    phone.goto(f"/groups/{group}/invitations")
    expect(phone.get_by_text("Que peut faire chaque rôle\u00a0?")).to_be_visible()
    phone.goto("/groups/new")
    heading(phone, "Créer une association")
    expect(phone.get_by_text(re.compile("^Sur invitation\u00a0: avec un lien"))).to_be_visible()
    look(phone, "details-group-new-policies")


def test_the_admin_lifts_a_block_the_audit_log_shows(phone: Page, hub: RunningHub) -> None:
    admin, anna, ben, carl = person("admin"), person("anna"), person("ben"), person("carl")
    group, name = new_group(hub, admin)
    for member in (anna, ben, carl):
        add_member(hub, group, admin, member, "participant")
    until = (datetime.now() + timedelta(days=7)).astimezone().isoformat()
    blocks = f"/v1/groups/{group}/blocks"
    hub.as_user(admin).put(f"{blocks}/{anna}", {"reason": "Insultes", "until": until}, expect=200)
    hub.as_user(admin).put(f"{blocks}/{ben}", {"reason": "Spam"}, expect=200)
    hub.as_user(admin).delete(f"{blocks}/{ben}", expect=204)
    hub.as_user(admin).put(f"{blocks}/{carl}", {"reason": "Hors sujet"}, expect=200)

    sign_in(phone, admin)
    phone.goto(f"/groups/{group}/moderation")
    expect(phone.get_by_role("link", name=f"Retour à l{RSQ}association {name}")).to_be_visible()
    phone.get_by_text("Lever un blocage").click()
    who = phone.get_by_label("Personne bloquée")
    expect(who.locator("option")).to_have_count(3)  # the prompt, Carl, Anna: not Ben
    texts = who.locator("option").all_inner_texts()
    assert texts[1] == f"{carl} (sans date de fin)"
    assert texts[2].startswith(f"{anna} (jusqu{RSQ}au ")
    look(phone, "details-unblock-from-audit")

    who.select_option(carl)
    phone.get_by_role("button", name="Débloquer", exact=True).click()
    expect(phone.get_by_text(f"{carl} est débloqué.")).to_be_visible()
    expect(who.locator("option")).to_have_count(2)
    hub.as_user(admin).delete(f"{blocks}/{anna}", expect=204)
    phone.reload()
    phone.get_by_text("Lever un blocage").click()
    expect(phone.get_by_text(f"Personne n{RSQ}est bloqué d{RSQ}après le journal.")).to_be_visible()
    look(phone, "details-unblock-none")


def test_a_signed_out_invitee_is_told_they_will_come_back(phone: Page, hub: RunningHub) -> None:
    admin = person("admin")
    group, _ = new_group(hub, admin)
    code = hub.as_user(admin).post(f"/v1/groups/{group}/invitations", {}, expect=201).data["code"]
    phone.goto(f"/invitations/{code}")
    heading(phone, "Invitation")
    expect(
        phone.get_by_text(f"Connectez-vous\u00a0: vous reviendrez ici pour l{RSQ}accepter.")
    ).to_be_visible()
    look(phone, "details-invitation-signed-out")
