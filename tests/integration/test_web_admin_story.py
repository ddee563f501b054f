"""Acceptance 2 of issue 15, in a real browser (tests/integration/web.py): a volunteer
runs a consultation from the web client alone. A fresh person signs in, creates an
association, drafts a consultation in it, adds a vote debate, publishes, votes, closes it
early with a reason, and reads the results: provisional while open (shown live), final
once the closer has run (the test hub closes every second with a 2 s grace). Every new
screen passes axe-core at 360 and 1280 px and is photographed under build/screens/.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import look, reload_until_final, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

# the catalogue's typographic apostrophe (U+2019)
LISTED = "Visible dans l\u2019annuaire"
CREATE = "Créer l\u2019association"
MEMBERS = "Membres de l\u2019association"


def heading(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_a_volunteer_runs_a_consultation_from_the_browser(phone: Page, hub: RunningHub) -> None:
    someone = f"volunteer-{uuid.uuid4().hex[:8]}"
    group_name = f"Jardins partagés {someone[-8:]}"
    title = "Budget 2027 du jardin"
    question = "Acheter un récupérateur d'eau de pluie"
    sign_in(phone, someone)

    phone.get_by_role("link", name="Créer une association").click()
    expect(phone).to_have_url(re.compile(r"/groups/new$"))
    heading(phone, "Créer une association")
    expect(phone.get_by_label(LISTED)).to_be_checked()
    look(phone, "group-new")

    # Nothing typed: the API's refusal, in French, in the error summary; nothing created.
    phone.get_by_role("button", name=CREATE).click()
    summary = phone.get_by_role("alert")
    expect(summary.get_by_role("link", name=re.compile(r"^Nom\s*:"))).to_have_attribute(
        "href", "#group-name"
    )
    expect(phone).to_have_url(re.compile(r"/groups/new$"))
    look(phone, "group-new-refused")

    phone.get_by_label("Nom").fill(group_name)
    phone.get_by_label("Description").fill("Les parcelles du **quartier Nord**.")
    phone.get_by_label("Adhésion").select_option(label="Libre")
    phone.get_by_role("button", name=CREATE).click()
    expect(phone).to_have_url(re.compile(r"/groups/[0-9a-z]+$"))
    heading(phone, group_name)
    expect(phone.get_by_text("Votre rôle : administrateur")).to_be_visible()
    group_id = phone.url.rsplit("/", 1)[-1]
    made = hub.as_user(someone).get(f"/v1/groups/{group_id}").data
    assert (made["name"], made["join_policy"], made["listed"]) == (group_name, "open", True)
    look(phone, "group-admin")

    phone.get_by_role("link", name="Nouvelle consultation").click()
    expect(phone).to_have_url(re.compile(rf"/groups/{group_id}/consultations/new$"))
    heading(phone, "Nouvelle consultation")
    look(phone, "consultation-new")
    phone.get_by_label("Titre").fill(title)
    phone.get_by_label("Visibilité").select_option(label=MEMBERS)
    closes = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    phone.get_by_label("Date de clôture").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_role("button", name="Créer le brouillon").click()
    expect(phone).to_have_url(re.compile(r"/consultations/[0-9a-z]{12}$"))
    heading(phone, title)
    expect(phone.get_by_text("Brouillon")).to_be_visible()
    consultation_id = phone.url.rsplit("/", 1)[-1]
    drafted = hub.as_user(someone).get(f"/v1/consultations/{consultation_id}").data
    assert drafted["visibility"] == "members"
    assert datetime.fromisoformat(drafted["closes_at"]) == closes.astimezone()  # sent as UTC

    # A poll asks for options, two at first, more on demand; then back to a vote.
    decision = phone.get_by_label("Décision")
    decision.select_option(label="Sondage")
    options = phone.get_by_role("group", name="Options")
    expect(options.get_by_role("textbox")).to_have_count(2)
    phone.get_by_role("button", name="Ajouter une option").click()
    expect(options.get_by_role("textbox")).to_have_count(3)
    expect(phone.get_by_label("Option 3")).to_be_visible()
    look(phone, "debate-new-poll")
    decision.select_option(label="Vote (pour, contre, abstention)")
    expect(phone.get_by_role("group", name="Options")).to_have_count(0)

    phone.get_by_label("Titre").fill(question)
    phone.get_by_label("Texte").fill("Une cuve de 1 000 litres, environ 300 €.")
    phone.get_by_label("Résultats visibles").select_option(label="En direct")
    phone.get_by_role("button", name="Ajouter le débat").click()
    expect(phone.get_by_role("status").filter(has_text="Débat ajouté")).to_be_visible()
    expect(phone.get_by_role("link", name=question)).to_be_visible()
    expect(phone.get_by_label("Titre")).to_have_value("")  # ready for the next one
    look(phone, "consultation-draft")

    expect(phone.get_by_text("ne pourront plus être modifiés")).to_be_visible()
    phone.get_by_role("button", name="Publier", exact=True).click()  # asks once more
    expect(phone.get_by_role("group", name=re.compile(r"^Publier maintenant"))).to_be_visible()
    look(phone, "consultation-publish-asking")
    phone.get_by_role("button", name="Oui, publier").click()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()
    expect(phone.get_by_role("status").filter(has_text="Consultation publiée.")).to_be_visible()
    expect(phone.get_by_role("button", name="Publier", exact=True)).to_have_count(0)
    expect(phone.get_by_role("button", name="Clore maintenant")).to_be_visible()
    look(phone, "consultation-open-admin")

    phone.get_by_role("link", name=question).click()
    heading(phone, question)
    phone.get_by_role("group", name="Votre vote").get_by_role("radio", name="Pour").check()
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        re.compile(r"Vous avez voté\s*:\s*Pour")
    )
    expect(phone.get_by_role("table", name="Résultats")).to_be_visible()
    expect(phone.get_by_text("Provisoire", exact=True)).to_be_visible()

    phone.get_by_role("link", name="Retour à la consultation").click()
    heading(phone, title)
    phone.get_by_role("button", name="Clore maintenant").click()  # no reason: refused
    phone.get_by_role("button", name="Oui, clore").click()
    expect(
        phone.get_by_role("alert").get_by_role("link", name=re.compile(r"^Motif"))
    ).to_be_visible()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()
    look(phone, "consultation-close-refused")
    phone.get_by_label("Motif").fill("Le devis est arrivé plus tôt que prévu.")
    phone.get_by_role("button", name="Clore maintenant").click()
    expect(phone.get_by_role("group", name=re.compile(r"^Clore maintenant"))).to_be_visible()
    look(phone, "consultation-close-asking")
    phone.get_by_role("button", name="Oui, clore").click()
    expect(phone.get_by_text("Clôturée", exact=True)).to_be_visible()
    expect(phone.get_by_role("status").filter(has_text="Consultation close.")).to_be_visible()
    expect(phone.get_by_role("button", name="Clore maintenant")).to_have_count(0)
    closed = hub.as_user(someone).get(f"/v1/consultations/{consultation_id}").data
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    look(phone, "consultation-closed")

    phone.get_by_role("link", name=question).click()
    heading(phone, question)
    reload_until_final(phone, question)
    expect(phone.get_by_text("Définitif", exact=True)).to_be_visible()
    table = phone.get_by_role("table", name="Résultats")
    pour = table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Pour"))
    expect(pour.get_by_role("cell")).to_have_text("1")
    look(phone, "debate-final")


def test_the_tools_follow_the_readers_role(desktop: Page, hub: RunningHub) -> None:
    """A granted author (not a member) adds debates to a draft but does not publish it; once
    open, a participant of the association sees no tool at all."""
    tag = uuid.uuid4().hex[:8]
    admin, author, member = f"admin-{tag}", f"author-{tag}", f"member-{tag}"
    group = hub.as_user(admin).post(
        "/v1/groups", {"name": f"Atelier vélo {tag}", "join_policy": "open"}, expect=201
    )
    closes = (datetime.now() + timedelta(days=2)).astimezone().isoformat()
    made = hub.as_user(admin).post(
        f"/v1/groups/{group.data['id']}/consultations",
        {"title": "Horaires de l'atelier", "visibility": "members", "closes_at": closes},
        expect=201,
    )
    consultation = made.data["id"]
    hub.as_user(admin).put(
        f"/v1/consultations/{consultation}/grants/{author}", {"role": "author"}, expect=201
    )

    sign_in(desktop, author)
    desktop.goto(f"/consultations/{consultation}")
    heading(desktop, "Horaires de l'atelier")
    tools = desktop.get_by_role("region", name="Organiser la consultation")
    expect(tools.get_by_role("button", name="Ajouter le débat")).to_be_visible()
    expect(tools.get_by_role("button", name="Publier", exact=True)).to_have_count(0)

    hub.as_user(admin).post(f"/v1/consultations/{consultation}/publish", expect=200)
    hub.as_user(member).post(f"/v1/groups/{group.data['id']}/join", expect=201)
    navigation = desktop.get_by_role("navigation", name="Principal")
    navigation.get_by_role("button", name="Se déconnecter").click()
    sign_in(desktop, member)
    desktop.goto(f"/consultations/{consultation}")
    heading(desktop, "Horaires de l'atelier")
    expect(desktop.get_by_text("Ouverte", exact=True)).to_be_visible()
    expect(desktop.get_by_role("region", name="Organiser la consultation")).to_have_count(0)
    expect(desktop.get_by_role("button", name="Clore maintenant")).to_have_count(0)
