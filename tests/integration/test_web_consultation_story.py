"""Issue 15: an association's admin runs a board meeting from the browser alone, and a
secret ballot is cast, kept and checked (tests/integration/web.py).

The admin drafts a consultation restricted to the board (a plain member cannot open it),
edits its title and dates, adds a secret vote with a quorum and a threshold (each refusal
naming its field), finds a board meeting takes no partner (another consultation's partner
admin accepts in the browser), grants a person the author role, and publishes. A board
member votes secretly: the first attempt fails (503, as from a proxy), the page says the
vote was not recorded, and the retry sends the very same ballot with the same receipt: one
ballot counted. The receipt shows once, with a copy button. The admin closes early with a
reason; after the final count the board member finds their receipt counted, and the
outcome shows its quorum and threshold. Then the attack: nobody but the host's admins is
shown the tools, and an address typed directly answers the API's refusal.

Each test makes its own associations (uuid names): the demo's state stays as other files
of the same worker expect it.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, Route, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import heading, look, reload_until_final, sign_in, switch_to

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

RESTRICTED = "Réservée (réunion de bureau)"
NOT_VISIBLE = "Cette consultation n\u2019existe pas, ou elle ne vous est pas visible."
FORBIDDEN = "Votre rôle ne vous permet pas de faire cela."
TOOLS = "Organiser la consultation"
THRESHOLD = "Seuil d\u2019adoption, en % (facultatif)"


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def soon(days: int) -> str:
    """An instant `days` from now, as the API takes it."""
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def group(hub: RunningHub, admin: str, name: str, *, listed: bool = False) -> str:
    """An association of the test's own (unlisted unless the test needs it in the
    directory, which other stories of the session read too)."""
    made = hub.as_user(admin).post(
        "/v1/groups", {"name": name, "join_policy": "invite", "listed": listed}, expect=201
    )
    return made.data["id"]


def member(hub: RunningHub, admin: str, group_id: str, user: str, role: str) -> None:
    code = (
        hub.as_user(admin)
        .post(f"/v1/groups/{group_id}/invitations", {"role": role}, expect=201)
        .data["code"]
    )
    hub.as_user(user).post(f"/v1/invitations/{code}/accept", expect=201)


def test_an_admin_runs_a_board_meeting_with_a_secret_ballot(phone: Page, hub: RunningHub) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, treasurer, plain = f"chair-{tag}", f"treasurer-{tag}", f"member-{tag}"
    partner_admin, writer = f"partner-chair-{tag}", f"writer-{tag}"
    host_id = group(hub, admin, f"Maison de quartier {tag}")
    member(hub, admin, host_id, treasurer, "admin")
    member(hub, admin, host_id, plain, "participant")
    partner_id = group(hub, partner_admin, f"Amicale des locataires {tag}")

    # ---- the admin drafts a board meeting, for admins only
    sign_in(phone, admin)
    phone.goto(f"/groups/{host_id}/consultations/new")
    heading(phone, "Nouvelle consultation")
    phone.get_by_label("Titre").fill("Bureau de décembre")
    phone.get_by_label("Visibilité").select_option(label=RESTRICTED)
    audience = phone.get_by_role("group", name="Rôles invités")
    expect(audience.get_by_role("checkbox")).to_have_count(4)  # admins always are
    closes = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    phone.get_by_label("Date de clôture").fill(local(closes))
    look(phone, "consultation-new-restricted")
    phone.get_by_role("button", name="Créer le brouillon").click()
    expect(phone).to_have_url(re.compile(r"/consultations/[0-9a-z]{12}$"))
    heading(phone, "Bureau de décembre")
    consultation_id = phone.url.rsplit("/", 1)[-1]
    made = hub.as_user(admin).get(f"/v1/consultations/{consultation_id}").data
    assert (made["visibility"], made["audience"]) == ("restricted", ["admin"])

    # ---- edits the draft's title and dates
    phone.get_by_role("link", name="Modifier la consultation").click()
    heading(phone, "Modifier la consultation")
    expect(phone.get_by_label("Titre")).to_have_value("Bureau de décembre")
    expect(phone.get_by_label("Visibilité")).to_have_value("restricted")
    expect(phone.get_by_label("Date de clôture")).to_have_value(local(closes))
    look(phone, "consultation-edit")
    later = closes + timedelta(days=2)
    phone.get_by_label("Titre").fill("Bureau du 12 décembre")
    phone.get_by_label("Date de clôture").fill(local(later))
    phone.get_by_role("button", name="Enregistrer").click()
    heading(phone, "Bureau du 12 décembre")
    edited = hub.as_user(admin).get(f"/v1/consultations/{consultation_id}").data
    assert datetime.fromisoformat(edited["closes_at"]) == later.astimezone()
    assert edited["audience"] == ["admin"]  # unchanged: not sent

    # ---- adds a secret vote with a quorum and a threshold; refusals name their field
    tools = phone.get_by_role("region", name=TOOLS)
    tools.get_by_label("Titre").fill("Adopter le budget 2027")
    tools.get_by_label("Texte").fill("Recettes 12 400 €, dépenses 12 100 €.")
    expect(tools.get_by_label("Décision")).to_have_value("vote")
    tools.get_by_label("Vote secret").check()
    tools.get_by_label("Quorum (facultatif)").fill("0")
    tools.get_by_label(THRESHOLD).fill("60")
    tools.get_by_role("button", name="Ajouter le débat").click()
    refused = tools.get_by_role("alert").get_by_role("link", name=re.compile(r"^Quorum"))
    expect(refused).to_have_attribute("href", "#d-quorum")
    quorum = tools.get_by_label("Quorum (facultatif)")
    expect(quorum).to_have_attribute("aria-invalid", "true")
    expect(quorum).to_have_accessible_description(re.compile(r"Nombre de votants.*\S"))
    assert (
        quorum.evaluate("el => el.getAttribute('aria-describedby')")
        == "d-quorum-hint d-quorum-error"
    )
    expect(tools.locator("#d-quorum-error")).to_have_text(
        refused.inner_text().split(":", 1)[1].strip()
    )
    look(phone, "debate-new-refused")
    tools.get_by_label("Quorum (facultatif)").fill("1")
    tools.get_by_label(THRESHOLD).fill("150")
    tools.get_by_role("button", name="Ajouter le débat").click()
    expect(
        tools.get_by_role("alert").get_by_role("link", name=re.compile(r"^Seuil"))
    ).to_have_attribute("href", "#d-threshold")
    expect(tools.get_by_label(THRESHOLD)).to_have_accessible_description(
        re.compile(r"indiquez un pourcentage entre 1 et 100$")
    )
    tools.get_by_label(THRESHOLD).fill("60")
    summary = tools.get_by_text(re.compile(r"^Décidé seulement si"))
    expect(summary).to_have_text(
        re.compile(
            r"au moins 1 personne vote\. Adopté si «\s*Pour\s*» atteint 60\s*% .*Vote secret\."
        )
    )
    look(phone, "debate-new-secret")
    tools.get_by_role("button", name="Ajouter le débat").click()
    expect(phone.get_by_role("status").filter(has_text="Débat ajouté")).to_be_visible()
    debate_link = phone.get_by_role("link", name="Adopter le budget 2027", exact=True)
    expect(debate_link).to_be_visible()
    debate_id = debate_link.get_attribute("href").rsplit("/", 1)[-1]
    fn = hub.as_user(admin).get(f"/v1/debates/{debate_id}").data["function"]
    assert (fn["type"], fn["secret"], fn["quorum"], fn["threshold"], fn["allow_change"]) == (
        "vote",
        True,
        1,
        0.6,
        False,
    )

    # ---- the debate is still editable while a draft
    tools.get_by_role("listitem").filter(has_text="Adopter le budget 2027").get_by_role(
        "link", name="modifier ce débat"
    ).click()
    heading(phone, "Modifier le débat")
    expect(phone.get_by_label(THRESHOLD)).to_have_value("60")
    expect(phone.get_by_label("Vote secret")).to_be_checked()
    look(phone, "debate-edit")
    phone.get_by_label("Texte").fill("Recettes 12 400 €, dépenses 12 150 €.")
    phone.get_by_role("button", name="Enregistrer le débat").click()
    heading(phone, "Bureau du 12 décembre")
    assert hub.as_user(admin).get(f"/v1/debates/{debate_id}").data["body"].endswith("12 150 €.")

    # ---- a board meeting takes no partner association (the screen says so, with no form);
    # grants a person the author role
    phone.get_by_role("link", name="Partenaires et rôles").click()
    heading(phone, "Partenaires et rôles")
    expect(phone.get_by_text("Aucune association partenaire.")).to_be_visible()
    expect(phone.get_by_text(re.compile("^Une réunion du bureau reste fermée"))).to_be_visible()
    expect(phone.get_by_role("button", name="Inviter")).to_have_count(0)
    phone.get_by_label("Identifiant de la personne").fill(writer)
    phone.get_by_label("Rôle", exact=True).select_option(label="auteur")
    phone.get_by_role("button", name="Donner le rôle").click()
    expect(phone.get_by_role("status").filter(has_text=f"{writer} a maintenant")).to_be_visible()
    expect(phone.get_by_label(f"Rôle de {writer}", exact=True)).to_have_value("author")
    look(phone, "consultation-access")
    grants = hub.as_user(admin).get(f"/v1/consultations/{consultation_id}/grants").data["items"]
    assert [(g["id"], g["role"]) for g in grants] == [(writer, "author")]

    # ---- invites a partner to the members' "Fête" (a precondition, over the API): the
    # partner's admin learns of it and accepts, in the browser
    chair = hub.as_user(admin)
    fete = {"title": "Fête du 12 décembre", "visibility": "members", "closes_at": soon(7)}
    fete_id = chair.post(f"/v1/groups/{host_id}/consultations", fete).data["id"]
    invited = chair.post(f"/v1/consultations/{fete_id}/partners", {"group_id": partner_id})
    assert invited.status_code == 201, invited.data
    switch_to(phone, partner_admin)
    phone.goto(f"/groups/{partner_id}")
    phone.get_by_role("link", name="Partenariats proposés", exact=True).click()
    heading(phone, "Partenariats proposés")
    invitation = phone.get_by_role("listitem").filter(has_text="Fête du 12 décembre")
    expect(invitation).to_contain_text(f"Maison de quartier {tag}")
    look(phone, "partner-invitations")
    invitation.get_by_role("button", name="Accepter le partenariat").click()
    expect(phone.get_by_role("status")).to_contain_text("Partenariat accepté")
    expect(phone.get_by_text("Aucune invitation en attente.")).to_be_visible()
    look(phone, "partner-invitations-accepted")
    partners_now = chair.get(f"/v1/consultations/{fete_id}").data["partners"]
    assert partners_now == [{"group_id": partner_id, "status": "accepted"}]

    # ---- the admin publishes
    switch_to(phone, admin)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, "Bureau du 12 décembre")
    phone.get_by_role("button", name="Publier", exact=True).click()
    phone.get_by_role("button", name="Oui, publier").click()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()

    # ---- once published, only the description changes (and the closing moves later)
    phone.get_by_role("link", name="Modifier la consultation").click()
    heading(phone, "Modifier la consultation")
    expect(phone.get_by_label("Titre")).to_have_count(0)
    expect(phone.get_by_label("Visibilité")).to_have_count(0)
    look(phone, "consultation-edit-published")
    phone.get_by_label("Description").fill("Ordre du jour : le budget.")
    phone.get_by_role("button", name="Enregistrer").click()
    heading(phone, "Bureau du 12 décembre")
    expect(phone.get_by_text("Ordre du jour")).to_be_visible()

    # ---- a plain member cannot open the board meeting: the API's refusal shows
    switch_to(phone, plain)
    phone.goto(f"/consultations/{consultation_id}")
    expect(phone.get_by_role("alert")).to_contain_text(NOT_VISIBLE)
    look(phone, "consultation-restricted-refused")

    # ---- a board member votes secretly; the first attempt fails, the retry counts once
    switch_to(phone, treasurer)
    phone.goto(f"/consultations/{consultation_id}")
    phone.get_by_role("link", name="Adopter le budget 2027", exact=True).click()
    heading(phone, "Adopter le budget 2027")
    expect(phone.get_by_text("Quorum : au moins 1 votant")).to_be_visible()
    sent: list[dict] = []

    def first_fails(route: Route) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        sent.append(json.loads(route.request.post_data or "{}"))
        if len(sent) == 1:
            route.fulfill(status=503, content_type="text/html", body="<h1>Bad gateway</h1>")
        else:
            route.continue_()

    phone.route(f"**/v1/debates/{debate_id}/ballot", first_fails)
    phone.get_by_role("group", name="Votre vote").get_by_role("radio", name="Pour").check()
    # a secret ballot cannot change: "Voter" first asks, in the page, and nothing is sent
    phone.get_by_role("button", name="Voter", exact=True).click()
    confirm = phone.get_by_role("button", name="Confirmer mon vote")
    expect(
        phone.get_by_text(
            "Confirmez-vous votre vote\u00a0: Pour\u00a0? Il ne pourra plus être changé."
        )
    ).to_be_visible()
    expect(confirm).to_be_focused()
    look(phone, "ballot-secret-confirm")
    phone.get_by_role("button", name="Revenir").click()
    expect(phone.get_by_role("button", name="Voter", exact=True)).to_be_focused()
    assert sent == []
    phone.get_by_role("button", name="Voter", exact=True).click()
    confirm.click()
    failed = phone.get_by_role("alert").filter(has_text="Votre vote n\u2019a pas été enregistré.")
    expect(failed).to_be_visible()
    look(phone, "ballot-not-recorded")
    failed.get_by_role("button", name="Réessayer d\u2019envoyer le même vote").click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        "Vous avez voté (vote secret)."
    )
    receipt_box = phone.get_by_role("heading", name="Votre reçu de vote secret")
    expect(receipt_box).to_be_visible()
    receipt = phone.locator(".receipt code").inner_text()
    # Crockford's base32 in lower case (no i, l, o, u), 26 characters in groups of 4
    assert re.fullmatch(r"([0-9a-hjkmnp-tv-z]{4}-){6}[0-9a-hjkmnp-tv-z]{2}", receipt), receipt
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_be_focused()
    expect(phone.get_by_text("il ne sera plus affiché si vous rechargez")).to_be_visible()
    expect(
        phone.get_by_text(
            "Après la clôture, revenez sur cette page et collez ce reçu dans "
            "«\u00a0Vérifier mon reçu de vote secret\u00a0»"
        )
    ).to_be_visible()
    with phone.expect_download() as downloading:
        phone.get_by_role("link", name="Télécharger le reçu").click()
    saved = downloading.value
    assert saved.suggested_filename == f"receipt-{debate_id}.txt"
    with open(saved.path(), encoding="utf-8") as file:
        written = file.read()
    assert receipt in written and "Adopter le budget 2027" in written
    assert len(sent) == 2
    assert sent[0] == sent[1] == {"choice": "yes", "receipt": receipt}
    phone.unroute(f"**/v1/debates/{debate_id}/ballot")
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone.get_by_role("button", name="Copier le reçu").click()
    expect(phone.get_by_text("Reçu copié.")).to_be_visible()
    assert phone.evaluate("() => navigator.clipboard.readText()") == receipt
    look(phone, "ballot-secret-receipt")
    phone.reload()
    heading(phone, "Adopter le budget 2027")
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_be_visible()
    expect(phone.get_by_text(receipt)).to_have_count(0)  # shown once: the Hub cannot again

    # ---- the admin closes early, with a reason
    switch_to(phone, admin)
    phone.goto(f"/consultations/{consultation_id}")
    phone.get_by_label("Motif").fill("Le bureau a statué en séance.")
    phone.get_by_role("button", name="Clore maintenant").click()
    phone.get_by_role("button", name="Oui, clore").click()
    expect(phone.get_by_text("Clôturée", exact=True)).to_be_visible()
    expect(
        phone.get_by_text(re.compile("^le .*, par l\u2019association, avant la date prévue \\("))
    ).to_be_visible()
    look(phone, "consultation-closed-early")

    # ---- after the final count, the board member finds their receipt counted
    switch_to(phone, treasurer)
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Adopter le budget 2027")
    reload_until_final(phone, "Adopter le budget 2027")
    expect(phone.get_by_text("Définitif", exact=True)).to_be_visible()
    expect(phone.get_by_text("Adopté", exact=True)).to_be_visible()
    expect(phone.get_by_text("Quorum atteint : 1 votant pour 1 requis")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"Adopté si «\s*Pour\s*» atteint 60\s*%"))).to_be_visible()
    table = phone.get_by_role("table", name="Résultats")
    pour = table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Pour"))
    expect(pour.get_by_role("cell")).to_have_text("1")
    expect(phone.get_by_text("Clôturé", exact=True)).to_be_visible()  # the debate
    phone.get_by_label("Vérifier mon reçu de vote secret").fill(f"  {receipt.upper()} ")  # as typed
    phone.get_by_role("button", name="Vérifier").click()
    expect(phone.get_by_text("Ce reçu a été compté : Pour.")).to_be_visible()
    look(phone, "debate-final-receipt-checked")
    board = hub.as_user(treasurer).get(f"/v1/debates/{debate_id}/ballots").data
    assert [b["receipt"] for b in board["items"]] == [receipt]


def test_the_tools_stay_with_the_hosts_admins(desktop: Page, hub: RunningHub) -> None:
    """An author, a participant, an observer, a partner's member and an outsider: no tool
    on the consultation's page, and the API's refusal when they type the tools' address.
    An author's board meeting that would shut them out is refused with the API's reason."""
    tag = uuid.uuid4().hex[:8]
    admin, partner_admin = f"chair-{tag}", f"partner-chair-{tag}"
    host_id = group(hub, admin, f"Vidéo-club {tag}", listed=True)  # read by non-members
    partner_id = group(hub, partner_admin, f"Ciné-club {tag}")
    people = {role: f"{role}-{tag}" for role in ("author", "participant", "observer")}
    for role, user in people.items():
        member(hub, admin, host_id, user, role)
    partner_member = f"partner-member-{tag}"
    member(hub, partner_admin, partner_id, partner_member, "participant")
    closes = (datetime.now() + timedelta(days=2)).astimezone().isoformat()
    made = (
        hub.as_user(admin)
        .post(
            f"/v1/groups/{host_id}/consultations",
            {"title": "Sortie de printemps", "visibility": "members", "closes_at": closes},
            expect=201,
        )
        .data
    )
    url = f"/consultations/{made['id']}"
    hub.as_user(admin).post(f"/v1{url}/partners", {"group_id": partner_id}, expect=201)
    hub.as_user(partner_admin).post(f"/v1{url}/partners/{partner_id}/accept", expect=201)
    draft = (
        hub.as_user(admin)
        .post(
            f"/v1/groups/{host_id}/consultations",
            {"title": "Brouillon du bureau", "visibility": "members", "closes_at": closes},
            expect=201,
        )
        .data
    )
    hub.as_user(admin).post(f"/v1{url}/publish", expect=200)

    callers = [*people.values(), partner_member]
    for user in callers:
        switch_to(desktop, user)
        desktop.goto(url)
        heading(desktop, "Sortie de printemps")
        expect(desktop.get_by_role("region", name=TOOLS)).to_have_count(0)
        expect(desktop.get_by_role("link", name="Partenaires et rôles")).to_have_count(0)
        desktop.goto(f"{url}/access")
        expect(desktop.get_by_role("alert")).to_contain_text(FORBIDDEN)
        desktop.goto(f"/consultations/{draft['id']}/edit")  # someone else's draft
        expect(desktop.get_by_role("alert")).to_contain_text(NOT_VISIBLE)
        desktop.goto(f"/groups/{host_id}/partner-invitations")
        expect(desktop.get_by_role("alert")).to_contain_text(FORBIDDEN)
    look(desktop, "consultation-access-refused")

    outsider = f"outsider-{tag}"
    switch_to(desktop, outsider)
    for address in (url, f"{url}/access", f"{url}/edit"):
        desktop.goto(address)
        expect(desktop.get_by_role("alert")).to_contain_text(NOT_VISIBLE)
    expect(desktop.get_by_role("region", name=TOOLS)).to_have_count(0)

    # An author drafting a board meeting for admins only would shut themselves out.
    switch_to(desktop, people["author"])
    desktop.goto(f"/groups/{host_id}/consultations/new")
    desktop.get_by_label("Titre").fill("Réunion restreinte")
    desktop.get_by_label("Visibilité").select_option(label=RESTRICTED)
    desktop.get_by_label("Date de clôture").fill(
        local((datetime.now() + timedelta(days=2)).replace(second=0, microsecond=0))
    )
    desktop.get_by_role("button", name="Créer le brouillon").click()
    alert = desktop.get_by_role("alert")
    expect(alert.get_by_role("link", name=re.compile(r"^Rôles invités\s*:"))).to_contain_text(
        "votre propre rôle"
    )
    expect(desktop).to_have_url(re.compile(r"/consultations/new$"))
    look(desktop, "consultation-new-excludes-you")
    desktop.get_by_role("group", name="Rôles invités").get_by_label("Auteurs").check()
    desktop.get_by_role("button", name="Créer le brouillon").click()
    heading(desktop, "Réunion restreinte")
    mine = desktop.url.rsplit("/", 1)[-1]
    assert hub.as_user(admin).get(f"/v1/consultations/{mine}").data["audience"] == [
        "admin",
        "author",
    ]


def test_roles_change_and_go_partners_are_withdrawn_or_declined(
    desktop: Page, hub: RunningHub
) -> None:
    """The host's admin changes a person's role, then takes it back, and withdraws one
    partner's invitation; another partner's admin declines theirs."""
    tag = uuid.uuid4().hex[:8]
    admin, guest = f"chair-{tag}", f"guest-{tag}"
    host_id = group(hub, admin, f"Chorale {tag}")
    first_admin, second_admin = f"first-{tag}", f"second-{tag}"
    first = group(hub, first_admin, f"Orchestre {tag}", listed=True)  # named to the host
    second = group(hub, second_admin, f"Fanfare {tag}", listed=True)
    closes = (datetime.now() + timedelta(days=2)).astimezone().isoformat()
    made = (
        hub.as_user(admin)
        .post(
            f"/v1/groups/{host_id}/consultations",
            {"title": "Concert d'été", "visibility": "members", "closes_at": closes},
            expect=201,
        )
        .data
    )
    url = f"/v1/consultations/{made['id']}"
    hub.as_user(admin).put(f"{url}/grants/{guest}", {"role": "observer"}, expect=201)
    for partner in (first, second):
        hub.as_user(admin).post(f"{url}/partners", {"group_id": partner}, expect=201)

    sign_in(desktop, admin)
    # The directory's first page may not hold the partners (here: not answered at all):
    # they are still named, each read on its own.
    unanswered: list[str] = []

    def no_directory(route: Route) -> None:
        unanswered.append(route.request.url)
        route.fulfill(status=503, content_type="application/json", body="{}")

    desktop.route(re.compile(r"/v1/groups\?limit=100$"), no_directory)
    desktop.goto(f"/consultations/{made['id']}/access")
    heading(desktop, "Partenaires et rôles")
    role = desktop.get_by_label(f"Rôle de {guest}", exact=True)
    expect(role).to_have_value("observer")
    expect(desktop.get_by_role("button", name=f"Changer le rôle de {guest}")).to_be_disabled()
    role.select_option(label="participant")
    desktop.get_by_role("button", name=f"Changer le rôle de {guest}").click()
    expect(desktop.get_by_role("status").filter(has_text="rôle participant")).to_be_visible()
    grants = hub.as_user(admin).get(f"{url}/grants").data["items"]
    assert [(g["id"], g["role"]) for g in grants] == [(guest, "participant")]
    desktop.get_by_role("button", name=f"Retirer le rôle de {guest}").click()
    expect(desktop.get_by_text("Aucun rôle donné.")).to_be_visible()
    assert hub.as_user(admin).get(f"{url}/grants").data["items"] == []

    partners = desktop.get_by_role("region", name="Associations partenaires")
    expect(partners.get_by_role("listitem")).to_have_count(2)
    expect(partners.get_by_role("listitem").filter(has_text=f"Orchestre {tag}")).to_have_count(1)
    assert unanswered, "the directory was asked for, and failed"
    partners.get_by_role("listitem").filter(has_text=f"Orchestre {tag}").get_by_role(
        "button", name=re.compile("^Retirer")
    ).click()
    expect(partners.get_by_role("listitem")).to_have_count(1)
    expect(partners.get_by_role("listitem")).to_contain_text(f"Fanfare {tag}")
    look(desktop, "consultation-access-changed")

    switch_to(desktop, first_admin)
    desktop.goto(f"/groups/{first}/partner-invitations")
    expect(desktop.get_by_text("Aucune invitation en attente.")).to_be_visible()
    switch_to(desktop, second_admin)
    desktop.goto(f"/groups/{second}/partner-invitations")
    desktop.get_by_role("button", name="Refuser").click()
    expect(desktop.get_by_text("Aucune invitation en attente.")).to_be_visible()
    assert hub.as_user(admin).get(url).data["partners"] == []
