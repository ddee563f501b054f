"""The ballot's details, as a newcomer meets them in the browser (tests/integration/web.py).

A member votes on a debate whose turnout and results show live: the running tally counts
the ballot from the table's stream a second or more later, and the page follows it without
a reload (saying meanwhile that the vote will be counted), then again after a withdrawal;
the keyboard focus lands on the ballot's status line. A poll nobody answered yet says
"Aucun vote" and names no leader; its ballot, which cannot change, is asked for twice. A
petition is signed, never voted, its result one line; once closed it says the petition is
closed. An argument's position starts on the side of the reader's vote, and "Répondre"
puts the cursor in the reply.

Each test makes its own association (uuid names): the demo's state stays as other files
expect it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub
from tests.integration.web import look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

COUNTING = "Votre vote sera compté dans quelques secondes."


def heading(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def consultation(hub: RunningHub, tag: str, debates: list[dict]) -> tuple[str, str, list[str]]:
    """An open association (admin, member) with a published consultation holding `debates`:
    (its group id, consultation id, debate ids)."""
    admin, member = f"admin-{tag}", f"member-{tag}"
    group = hub.as_user(admin).post(
        "/v1/groups", {"name": f"Jardins partagés {tag}", "join_policy": "open"}, expect=201
    )
    hub.as_user(member).post(f"/v1/groups/{group.data['id']}/join", expect=201)
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    made = hub.as_user(admin).post(
        f"/v1/groups/{group.data['id']}/consultations",
        {"title": "Printemps au jardin", "visibility": "members", "closes_at": closes},
        expect=201,
    )
    consultation_id = made.data["id"]
    ids = [
        hub.as_user(admin)
        .post(f"/v1/consultations/{consultation_id}/debates", debate, expect=201)
        .data["id"]
        for debate in debates
    ]
    hub.as_user(admin).post(f"/v1/consultations/{consultation_id}/publish", expect=200)
    return group.data["id"], consultation_id, ids


def test_the_page_follows_the_tally_after_a_vote_and_a_withdrawal(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    _, consultation_id, (debate_id,) = consultation(
        hub,
        tag,
        [
            {
                "title": "Planter un verger",
                "function": {"type": "vote", "results_visibility": "live"},
                "show_turnout": True,
            }
        ],
    )
    sign_in(phone, f"member-{tag}")
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Planter un verger")
    turnout = phone.get_by_text(re.compile(r"^Participation\s*:"))
    expect(turnout).to_have_text(re.compile(r"Participation\s*:\s*0 bulletin$"))
    expect(phone.get_by_text("Aucun vote", exact=True)).to_be_visible()

    phone.get_by_role("radio", name="Pour", exact=True).check()
    phone.get_by_role("button", name="Voter", exact=True).click()  # a plain vote: one click
    status = phone.get_by_role("status").filter(has_text="Vous avez voté")
    expect(status).to_have_text(re.compile(r"Vous avez voté\s*:\s*Pour"))
    expect(status).to_be_focused()  # the keyboard user keeps their place
    expect(phone.get_by_text(COUNTING)).to_be_visible()
    look(phone, "ballot-counting")
    # counted from the stream, then read again by the page: no reload
    expect(turnout).to_have_text(re.compile(r"Participation\s*:\s*1 bulletin$"), timeout=15_000)
    expect(phone.get_by_text(COUNTING)).to_have_count(0)
    table = phone.get_by_role("table", name="Résultats")
    pour = table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Pour"))
    expect(pour.get_by_role("cell")).to_have_text("1")
    expect(phone.get_by_text("1 bulletin au total", exact=True)).to_be_visible()
    look(phone, "ballot-counted")

    phone.get_by_role("button", name="Retirer mon vote").click()
    withdrawn = phone.get_by_role("status").filter(has_text="Votre vote est retiré.")
    expect(withdrawn).to_be_focused()
    expect(
        phone.get_by_text("Le retrait sera pris en compte dans quelques secondes.")
    ).to_be_visible()
    expect(turnout).to_have_text(re.compile(r"Participation\s*:\s*0 bulletin$"), timeout=15_000)
    expect(phone.get_by_text("Aucun vote", exact=True)).to_be_visible()

    # the consultation's list says what is left to do
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, "Printemps au jardin")
    expect(phone.get_by_text("Vous pouvez voter", exact=True)).to_be_visible()


def test_a_poll_without_ballots_names_no_leader(phone: Page, hub: RunningHub) -> None:
    tag = uuid.uuid4().hex[:8]
    _, _, (debate_id,) = consultation(
        hub,
        tag,
        [
            {
                "title": "Quels légumes cette année ?",
                "function": {
                    "type": "poll",
                    "options": ["Tomates", "Courges", "Haricots"],
                    "max_choices": 2,
                    "results_visibility": "live",
                    "allow_change": False,
                },
            }
        ],
    )
    sign_in(phone, f"member-{tag}")
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Quels légumes cette année ?")
    results = phone.get_by_role("region", name="Résultats")
    expect(results.get_by_text("Aucun vote", exact=True)).to_be_visible()
    expect(results.get_by_text(re.compile("En tête"))).to_have_count(0)
    expect(results.get_by_text(re.compile("Égalité"))).to_have_count(0)
    expect(phone.get_by_text("Choisissez jusqu\u2019à 2 réponses.")).to_be_visible()
    look(phone, "poll-no-ballot")

    # a ballot that cannot change (not secret here) is asked for twice, in the page
    phone.get_by_role("checkbox", name="Courges").check()
    phone.get_by_role("button", name="Voter", exact=True).click()
    question = "Confirmez-vous votre vote\u00a0: Courges\u00a0? Il ne pourra plus être changé."
    expect(phone.get_by_text(question)).to_be_visible()
    expect(phone.get_by_role("button", name="Confirmer mon vote")).to_be_focused()
    phone.get_by_role("button", name="Confirmer mon vote").click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        re.compile(r"Vous avez voté\s*:\s*Courges")
    )
    expect(results.get_by_text("1 bulletin au total", exact=True)).to_be_visible(timeout=15_000)
    expect(phone.get_by_role("button", name="Changer mon vote")).to_have_count(0)


def test_a_petition_is_signed_not_voted(phone: Page, hub: RunningHub) -> None:
    tag = uuid.uuid4().hex[:8]
    group_id, consultation_id, (debate_id,) = consultation(
        hub,
        tag,
        [{"title": "Un composteur collectif", "function": {"type": "petition", "goal": 10}}],
    )
    sign_in(phone, f"member-{tag}")
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, "Printemps au jardin")
    expect(phone.get_by_text("Vous pouvez signer", exact=True)).to_be_visible()
    expect(phone.get_by_text(re.compile("voter|votants", re.IGNORECASE))).to_have_count(0)
    phone.get_by_role("link", name="Un composteur collectif").click()
    heading(phone, "Un composteur collectif")
    results = phone.get_by_role("region", name="Résultats")
    expect(results.get_by_text("Aucune signature", exact=True)).to_be_visible()
    expect(results.get_by_role("table")).to_have_count(0)  # one number, no "Option" column

    phone.get_by_role("button", name="Signer", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez signé")).to_be_focused()
    expect(
        phone.get_by_text("Votre signature sera comptée dans quelques secondes.")
    ).to_be_visible()
    expect(results.get_by_text(re.compile(r"^Signatures\s*:\s*1$"))).to_be_visible(timeout=15_000)
    look(phone, "petition-signed")
    phone.goto(f"/consultations/{consultation_id}")
    expect(phone.get_by_text("Vous avez signé", exact=True)).to_be_visible()

    hub.as_user(f"reader-{tag}").post(f"/v1/groups/{group_id}/join", expect=201)
    hub.as_user(f"admin-{tag}").post(
        f"/v1/consultations/{consultation_id}/close", {"reason": "Assez de soutiens."}, expect=200
    )
    phone.get_by_role("navigation", name="Principal").get_by_role(
        "button", name="Se déconnecter"
    ).click()
    sign_in(phone, f"reader-{tag}")
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Un composteur collectif")
    expect(phone.get_by_text("La pétition est close.", exact=True)).to_be_visible()
    expect(phone.get_by_text("Clôturé", exact=True)).to_be_visible()
    expect(
        phone.get_by_text(re.compile(r"^le .*, par l\u2019association, avant la date prévue"))
    ).to_be_visible()
    expect(phone.get_by_text(re.compile("vote", re.IGNORECASE))).to_have_count(0)
    look(phone, "petition-closed")


def test_an_argument_starts_on_the_side_of_the_vote_and_a_reply_takes_the_cursor(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    _, _, (debate_id,) = consultation(
        hub,
        tag,
        [{"title": "Ouvrir le dimanche", "function": {"type": "vote"}}],
    )
    hub.as_user(f"admin-{tag}").post(
        f"/v1/debates/{debate_id}/comments",
        {"body": "Le dimanche, les familles sont là.", "stance": "pro"},
        expect=201,
    )
    sign_in(phone, f"member-{tag}")
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Ouvrir le dimanche")
    position = phone.get_by_label("Position")
    expect(position).to_have_value("neutral")
    phone.get_by_role("radio", name="Contre", exact=True).check()
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_be_visible()
    expect(position).to_have_value("con")
    phone.get_by_role("button", name="Répondre").click()
    expect(phone.get_by_label(re.compile(r"^Votre réponse"))).to_be_focused()
    look(phone, "arguments-reply-focused")
