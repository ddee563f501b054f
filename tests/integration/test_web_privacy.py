"""Issue 18 in the browser (tests/integration/web.py): a person takes and erases their data,
an organiser takes a finalised consultation's results, as each would.

- A member argues and votes, downloads their data from "Mon compte" (JSON, then ZIP) and
  finds both their argument and their ballot in it; then deletes their account after reading
  what goes and what stays, and ticking the box (an account erased in rounds: the page asks
  again while the API answers 202): they are signed out and told it is done;
  another member finds the argument signed "membre supprimé", its text gone.
- The only admin of an association is told to hand over first (the API's 409 last_admin):
  nothing is deleted, they stay signed in.
- An organiser downloads a finalised public consultation's results as CSV (the counts
  right, as a spreadsheet reads them) and JSON; its open data names its licence; before the
  close, the consultation offers no file.

Each test makes its own association (uuid names), so the demo stays as other files expect.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, Route, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import heading, look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

FINAL_WITHIN_S = 30  # the closer runs every second, final 2 s after the close


def navigation(page: Page):
    return page.get_by_role("navigation", name="Principal")


def association(hub: RunningHub, admin: str, name: str, members: list[str]) -> str:
    group = (
        hub.as_user(admin)
        .post("/v1/groups", {"name": name, "join_policy": "open"}, expect=201)
        .data["id"]
    )
    for person in members:
        hub.as_user(person).post(f"/v1/groups/{group}/join", expect=201)
    return group


def consultation(
    hub: RunningHub, admin: str, group: str, title: str, visibility: str, debates: list[dict]
) -> tuple[str, list[str]]:
    """A published consultation of `group` holding `debates`: (its id, the debates' ids)."""
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    made = (
        hub.as_user(admin)
        .post(
            f"/v1/groups/{group}/consultations",
            {"title": title, "visibility": visibility, "closes_at": closes},
            expect=201,
        )
        .data["id"]
    )
    ids = [
        hub.as_user(admin).post(f"/v1/consultations/{made}/debates", d, expect=201).data["id"]
        for d in debates
    ]
    hub.as_user(admin).post(f"/v1/consultations/{made}/publish", expect=200)
    return made, ids


def download(page: Page, button: str) -> tuple[str, bytes]:
    """Press the button `button` and take the file the browser saves: (its name, bytes)."""
    with page.expect_download() as downloading:
        page.get_by_role("button", name=button).click()
    saved = downloading.value
    with open(saved.path(), "rb") as file:
        return saved.suggested_filename, file.read()


def test_a_member_takes_their_data_then_deletes_their_account(
    phone: Page, desktop: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin, leaving, staying = f"admin-{tag}", f"leaving-{tag}", f"staying-{tag}"
    group = association(hub, admin, f"Jardins partagés {tag}", [leaving, staying])
    _, (debate,) = consultation(
        hub,
        admin,
        group,
        "Printemps au jardin",
        "members",
        [{"title": "Ouvrir le dimanche", "function": {"type": "vote"}}],
    )
    words = f"Le dimanche, les familles sont là ({tag})."

    # ---- the member argues and votes, in the browser
    sign_in(phone, leaving)
    phone.goto(f"/debates/{debate}")
    heading(phone, "Ouvrir le dimanche")
    phone.get_by_role("radio", name="Pour", exact=True).check()
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_be_visible()
    phone.get_by_label("Votre argument").fill(words)
    phone.get_by_role("button", name="Publier").click()
    expect(phone.get_by_text("Votre argument est publié.")).to_be_visible()

    # ---- downloads their data from their account: the argument and the ballot are in it
    navigation(phone).get_by_role("link", name="Mon compte").click()
    heading(phone, "Mon compte")
    data = phone.get_by_role("region", name="Vos données")
    expect(data.get_by_text("le Hub ne connaît pas votre choix")).to_be_visible()
    look(phone, "me-your-data")
    name, body = download(phone, "Télécharger mes données (JSON)")
    assert name.startswith("hub-export-") and name.endswith(".json"), name
    exported = json.loads(body)
    assert exported["user_id"] == leaving
    assert [c["body"] for c in exported["comments"]] == [words]
    (ballot,) = exported["ballots"]
    assert ballot["debate_id"] == debate and ballot["secret"] is False
    assert "yes" in json.dumps(ballot["choice"])
    expect(data.get_by_role("status").filter(has_text=name)).to_be_visible()
    expect(data.get_by_role("link", name=f"Enregistrer {name} de nouveau")).to_be_visible()
    look(phone, "me-your-data-downloaded")
    name, body = download(phone, "Télécharger mes données (ZIP)")
    assert name.startswith("hub-export-") and name.endswith(".zip"), name
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert {"export.json", "README.txt"} <= set(archive.namelist())
        assert words in archive.read("export.json").decode("utf-8")

    # ---- reads what deletion does, must tick the box, then deletes
    data.get_by_role("link", name="Supprimer mon compte").click()
    expect(phone).to_have_url(re.compile(r"/me/delete$"))
    heading(phone, "Supprimer mon compte")
    for said in (
        "membre supprimé",
        "vos votes dans les débats encore ouverts sont retirés",
        "les résultats déjà annoncés ne changent pas",
        "le Hub ne peut pas savoir lequel est le vôtre",
        "vous quittez toutes vos associations",
    ):
        expect(phone.get_by_role("main").get_by_text(said)).to_be_visible()
    look(phone, "account-delete")
    deletions: list[str] = []

    def big_account(route: Route) -> None:
        """DELETE /v1/me: the first answered 202 as for an account erased in rounds (the
        API's budget is its own test's), then the API itself."""
        if route.request.method != "DELETE":
            route.continue_()
            return
        deletions.append(route.request.method)
        if len(deletions) == 1:
            route.fulfill(status=202, json={"status": "erasing"})
        else:
            route.continue_()

    phone.route(re.compile(r"/v1/me$"), big_account)
    phone.get_by_role("button", name="Supprimer mon compte").click()
    refusal = phone.get_by_role("alert")
    expect(refusal).to_contain_text("Cochez la case pour confirmer")
    expect(refusal).to_be_focused()
    look(phone, "account-delete-unticked")
    assert deletions == []  # nothing sent without the box ticked
    refusal.get_by_role("link").click()
    expect(phone.get_by_label(re.compile("^Je comprends"))).to_be_focused()
    phone.keyboard.press("Space")
    expect(phone.get_by_label(re.compile("^Je comprends"))).to_be_checked()
    phone.get_by_role("button", name="Supprimer mon compte").click()

    expect(phone).to_have_url(re.compile(r"/me/deleted$"))
    assert len(deletions) == 2  # asked again after the 202, until the API's 204
    heading(phone, "Votre compte est supprimé")
    expect(navigation(phone).get_by_role("link", name="Se connecter")).to_be_visible()
    assert phone.evaluate("() => sessionStorage.getItem('hub.token')") is None
    look(phone, "account-deleted")

    # ---- another member finds the argument signed "membre supprimé", its text gone
    sign_in(desktop, staying)
    desktop.goto(f"/debates/{debate}")
    heading(desktop, "Ouvrir le dimanche")
    argument = desktop.get_by_role("main").locator(".comment").filter(has_text="membre supprimé")
    expect(argument).to_have_count(1)
    expect(
        argument.get_by_text("Texte effacé\u00a0: son auteur a supprimé son compte.")
    ).to_be_visible()
    expect(desktop.get_by_text(words)).to_have_count(0)
    expect(argument.get_by_role("button", name="Signaler")).to_have_count(0)  # nothing to report
    look(desktop, "arguments-erased-author")
    members = hub.as_user(admin).get(f"/v1/groups/{group}/members").data["items"]
    assert leaving not in [m["id"] for m in members]

    # ---- the association's log keeps what happened, naming nobody
    navigation(desktop).get_by_role("button", name="Se déconnecter").click()
    sign_in(desktop, admin)
    desktop.goto(f"/groups/{group}/audit")
    heading(desktop, "Journal")
    log = desktop.get_by_role("main").locator("ol.audit")
    expect(log.get_by_text(re.compile("^Un membre a supprimé son compte"))).to_have_count(1)
    expect(
        log.get_by_text("Un membre supprimé a rejoint l\u2019association, comme participant.")
    ).to_be_visible()
    assert leaving not in log.inner_text() and "erased-" not in log.inner_text()
    look(desktop, "audit-member-erased")


def test_the_only_admin_is_told_to_hand_over_first(phone: Page, hub: RunningHub) -> None:
    """They run two associations alone and a third with another admin: the refusal names
    the two, each a link to its members, where another admin is named; nothing is erased."""
    tag = uuid.uuid4().hex[:8]
    founder, neighbour = f"founder-{tag}", f"neighbour-{tag}"
    alone = [
        association(hub, founder, f"{name} {tag}", [neighbour]) for name in ("Amicale", "Chorale")
    ]
    shared = association(hub, founder, f"Quartier {tag}", [])
    code = (
        hub.as_user(founder)
        .post(f"/v1/groups/{shared}/invitations", {"role": "admin"}, expect=201)
        .data["code"]
    )
    hub.as_user(neighbour).post(f"/v1/invitations/{code}/accept", expect=201)

    sign_in(phone, founder)
    phone.goto("/me")
    heading(phone, "Mon compte")
    phone.get_by_role("region", name="Vos données").get_by_role(
        "link", name="Supprimer mon compte"
    ).click()
    heading(phone, "Supprimer mon compte")
    phone.get_by_label(re.compile("^Je comprends")).check()
    phone.get_by_role("button", name="Supprimer mon compte").click()
    refusal = phone.get_by_role("alert")
    expect(refusal).to_contain_text("seul administrateur")
    links = refusal.get_by_role("link")
    expect(links).to_have_count(2)
    for group, name in zip(alone, ("Amicale", "Chorale"), strict=True):
        expect(refusal.get_by_role("link", name=re.compile(f"{name} {tag}"))).to_have_attribute(
            "href", f"/groups/{group}/members"
        )
    expect(
        phone.get_by_text("donnez à quelqu\u2019un le rôle d\u2019administrateur")
    ).to_be_visible()
    look(phone, "account-delete-last-admin")
    expect(navigation(phone).get_by_role("button", name="Se déconnecter")).to_be_visible()
    me = hub.as_user(founder).get("/v1/me").data
    assert sorted(g["name"] for g in me["groups"]) == [
        f"Amicale {tag}",
        f"Chorale {tag}",
        f"Quartier {tag}",
    ]
    refusal.get_by_role("link", name=re.compile(f"Amicale {tag}")).click()
    heading(phone, "Membres")


def wait_until_final(hub: RunningHub, admin: str, consultation_id: str) -> None:
    deadline = time.monotonic() + FINAL_WITHIN_S
    while time.monotonic() < deadline:
        read = hub.as_user(admin).get(f"/v1/consultations/{consultation_id}").data
        if read["finalised_at"]:
            return
        time.sleep(0.5)
    raise AssertionError(f"{consultation_id} not final after {FINAL_WITHIN_S} s")


def test_an_organiser_downloads_a_final_consultations_results(
    desktop: Page, phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin = f"organiser-{tag}"
    voters = [f"voter{n}-{tag}" for n in range(4)]
    group = association(hub, admin, f"Comité des fêtes {tag}", voters)
    consultation_id, (debate,) = consultation(
        hub,
        admin,
        group,
        f"Fête d'été {tag}",
        "public",
        [{"title": "Un bal le samedi soir", "function": {"type": "vote"}}],
    )
    for voter, choice in zip(voters, ("yes", "yes", "no", "abstain"), strict=True):
        hub.as_user(voter).put(f"/v1/debates/{debate}/ballot", {"choice": choice}, expect=201)

    # ---- open: no file yet
    sign_in(desktop, admin)
    desktop.goto(f"/consultations/{consultation_id}")
    heading(desktop, f"Fête d'été {tag}")
    expect(desktop.get_by_role("region", name="Résultats à télécharger")).to_have_count(0)

    hub.as_user(admin).post(
        f"/v1/consultations/{consultation_id}/close",
        {"reason": "Fini."},
        expect=200,
    )
    wait_until_final(hub, admin, consultation_id)
    desktop.reload()
    heading(desktop, f"Fête d'été {tag}")
    files = desktop.get_by_role("region", name="Résultats à télécharger")
    expect(files).to_be_visible()
    look(desktop, "consultation-results-files")

    name, body = download(desktop, "Télécharger les résultats (CSV)")
    assert name == f"results-{consultation_id}.csv"
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: a spreadsheet reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    counts = {row["option"]: int(row["count"]) for row in rows if row["debate_id"] == debate}
    assert counts == {"yes": 2, "no": 1, "abstain": 1}
    assert {row["ballots"] for row in rows} == {"4"}
    assert {row["consultation_title"] for row in rows} == {f"Fête d'été {tag}"}

    name, body = download(desktop, "Télécharger les résultats (JSON)")
    assert name == f"results-{consultation_id}.json"
    (result,) = json.loads(body)["debates"]
    assert result["counts"] == {"yes": 2, "no": 1, "abstain": 1}

    # ---- a resident, signed out: the same files, and the open data under its licence
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, f"Fête d'été {tag}")
    phone.get_by_text("Données ouvertes", exact=True).click()
    open_data = phone.locator("details.open-data")
    expect(open_data.get_by_role("link", name="Licence Ouverte 2.0")).to_be_visible()
    link = open_data.get_by_role("link", name="Données ouvertes de la consultation (JSON)")
    expect(link).to_have_attribute("href", f"/v1/consultations/{consultation_id}/open-data")
    with phone.expect_download() as downloading:
        open_data.get_by_role("link", name="Les arguments seuls, pour un tableur (CSV)").click()
    assert downloading.value.suggested_filename == f"arguments-{consultation_id}.csv"
    look(phone, "consultation-open-data")
    name, body = download(phone, "Télécharger les résultats (CSV)")
    assert name == f"results-{consultation_id}.csv"
