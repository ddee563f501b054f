"""Stories of issue 15, told through the web client only, in a real browser (tests/
integration/web.py), against `make run DEMO=1`: what a person sees and presses, found by the
accessible names of the UI contract. Every screen passes axe-core at 360 and 1280 px and is
photographed under build/screens/.

The demo (local/demo.py) holds the public consultation "Réaménagement du square", whose vote
debate "Installer une aire de jeux" lets any signed-in person vote and change their vote.
"""

from __future__ import annotations

import gzip
import re
import uuid

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SQUARE = "Réaménagement du square"
PLAYGROUND = "Installer une aire de jeux"
PLAYGROUND_BODY = "Le budget participatif couvrirait une aire de jeux pour les 3-10 ans."
FETE = "Quel jour pour la fête d'été ?"  # a poll whose results show live
FETE_DAYS = ("Samedi 20 juin", "Dimanche 21 juin")
DEMO_USERS = ("demo-admin", "demo-moderator", "demo-alice", "demo-bob")
FIRST_SCREEN_BUDGET = 100_000  # bytes of HTML, JS and CSS, compressed (issue 15)


def assert_screen(page: Page, title: str) -> None:
    """The frame of every screen: one <h1> (`title`), a header with the main nav, a main."""
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("banner").get_by_role("navigation", name="Principal")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    expect(navigation(page).get_by_role("link", name="Accueil")).to_have_attribute("href", "/")


def navigation(page: Page):
    return page.get_by_role("navigation", name="Principal")


def open_playground_debate(page: Page) -> None:
    """From `/`, as a person would: the consultation, then its vote debate."""
    page.get_by_role("link", name=SQUARE).click()
    expect(page).to_have_url(re.compile(r"/consultations/[0-9a-z]{12}$"))
    assert_screen(page, SQUARE)
    page.get_by_role("link", name=PLAYGROUND).click()
    expect(page).to_have_url(re.compile(r"/debates/[0-9a-z]{24}$"))
    assert_screen(page, PLAYGROUND)


def ballot_status(page: Page):
    return page.get_by_role("status").filter(has_text="Vous avez voté")


def voted(choice: str) -> re.Pattern[str]:
    return re.compile(rf"Vous avez voté\s*:\s*{choice}")


def tab_to(page: Page, target: Locator, presses: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; it must show it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            shown = target.evaluate(
                "element => { const style = getComputedStyle(element);"
                " return style.outlineStyle !== 'none' || style.boxShadow !== 'none'; }"
            )
            assert shown, f"{target} has the focus but does not show it"
            return
    pytest.fail(f"{presses} presses of Tab never reached {target}")


def test_the_local_sign_in_takes_a_demo_user_or_any_id(phone: Page, hub: RunningHub) -> None:
    response = phone.goto("/dev/sign-in")
    assert response is not None and response.headers["content-security-policy"] == CSP
    expect(phone.get_by_role("heading", level=1)).to_have_text("Connexion de développement")
    for user in DEMO_USERS:
        expect(phone.get_by_role("button", name=user, exact=True)).to_be_visible()
    look(phone, "dev-sign-in")

    phone.get_by_label("Identifiant").fill("zoé-story")
    phone.get_by_role("button", name="Se connecter", exact=True).click()
    phone.wait_for_url(f"{hub.base_url}/")
    typed = phone.evaluate("() => sessionStorage.getItem('hub.token')")

    phone.goto("/dev/sign-in")
    phone.get_by_role("button", name="demo-bob", exact=True).click()
    phone.wait_for_url(f"{hub.base_url}/")  # the user id leaves no trace in the address
    picked = phone.evaluate("() => sessionStorage.getItem('hub.token')")

    assert hub.as_user(None, bearer=typed).get("/v1/me").data["id"] == "zoé-story"
    assert hub.as_user(None, bearer=picked).get("/v1/me").data["id"] == "demo-bob"


def test_a_resident_reads_the_public_consultation_and_is_offered_to_sign_in(
    phone: Page,
) -> None:
    response = phone.goto("/")
    assert response is not None and response.headers["content-security-policy"] == CSP
    assert_screen(phone, "Consultations ouvertes")
    expect(navigation(phone).get_by_role("link", name="Se connecter")).to_have_attribute(
        "href", "/dev/sign-in"
    )
    expect(phone.get_by_role("heading", level=2, name="Associations")).to_be_visible()
    expect(phone.get_by_role("link", name="Quartier des Tilleuls")).to_be_visible()
    look(phone, "home")

    phone.get_by_role("link", name=SQUARE).click()
    expect(phone).to_have_url(re.compile(r"/consultations/[0-9a-z]{12}$"))
    assert_screen(phone, SQUARE)
    expect(phone.get_by_role("link", name="Quartier des Tilleuls")).to_be_visible()
    expect(phone.get_by_role("link", name="Quel jour pour la fête d'été ?")).to_be_visible()
    look(phone, "consultation")
    phone.get_by_role("link", name=PLAYGROUND).click()
    expect(phone).to_have_url(re.compile(r"/debates/[0-9a-z]{24}$"))
    assert_screen(phone, PLAYGROUND)
    expect(phone.get_by_text(PLAYGROUND_BODY)).to_be_visible()
    expect(phone.get_by_role("group", name="Votre vote")).to_have_count(0)
    expect(phone.get_by_role("radio")).to_have_count(0)
    expect(navigation(phone).get_by_role("link", name="Se connecter")).to_be_visible()
    look(phone, "debate-signed-out")

    phone.reload()  # a deep link shows the same screen
    assert_screen(phone, PLAYGROUND)
    expect(phone.get_by_text(PLAYGROUND_BODY)).to_be_visible()

    navigation(phone).get_by_role("link", name="Se connecter").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Connexion de développement")
    phone.get_by_role("button", name="demo-bob", exact=True).click()
    expect(navigation(phone).get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_screen(phone, PLAYGROUND)  # back on the debate where "Se connecter" was pressed


def test_a_member_votes_then_changes_the_vote_and_finds_it_after_each_reload(
    desktop: Page, hub: RunningHub
) -> None:
    """Acceptance 1 of issue 15: demo-alice signs in, votes, reloads: the ballot shows."""
    sign_in(desktop, "demo-alice")
    assert_screen(desktop, "Consultations ouvertes")
    expect(navigation(desktop).get_by_role("link", name="Mon compte")).to_have_attribute(
        "href", "/me"
    )
    look(desktop, "home-signed-in")
    open_playground_debate(desktop)
    vote = desktop.get_by_role("group", name="Votre vote")
    for choice in ("Pour", "Contre", "Abstention"):
        expect(vote.get_by_role("radio", name=choice, exact=True)).to_be_visible()
    look(desktop, "debate-vote")

    vote.get_by_role("radio", name="Pour", exact=True).check()
    desktop.get_by_role("button", name="Voter", exact=True).click()
    expect(ballot_status(desktop)).to_have_text(voted("Pour"))
    desktop.reload()
    expect(ballot_status(desktop)).to_have_text(voted("Pour"))
    look(desktop, "debate-voted")

    vote.get_by_role("radio", name="Contre", exact=True).check()
    desktop.get_by_role("button", name="Changer mon vote").click()
    expect(ballot_status(desktop)).to_have_text(voted("Contre"))
    desktop.reload()
    expect(ballot_status(desktop)).to_have_text(voted("Contre"))
    expect(desktop.get_by_role("button", name="Changer mon vote")).to_be_visible()
    debate_id = desktop.url.rsplit("/", 1)[-1]
    kept = hub.as_user("demo-alice").get(f"/v1/debates/{debate_id}/ballot")
    assert (kept.status_code, kept.data["choice"]) == (200, "no")

    navigation(desktop).get_by_role("button", name="Se déconnecter").click()
    expect(navigation(desktop).get_by_role("link", name="Se connecter")).to_be_visible()
    assert desktop.evaluate("() => sessionStorage.getItem('hub.token')") is None
    desktop.reload()  # signed out for good: the vote form is gone
    assert_screen(desktop, PLAYGROUND)
    expect(desktop.get_by_role("group", name="Votre vote")).to_have_count(0)


def test_a_person_with_only_a_keyboard_votes(phone: Page) -> None:
    sign_in(phone, f"keyboard-{uuid.uuid4().hex[:8]}")  # anyone signed in votes here

    tab_to(phone, phone.get_by_role("link", name=SQUARE))
    phone.keyboard.press("Enter")
    assert_screen(phone, SQUARE)
    tab_to(phone, phone.get_by_role("link", name=PLAYGROUND))
    phone.keyboard.press("Enter")
    assert_screen(phone, PLAYGROUND)
    tab_to(phone, phone.get_by_role("radio", name="Pour", exact=True))
    phone.keyboard.press("ArrowDown")  # within a radio group, arrows choose
    expect(phone.get_by_role("radio", name="Contre", exact=True)).to_be_checked()
    tab_to(phone, phone.get_by_role("button", name="Voter", exact=True))
    phone.keyboard.press("Enter")

    expect(ballot_status(phone)).to_have_text(voted("Contre"))


def test_the_first_screen_weighs_under_100_kb_compressed_all_from_the_origin(
    phone: Page, hub: RunningHub
) -> None:
    loaded: list[str] = []
    phone.on("request", lambda request: loaded.append(request.url))
    phone.goto("/")
    expect(phone.get_by_role("link", name=SQUARE)).to_be_visible()
    phone.wait_for_load_state("networkidle")

    elsewhere = [url for url in loaded if not url.startswith((hub.base_url + "/", "data:"))]
    client = sorted({url for url in loaded if url not in elsewhere and "/v1/" not in url})
    compressed = {
        url.removeprefix(hub.base_url): len(gzip.compress(requests.get(url, timeout=10).content))
        for url in client
    }
    assert elsewhere == []
    assert "/" in compressed and len(compressed) > 2, compressed  # the page, its script, ...
    assert sum(compressed.values()) < FIRST_SCREEN_BUDGET, compressed


def test_a_resident_sees_the_live_results_of_a_poll(phone: Page) -> None:
    phone.goto("/")
    phone.get_by_role("link", name=SQUARE).click()
    phone.get_by_role("link", name=FETE).click()
    assert_screen(phone, FETE)

    expect(phone.get_by_role("heading", level=2, name="Résultats")).to_be_visible()
    table = phone.get_by_role("table", name="Résultats")
    for day in FETE_DAYS:
        expect(table.get_by_role("row", name=re.compile(day))).to_be_visible()
    expect(phone.get_by_text("Provisoire")).to_be_visible()
    expect(phone.get_by_role("checkbox")).to_have_count(0)  # signed out: nothing to fill in
    look(phone, "poll-signed-out")


def test_a_refusal_shows_the_apis_message_in_french(phone: Page, hub: RunningHub) -> None:
    missing = "0" * 24  # a debate id nobody was given
    said = hub.as_user(None).get(f"/v1/debates/{missing}", headers={"Accept-Language": "fr"})
    assert said.status_code == 404

    phone.goto(f"/debates/{missing}")

    expect(phone.get_by_role("alert")).to_contain_text(said.data["error"]["message"])
    look(phone, "debate-not-found")
