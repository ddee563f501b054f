"""Proxies (procurations, issue 19, acceptance 3) in a real browser (tests/integration/web.py):
an association's secretary allows proxies, one per holder, from the consultation's form and
publishes; Alice gives her proxy to Bob from the consultation's page, picking him among the
members; Bob finds it under "Procurations reçues" and votes for himself and for Alice on the
debate's page, each ballot under its own heading; Alice cannot revoke a proxy that served
(the API's message), then votes herself and the page says her ballot replaced Bob's; Bob's
late ballot for her is refused; Carol's proxy to Bob is refused with the limit's message.
Once closed, the final results say how many ballots a proxy cast.

Each test makes its own association (uuid names): the demo's state stays as other files
expect it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from local.devtoken import make_token
from tests.integration import web
from tests.integration.conftest import AUDIENCE, DEV_SECRET, ISSUER, RunningHub
from tests.integration.web import heading, look, reload_until_final, sign_in, switch_to

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

TITLE = "Assemblée générale"
MOTION = "Approuver les comptes"
BUDGET = "Voter le budget"
NBSP = "\u00a0"


def confirm(page: Page, scope) -> None:
    """A ballot that cannot change afterwards asks once more, in the page."""
    scope.get_by_role("button", name="Confirmer mon vote").click()


def assembly(hub: RunningHub, tag: str, people: dict[str, str], **fields) -> str:
    """An open association of secretary-{tag}, which `people` (id: name) joined under their
    names, and its draft members consultation TITLE, closing in two days unless `fields` say
    otherwise: the consultation's id."""
    secretary = hub.as_user(f"secretary-{tag}")
    group = {"name": f"Amicale {tag}", "join_policy": "open"}
    group_id = secretary.post("/v1/groups", group, expect=201).data["id"]
    for person, name in people.items():
        named = make_token(person, name=name, secret=DEV_SECRET, issuer=ISSUER, audience=AUDIENCE)
        hub.as_user(person).patch("/v1/me", {"display_name": name}, expect=200)
        hub.as_user(person, bearer=named).post(f"/v1/groups/{group_id}/join", expect=201)
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    consultation = {"title": TITLE, "visibility": "members", "closes_at": closes, **fields}
    made = secretary.post(f"/v1/groups/{group_id}/consultations", consultation, expect=201)
    return made.data["id"]


def test_a_member_gives_a_proxy_the_holder_votes_for_both_and_the_giver_takes_it_back_by_voting(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    secretary = f"secretary-{tag}"
    alice, bob, carol = (f"{n}-{tag}" for n in ("alice", "bob", "carol"))
    names = {alice: "Alice Martin", bob: "Bob Durand", carol: "Carol Petit"}

    # Setup: an open association, three members with their names, a draft consultation
    # with two votes that cannot be changed (the giver's own ballot still replaces a proxy's).
    consultation_id = assembly(hub, tag, names)
    debate_ids = [
        hub.as_user(secretary)
        .post(
            f"/v1/consultations/{consultation_id}/debates",
            {
                "title": title,
                "function": {"type": "vote", "results_visibility": "live", "allow_change": False},
            },
            expect=201,
        )
        .data["id"]
        for title in (MOTION, BUDGET)
    ]
    motion_id, budget_id = debate_ids

    # The secretary allows proxies, at most one per holder, from the consultation's form.
    sign_in(phone, secretary)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    phone.get_by_role("link", name="Modifier la consultation").click()
    heading(phone, "Modifier la consultation")
    expect(phone.get_by_label("Procurations par mandataire, au plus")).to_have_count(0)
    phone.get_by_label("Autoriser les procurations").check()
    expect(phone.get_by_label("Procurations par mandataire, au plus")).to_have_value("1")
    expect(phone.get_by_text(re.compile("souvent une ou deux par personne"))).to_be_visible()
    look(phone, "proxies-form")
    phone.get_by_role("button", name="Enregistrer").click()
    heading(phone, TITLE)
    expect(phone.get_by_text("Procurations autorisées (1 par mandataire au plus).")).to_be_visible()
    setting = hub.as_user(secretary).get(f"/v1/consultations/{consultation_id}").data["proxies"]
    assert setting == {"allowed": True, "max_per_holder": 1}
    phone.get_by_role("button", name="Publier", exact=True).click()
    phone.get_by_role("button", name="Oui, publier").click()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()

    # Alice gives her proxy to Bob, picked among the members.
    switch_to(phone, alice)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    mine = phone.get_by_role("region", name="Ma procuration")
    holder = mine.get_by_label("Mandataire")
    expect(holder.get_by_role("option")).to_have_text(
        ["Choisissez un membre", "Bob Durand", "Carol Petit", re.compile(".+")]
    )  # herself left out; the secretary (admin) is a member too
    look(phone, "proxies-give")
    mine.get_by_role("button", name="Donner ma procuration").click()
    expect(mine.get_by_role("alert")).to_have_text("Choisissez le membre qui votera pour vous.")
    holder.select_option(label="Bob Durand")
    mine.get_by_role("button", name="Donner ma procuration").click()
    expect(
        mine.get_by_text(re.compile(r"^Vous avez donné votre procuration à Bob Durand le "))
    ).to_be_visible()
    expect(
        mine.get_by_text(re.compile("Bob Durand n\u2019a pas encore voté pour vous"))
    ).to_be_visible()
    look(phone, "proxies-given")

    # Bob finds it on the consultation's page, then votes for himself and for Alice.
    switch_to(phone, bob)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    held = phone.get_by_role("region", name="Procurations reçues")
    expect(held.get_by_role("heading", name="Alice Martin")).to_be_visible()
    expect(held.get_by_text("Vous détenez 1 procuration (au plus 1 par personne).")).to_be_visible()
    look(phone, "proxies-held")
    held.get_by_role("link", name=f"Voter pour Alice Martin{NBSP}: {MOTION}").click()
    heading(phone, MOTION)
    own = phone.get_by_role("region", name="Mon vote")  # named, beside the ballots for others
    for_alice = phone.get_by_role("region", name="Voter pour Alice Martin")
    expect(for_alice.get_by_role("heading", name="Voter pour Alice Martin")).to_be_visible()
    expect(for_alice.get_by_role("group", name="Bulletin pour Alice Martin")).to_be_visible()
    look(phone, "proxies-debate-holder")
    own.get_by_label("Contre", exact=True).check()
    own.get_by_role("button", name="Voter", exact=True).click()
    confirm(phone, own)
    expect(own.get_by_role("status")).to_have_text(f"Vous avez voté{NBSP}: Contre")
    for_alice.get_by_label("Contre", exact=True).check()
    for_alice.get_by_role("button", name="Voter pour Alice Martin").click()
    confirm(phone, for_alice)
    expect(for_alice.get_by_role("status")).to_have_text(
        f"Vous avez voté pour Alice Martin{NBSP}: Contre"
    )
    look(phone, "proxies-debate-holder-voted")
    phone.reload()  # both ballots shown again, each under its heading
    heading(phone, MOTION)
    expect(own.get_by_role("status")).to_have_text(f"Vous avez voté{NBSP}: Contre")
    expect(for_alice.get_by_role("status")).to_have_text(
        f"Vous avez voté pour Alice Martin{NBSP}: Contre"
    )
    expect(for_alice.get_by_role("button")).to_have_count(0)  # cast once: no change
    # Setup: Bob's ballot for Alice on the budget, which she will leave as it is.
    hub.as_user(bob).put(
        f"/v1/debates/{budget_id}/ballot", {"choice": "yes", "for": alice}, expect=201
    )

    # Alice: the proxy served and can no longer be revoked (the API's message)...
    switch_to(phone, alice)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    expect(mine.get_by_text(re.compile(r"^Bob Durand a voté pour vous le "))).to_be_visible()
    mine.get_by_role("button", name="Retirer ma procuration").click()
    expect(mine.get_by_role("alert")).to_contain_text(
        "Le mandataire a déjà voté avec cette procuration"
    )
    look(phone, "proxies-revoke-refused")
    # ... then she votes herself, and her ballot replaces Bob's for her.
    phone.get_by_role("link", name=MOTION).click()
    heading(phone, MOTION)
    own = phone.get_by_role("region", name="Participer")  # she holds no proxy
    expect(own.get_by_role("status")).to_have_text(
        f"Votre mandataire a voté pour vous{NBSP}: Contre"
    )
    expect(
        own.get_by_text(re.compile("votre vote remplacera celui de votre mandataire"))
    ).to_be_visible()
    look(phone, "proxies-debate-giver")
    own.get_by_label("Pour", exact=True).check()
    own.get_by_role("button", name="Voter", exact=True).click()
    confirm(phone, own)
    expect(own.get_by_role("status")).to_have_text(f"Vous avez voté{NBSP}: Pour")
    expect(own.get_by_text("Votre vote a remplacé celui de votre mandataire.")).to_be_visible()
    look(phone, "proxies-debate-giver-replaced")
    hers = hub.as_user(alice).get(f"/v1/debates/{motion_id}/ballot").data
    assert (hers["choice"], hers.get("by")) == ("yes", None)

    # Bob, later, for Alice: refused, her own ballot counts.
    switch_to(phone, bob)
    phone.goto(f"/debates/{motion_id}")
    heading(phone, MOTION)
    for_alice.get_by_label("Pour", exact=True).check()
    for_alice.get_by_role("button", name="Voter pour Alice Martin").click()
    confirm(phone, for_alice)
    expect(for_alice.get_by_role("alert")).to_contain_text("a voté lui-même")
    expect(for_alice.get_by_role("button", name="Voter pour Alice Martin")).to_have_count(0)
    look(phone, "proxies-debate-holder-late")

    # Carol's proxy to Bob, who holds one already at one per holder: the limit's message.
    switch_to(phone, carol)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    mine.get_by_label("Mandataire").select_option(label="Bob Durand")
    mine.get_by_role("button", name="Donner ma procuration").click()
    expect(mine.get_by_role("alert")).to_have_text(
        "Cette personne détient déjà autant de procurations que cette consultation le permet."
    )
    look(phone, "proxies-limit")
    hub.as_user(carol).get(f"/v1/consultations/{consultation_id}/proxy", expect=404)

    # Bob's list on /me; then, once closed, the budget's final results count the proxy's ballot.
    switch_to(phone, bob)
    phone.goto("/me")
    held_on_me = phone.get_by_role("listitem").filter(has_text=TITLE)
    expect(held_on_me).to_contain_text("Alice Martin vous a donné sa procuration le ")
    expect(held_on_me).to_contain_text("déjà utilisée")
    look(phone, "proxies-me")
    hub.as_user(secretary).post(
        f"/v1/consultations/{consultation_id}/close", {"reason": "Assemblée tenue."}, expect=200
    )
    phone.goto(f"/debates/{budget_id}")
    heading(phone, BUDGET)
    reload_until_final(phone, BUDGET)
    expect(phone.get_by_text("Définitif", exact=True)).to_be_visible()
    expect(phone.get_by_text("Dont 1 bulletin voté par procuration.")).to_be_visible()
    expect(for_alice.get_by_role("status")).to_have_text(
        f"Vous avez voté pour Alice Martin{NBSP}: Pour"
    )
    look(phone, "proxies-results")


def test_a_secret_ranking_cast_for_a_giver_gives_the_receipt_to_the_holder_and_stays(
    desktop: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    secretary, alice, bob = (f"{n}-{tag}" for n in ("secretary", "alice", "bob"))
    names = {alice: "Alice Martin", bob: "Bob Durand"}
    # Setup: a published consultation allowing two proxies per holder, a secret ranked
    # debate, and Alice's proxy to Bob (given from the page in the story above).
    proxies = {"allowed": True, "max_per_holder": 2}
    consultation_id = assembly(hub, tag, names, proxies=proxies)
    function = {"type": "ranked", "options": ["Verger", "Potager", "Ruches"], "secret": True}
    debate_id = (
        hub.as_user(secretary)
        .post(
            f"/v1/consultations/{consultation_id}/debates",
            {"title": "Élire les priorités", "function": function},
            expect=201,
        )
        .data["id"]
    )
    hub.as_user(secretary).post(f"/v1/consultations/{consultation_id}/publish", expect=200)
    hub.as_user(alice).put(
        f"/v1/consultations/{consultation_id}/proxy", {"holder": bob}, expect=201
    )

    # Bob ranks for Alice in her own form (its selects apart from his), confirms, and the
    # receipt is shown to him, under her name.
    sign_in(desktop, bob)
    desktop.goto(f"/debates/{debate_id}")
    heading(desktop, "Élire les priorités")
    own = desktop.get_by_role("region", name="Mon vote")
    for_alice = desktop.get_by_role("region", name="Voter pour Alice Martin")
    expect(own.get_by_label("Potager")).to_have_count(1)
    for_alice.get_by_label("Potager").select_option(label="Rang 1")
    expect(own.get_by_label("Potager")).to_have_value("")  # his own ballot is untouched
    for_alice.get_by_role("button", name="Voter pour Alice Martin").click()
    asking = for_alice.get_by_role("group", name=re.compile("^Confirmez-vous le vote pour Alice"))
    expect(asking).to_contain_text("1. Potager")
    look(desktop, "proxies-secret-confirm")
    confirm(desktop, for_alice)
    expect(for_alice.get_by_role("status")).to_have_text(
        "Vous avez voté pour Alice Martin (vote secret)."
    )
    expect(
        for_alice.get_by_role("heading", name="Reçu du vote secret pour Alice Martin")
    ).to_be_visible()
    expect(for_alice.locator(".receipt-code")).to_have_text(re.compile(r"^[0-9a-z-]{32}$"))
    expect(own.get_by_role("button", name="Voter", exact=True)).to_be_visible()
    look(desktop, "proxies-secret-receipt")

    # Alice: her proxy voted in secret; that ballot cannot be replaced, and the page says so.
    switch_to(desktop, alice)
    desktop.goto(f"/debates/{debate_id}")
    heading(desktop, "Élire les priorités")
    expect(desktop.get_by_role("status").filter(has_text="mandataire")).to_have_text(
        "Votre mandataire a voté pour vous (vote secret)."
    )
    expect(desktop.get_by_role("button", name="Voter", exact=True)).to_have_count(0)
    look(desktop, "proxies-secret-giver")


def test_proxies_are_set_while_scheduled_and_a_proxy_given_after_they_are_turned_off_is_refused(
    phone: Page, desktop: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    secretary, alice, bob = (f"{n}-{tag}" for n in ("secretary", "alice", "bob"))
    # Setup: a consultation published ahead of its opening (scheduled), proxies allowed, two
    # per holder.
    now = datetime.now(UTC)
    consultation_id = assembly(
        hub,
        tag,
        {alice: "Alice Martin", bob: "Bob Durand"},
        opens_at=(now + timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=3)).isoformat(),
        proxies={"allowed": True, "max_per_holder": 2},
    )
    hub.as_user(secretary).post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": MOTION, "function": {"type": "vote"}},
        expect=201,
    )
    hub.as_user(secretary).post(f"/v1/consultations/{consultation_id}/publish", expect=200)

    # Alice may give her proxy before the opening: the form is there. Her association is
    # taken to have more than 100 members (the list's answer is given a next page), so a
    # member beyond them may be named by id.
    def more_members(route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "next": "more"})

    desktop.route(re.compile(r"/v1/groups/[^/]+/members\?"), more_members)
    sign_in(desktop, alice)
    desktop.goto(f"/consultations/{consultation_id}")
    heading(desktop, TITLE)
    expect(
        desktop.get_by_text("Procurations autorisées (2 par mandataire au plus).")
    ).to_be_visible()
    mine = desktop.get_by_role("region", name="Ma procuration")
    mine.get_by_label("Mandataire").select_option(
        label="Un autre membre (par son identifiant)\u2026"
    )
    mine.get_by_label("Identifiant du mandataire").fill(bob)
    look(desktop, "proxies-give-by-id")

    # Meanwhile the secretary, while it is scheduled, turns proxies off from the form.
    sign_in(phone, secretary)
    phone.goto(f"/consultations/{consultation_id}/edit")
    heading(phone, "Modifier la consultation")
    expect(phone.get_by_label("Autoriser les procurations")).to_be_checked()
    expect(phone.get_by_label("Procurations par mandataire, au plus")).to_have_value("2")
    look(phone, "proxies-form-scheduled")
    phone.get_by_label("Autoriser les procurations").uncheck()
    phone.get_by_role("button", name="Enregistrer").click()
    heading(phone, TITLE)
    expect(phone.get_by_text(re.compile("^Procurations autorisées"))).to_have_count(0)
    setting = hub.as_user(secretary).get(f"/v1/consultations/{consultation_id}").data["proxies"]
    assert setting["allowed"] is False

    # Alice's page, read before: the API refuses, in its own words.
    mine.get_by_role("button", name="Donner ma procuration").click()
    expect(mine.get_by_role("alert")).to_have_text(
        "Cette consultation n\u2019admet pas les procurations."
    )
    look(desktop, "proxies-not-allowed")
    desktop.reload()
    heading(desktop, TITLE)
    expect(desktop.get_by_role("region", name="Ma procuration")).to_have_count(0)


def test_a_holder_gives_a_proxy_back_and_another_member_may_give_theirs(
    phone: Page, hub: RunningHub
) -> None:
    """Nobody keeps a place of someone's against their will: at one proxy per holder, Bob
    gives back the proxy Alice gave him, and Carol's to him is then accepted."""
    tag = uuid.uuid4().hex[:8]
    secretary, alice, bob, carol = (f"{n}-{tag}" for n in ("secretary", "alice", "bob", "carol"))
    people = {alice: "Alice Martin", bob: "Bob Durand", carol: "Carol Petit"}
    consultation_id = assembly(hub, tag, people, proxies={"allowed": True, "max_per_holder": 1})
    hub.as_user(secretary).post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": MOTION, "function": {"type": "vote"}},
        expect=201,
    )
    hub.as_user(secretary).post(f"/v1/consultations/{consultation_id}/publish", expect=200)
    proxy = f"/v1/consultations/{consultation_id}/proxy"
    hub.as_user(alice).put(proxy, {"holder": bob}, expect=201)
    hub.as_user(carol).put(proxy, {"holder": bob}, expect=409)  # his one place is taken

    sign_in(phone, bob)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, TITLE)
    held = phone.get_by_role("region", name="Procurations reçues")
    expect(held.get_by_role("heading", name="Alice Martin")).to_be_visible()
    held.get_by_role("button", name="Rendre sa procuration à Alice Martin").click()
    expect(held.get_by_role("status")).to_have_text(
        f"Vous avez rendu sa procuration à Alice Martin{NBSP}: vous pouvez en recevoir une autre."
    )
    expect(held.get_by_role("heading", name="Alice Martin")).to_have_count(0)
    look(phone, "proxies-given-back")

    hub.as_user(alice).get(proxy, expect=404)
    assert hub.as_user(carol).put(proxy, {"holder": bob}, expect=201).data["holder"]["id"] == bob
