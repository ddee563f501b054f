"""The decision methods of issue 19 in a real browser (tests/integration/web.py): an
association's secretary adds a ranked-choice debate and a majority-judgment debate from the
debate form, publishes, and three members vote through the page without a mouse gesture
other than clicks on ordinary controls (a select of ranks, radios of grades); the page
refuses a ranking that uses a rank twice and a judgment that leaves an option ungraded, in
plain French, before anything is sent. Six more ballots come through the API (setup) so
that the plurality leader (Verger) loses the instant runoff to Potager; once the
consultation is closed, the ranked debate's final results name the runoff winner with
every round, the Condorcet winner and the pairwise matrix, and the majority judgment gives
each option's majority grade and rank, as counted by hand below. A score and a dot vote
are voted through the page too: every option scored, the points left shown as they are
spread.

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
from tests.integration.web import heading, look, reload_until_final, sign_in, switch_to

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

OPTIONS = ["Verger", "Potager", "Ruches"]  # o1, o2, o3
RANKED = "Aménager la parcelle du fond"
JUDGED = "Juger les projets du printemps"
FIVE_GRADES = "5 mentions\u00a0: Très bien, Bien, Assez bien, Passable, Insuffisant"


def association(hub: RunningHub, tag: str, people: list[str]) -> tuple[str, str]:
    """An open association run by secretary-{tag}, `people` members, and a draft
    consultation for members closing in two days: (group id, consultation id)."""
    secretary = f"secretary-{tag}"
    group = hub.as_user(secretary).post(
        "/v1/groups", {"name": f"Jardins partagés {tag}", "join_policy": "open"}, expect=201
    )
    for person in people:
        hub.as_user(person).post(f"/v1/groups/{group.data['id']}/join", expect=201)
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    made = hub.as_user(secretary).post(
        f"/v1/groups/{group.data['id']}/consultations",
        {"title": "Printemps au jardin", "visibility": "members", "closes_at": closes},
        expect=201,
    )
    return group.data["id"], made.data["id"]


def add_debate(page: Page, title: str, decision: str, results: str) -> None:
    page.get_by_label("Décision").select_option(label=decision)
    options = page.get_by_role("group", name="Options")
    expect(options.get_by_role("textbox")).to_have_count(2)
    page.get_by_role("button", name="Ajouter une option").click()
    for n, option in enumerate(OPTIONS, start=1):
        page.get_by_label(f"Option {n}", exact=True).fill(option)
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Résultats visibles").select_option(label=results)


def test_a_secretary_runs_a_ranked_choice_and_a_majority_judgment_members_vote_in_the_page(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    secretary = f"secretary-{tag}"
    members = [f"member{n}-{tag}" for n in (1, 2, 3)]
    extras = [f"extra{n}-{tag}" for n in range(1, 7)]
    _, consultation_id = association(hub, tag, members + extras)

    # The secretary adds both debates from the debate form, then publishes.
    sign_in(phone, secretary)
    phone.goto(f"/consultations/{consultation_id}")
    heading(phone, "Printemps au jardin")
    add_debate(phone, RANKED, "Vote par classement (vote alternatif)", "Après la clôture")
    expect(phone.get_by_text(re.compile(r"la dernière est éliminée"))).to_be_visible()
    expect(phone.get_by_label("Nombre de rangs")).to_have_value("")
    look(phone, "methods-debate-new-ranked")
    phone.get_by_role("button", name="Ajouter le débat").click()
    expect(phone.get_by_role("status").filter(has_text="Débat ajouté")).to_be_visible()

    add_debate(phone, JUDGED, "Jugement majoritaire", "En direct")
    scale = phone.get_by_label("Échelle de mentions")
    expect(scale).to_have_value(
        "excellent,tres_bien,bien,assez_bien,passable,insuffisant,a_rejeter"
    )
    scale.select_option(label=FIVE_GRADES)
    expect(
        phone.get_by_text(re.compile(r"mention majoritaire .* est la meilleure"))
    ).to_be_visible()
    look(phone, "methods-debate-new-judgment")
    phone.get_by_role("button", name="Ajouter le débat").click()
    expect(phone.get_by_role("status").filter(has_text="Débat ajouté")).to_be_visible()

    debates = hub.as_user(secretary).get(f"/v1/consultations/{consultation_id}/debates").data
    by_title = {d["title"]: d for d in debates["items"]}
    ranked_fn = by_title[RANKED]["function"]
    judged_fn = by_title[JUDGED]["function"]
    assert ranked_fn["type"] == "ranked" and ranked_fn["max_ranks"] is None
    assert [o["label"] for o in ranked_fn["options"]] == OPTIONS
    assert judged_fn["type"] == "majority_judgment"
    assert judged_fn["grades"] == ["tres_bien", "bien", "assez_bien", "passable", "insuffisant"]
    assert judged_fn["results_visibility"] == "live"
    ranked_id, judged_id = by_title[RANKED]["id"], by_title[JUDGED]["id"]

    phone.get_by_role("button", name="Publier", exact=True).click()
    phone.get_by_role("button", name="Oui, publier").click()
    expect(phone.get_by_text("Ouverte", exact=True)).to_be_visible()

    # Member 1 ranks Verger alone; member 2 first gives two options rank 1: refused in the
    # page, nothing sent; then Potager, Ruches. Member 3: Ruches, Potager.
    rankings = {
        members[0]: ["Verger"],
        members[1]: ["Potager", "Ruches"],
        members[2]: ["Ruches", "Potager"],
    }
    for n, member in enumerate(members):
        switch_to(phone, member)
        phone.goto(f"/debates/{ranked_id}")
        heading(phone, RANKED)
        ranking = phone.get_by_role("group", name="Votre classement")
        if n == 0:
            expect(
                ranking.get_by_text("Aucune option classée pour l\u2019instant.")
            ).to_be_visible()
            look(phone, "methods-ranked-ballot")
        if n == 1:
            phone.get_by_label("Potager").select_option(label="Rang 1")
            phone.get_by_label("Ruches").select_option(label="Rang 1")
            expect(ranking.get_by_text(re.compile(r"même rang \(1\)"))).to_be_visible()
            phone.get_by_role("button", name="Voter", exact=True).click()
            expect(phone.get_by_role("alert")).to_contain_text(
                "chaque rang ne peut servir qu\u2019une fois"
            )
            look(phone, "methods-ranked-same-rank")
            hub.as_user(member).get(f"/v1/debates/{ranked_id}/ballot", expect=404)  # none sent
        for rank, option in enumerate(rankings[member], start=1):
            phone.get_by_label(option).select_option(label=f"Rang {rank}")
        preview = ranking.get_by_role("listitem")
        expect(preview).to_have_text(rankings[member])
        phone.get_by_role("button", name="Voter", exact=True).click()
        said = ", ".join(f"{rank}. {o}" for rank, o in enumerate(rankings[member], start=1))
        expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
            f"Vous avez voté\u00a0: {said}"
        )
        if n == 2:
            look(phone, "methods-ranked-voted")
            phone.reload()  # my ballot, shown and ready to change
            expect(phone.get_by_label("Ruches")).to_have_value("1")
            expect(phone.get_by_label("Potager")).to_have_value("2")
            expect(phone.get_by_label("Verger")).to_have_value("")
            expect(phone.get_by_role("button", name="Changer mon vote")).to_be_visible()
        ballot = hub.as_user(member).get(f"/v1/debates/{ranked_id}/ballot").data
        assert ballot["ranking"] == [f"o{OPTIONS.index(o) + 1}" for o in rankings[member]]

    # The majority judgment: one group of radios per option, every option graded.
    grades = {
        members[0]: {"Verger": "Très bien", "Potager": "Bien", "Ruches": "Insuffisant"},
        members[1]: {"Verger": "Passable", "Potager": "Bien", "Ruches": "Assez bien"},
        members[2]: {"Verger": "Très bien", "Potager": "Assez bien", "Ruches": "Passable"},
    }
    for n, member in enumerate(members):
        switch_to(phone, member)
        phone.goto(f"/debates/{judged_id}")
        heading(phone, JUDGED)
        given = grades[member]
        if n == 0:
            expect(phone.get_by_role("group", name="Verger").get_by_role("radio")).to_have_count(5)
            look(phone, "methods-judgment-ballot")
            phone.get_by_role("group", name="Verger").get_by_role("radio", name="Très bien").check()
            phone.get_by_role("button", name="Voter", exact=True).click()
            expect(phone.get_by_role("alert")).to_contain_text("Il manque\u00a0: Potager, Ruches.")
            look(phone, "methods-judgment-incomplete")
        for option, grade in given.items():
            phone.get_by_role("group", name=option).get_by_role(
                "radio", name=grade, exact=True
            ).check()
        phone.get_by_role("button", name="Voter", exact=True).click()
        said = ", ".join(f"{o} ({g})" for o, g in given.items())
        expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
            f"Vous avez voté\u00a0: {said}"
        )
    # Live results: the grades each option received so far, no majority grade yet.
    live = phone.get_by_role("table", name="Mentions reçues")
    verger = live.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Verger"))
    expect(verger).to_contain_text("Très bien 2 · Passable 1", timeout=15_000)
    expect(live.get_by_role("columnheader", name="Mention majoritaire")).to_have_count(0)
    look(phone, "methods-judgment-voted-live")

    # Setup: six more ranked ballots. First choices: Verger 4, Potager 3, Ruches 2; Ruches
    # goes first and its two ballots pass to Potager: Potager 5, Verger 4 of 9. Head to
    # head, Potager beats Verger 5-4 and Ruches 3-2: the Condorcet winner too.
    setup = [["o1"]] * 3 + [["o2"]] * 2 + [["o3", "o2"]]
    for extra, ranking in zip(extras, setup, strict=True):
        hub.as_user(extra).put(f"/v1/debates/{ranked_id}/ballot", {"ranking": ranking}, expect=201)
    hub.as_user(secretary).post(
        f"/v1/consultations/{consultation_id}/close", {"reason": "Assemblée tenue."}, expect=200
    )

    phone.goto(f"/debates/{ranked_id}")
    heading(phone, RANKED)
    reload_until_final(phone, RANKED)
    expect(phone.get_by_text("Définitif", exact=True)).to_be_visible()
    expect(phone.get_by_text("Élue au vote alternatif, au tour 2\u00a0: Potager")).to_be_visible()
    counts = phone.get_by_role("table", name="Résultats")
    first = counts.get_by_role("row").filter(has=phone.get_by_role("rowheader", name="Verger"))
    expect(first.get_by_role("cell")).to_have_text("4")  # the plurality leader...
    rounds = phone.get_by_role("table", name="Tours du vote alternatif")
    expect(rounds.get_by_role("columnheader")).to_have_text(["Option", "Tour 1", "Tour 2"])

    def row(table, name: str):
        return table.get_by_role("row").filter(has=phone.get_by_role("rowheader", name=name))

    expect(row(rounds, "Verger").get_by_role("cell")).to_have_text(["4", "4"])
    expect(row(rounds, "Potager").get_by_role("cell")).to_have_text(["3", "5 élue"])
    expect(row(rounds, "Ruches").get_by_role("cell")).to_have_text(["2 éliminée", "—"])
    expect(row(rounds, "Bulletins épuisés").get_by_role("cell")).to_have_text(["0", "0"])
    expect(
        phone.get_by_text(re.compile(r"^Gagnante de Condorcet .*\u00a0: Potager$"))
    ).to_be_visible()
    pairs = phone.get_by_role("table", name=re.compile(r"^Duels"))
    expect(row(pairs, "Verger").get_by_role("cell")).to_have_text(["—", "4", "4"])
    expect(row(pairs, "Potager").get_by_role("cell")).to_have_text(["5", "—", "3"])
    expect(row(pairs, "Ruches").get_by_role("cell")).to_have_text(["3", "2", "—"])
    look(phone, "methods-ranked-final")

    # By hand: Verger TB, TB, Passable -> Très bien; Potager B, B, AB -> Bien; Ruches I,
    # AB, P -> Passable (the lower median of three is the second best).
    phone.goto(f"/debates/{judged_id}")
    heading(phone, JUDGED)
    reload_until_final(phone, JUDGED)
    expect(
        phone.get_by_text("Gagnante\u00a0: Verger, mention majoritaire Très bien")
    ).to_be_visible()
    table = phone.get_by_role("table", name="Mentions reçues")
    expect(table.get_by_role("rowheader")).to_have_text(["Verger", "Potager", "Ruches"])
    expect(row(table, "Verger").get_by_role("cell").nth(0)).to_have_text("1")
    expect(row(table, "Verger").get_by_role("cell").nth(1)).to_contain_text("Très bien")
    expect(row(table, "Potager").get_by_role("cell").nth(1)).to_have_text(re.compile(r"^Bien\b"))
    expect(row(table, "Ruches").get_by_role("cell").nth(0)).to_have_text("3")
    expect(row(table, "Ruches").get_by_role("cell").nth(1)).to_contain_text("Passable")
    look(phone, "methods-judgment-final")


def test_a_member_scores_every_option_and_spreads_points_in_the_page(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    member = f"member-{tag}"
    group_id, consultation_id = association(hub, tag, [member])
    secretary = hub.as_user(f"secretary-{tag}")
    ids = [
        secretary.post(f"/v1/consultations/{consultation_id}/debates", body, expect=201).data["id"]
        for body in (
            {
                "title": "Noter les projets",
                "function": {
                    "type": "score",
                    "options": OPTIONS,
                    "max_score": 5,
                    "results_visibility": "live",
                },
            },
            {
                "title": "Répartir le budget",
                "function": {
                    "type": "dot",
                    "options": OPTIONS,
                    "points_per_voter": 10,
                    "results_visibility": "live",
                },
            },
        )
    ]
    secretary.post(f"/v1/consultations/{consultation_id}/publish", expect=200)
    sign_in(phone, member)

    phone.goto(f"/debates/{ids[0]}")
    heading(phone, "Noter les projets")
    phone.get_by_label("Verger").fill("4")
    phone.get_by_label("Potager").fill("6")
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("alert")).to_contain_text("À revoir\u00a0: Potager, Ruches.")
    look(phone, "methods-score-refused")
    phone.get_by_label("Potager").fill("0")
    phone.get_by_label("Ruches").fill("5")
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        "Vous avez voté\u00a0: Verger (4/5), Potager (0/5), Ruches (5/5)"
    )
    results = phone.get_by_role("table", name="Résultats")
    expect(results.get_by_role("columnheader")).to_have_text(
        ["Option", "Total des notes", "Moyenne (sur 5)"]
    )
    expect(
        results.get_by_role("row")
        .filter(has=phone.get_by_role("rowheader", name="Ruches"))
        .get_by_role("cell")
    ).to_have_text(["5", "5"], timeout=15_000)
    look(phone, "methods-score-voted")

    phone.goto(f"/debates/{ids[1]}")
    heading(phone, "Répartir le budget")
    left = phone.get_by_text(re.compile(r"^Rest(e|ent) .* à répartir\.$|^\d+ points? de trop\.$"))
    expect(left).to_have_text("Restent 10 points à répartir.")
    phone.get_by_label("Verger").fill("7")
    expect(left).to_have_text("Restent 3 points à répartir.")
    phone.get_by_label("Ruches").fill("5")
    expect(left).to_have_text("2 points de trop.")
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("alert")).to_contain_text("il y en a 2 de trop")
    look(phone, "methods-dot-over")
    phone.get_by_label("Ruches").fill("3")
    expect(phone.get_by_role("alert")).to_have_count(0)  # the refusal went with its cause
    expect(left).to_have_text("Reste 0 point à répartir.")
    phone.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        "Vous avez voté\u00a0: Verger (7 points), Ruches (3 points)"
    )
    ballot = hub.as_user(member).get(f"/v1/debates/{ids[1]}/ballot").data
    assert ballot["points"] == {"o1": 7, "o3": 3}
    look(phone, "methods-dot-voted")
    assert group_id


def test_a_secret_ranking_is_confirmed_once_and_its_receipt_shows_it_after_the_close(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    member = f"member-{tag}"
    _, consultation_id = association(hub, tag, [member])
    secretary = hub.as_user(f"secretary-{tag}")
    function = {"type": "ranked", "options": OPTIONS, "secret": True, "max_ranks": 2}
    debate_id = secretary.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": "Élire les deux priorités", "function": function},
        expect=201,
    ).data["id"]
    secretary.post(f"/v1/consultations/{consultation_id}/publish", expect=200)
    sign_in(phone, member)
    phone.goto(f"/debates/{debate_id}")
    heading(phone, "Élire les deux priorités")
    # At most two ranks to give: the selects offer no third.
    expect(phone.get_by_label("Ruches").get_by_role("option")).to_have_text(
        ["Non classée", "Rang 1", "Rang 2"]
    )
    phone.get_by_label("Potager").select_option(label="Rang 1")
    phone.get_by_label("Verger").select_option(label="Rang 2")
    phone.get_by_role("button", name="Voter", exact=True).click()
    asking = phone.get_by_role("group", name=re.compile(r"^Confirmez-vous votre vote"))
    expect(asking).to_contain_text("1. Potager, 2. Verger")
    look(phone, "methods-ranked-secret-confirm")
    phone.get_by_role("button", name="Confirmer mon vote").click()
    expect(phone.get_by_role("status").filter(has_text="Vous avez voté")).to_have_text(
        "Vous avez voté (vote secret)."
    )
    receipt = phone.locator(".receipt-code").inner_text()
    expect(phone.get_by_role("button", name="Changer mon vote")).to_have_count(0)
    look(phone, "methods-ranked-secret-receipt")
    mine = hub.as_user(member).get(f"/v1/debates/{debate_id}/ballot").data
    assert "ranking" not in mine  # the Hub keeps no choice of a secret ballot

    secretary.post(
        f"/v1/consultations/{consultation_id}/close", {"reason": "Assemblée tenue."}, expect=200
    )
    phone.reload()
    reload_until_final(phone, "Élire les deux priorités")
    expect(phone.get_by_text("Élue au vote alternatif, au tour 1\u00a0: Potager")).to_be_visible()
    phone.get_by_label("Vérifier mon reçu de vote secret").fill(receipt.upper())
    phone.get_by_role("button", name="Vérifier", exact=True).click()
    expect(phone.get_by_text("Ce reçu a été compté\u00a0: 1. Potager, 2. Verger.")).to_be_visible()
    look(phone, "methods-ranked-secret-checked")


def test_a_draft_judgment_and_dot_vote_keep_their_settings_when_edited(
    phone: Page, hub: RunningHub
) -> None:
    tag = uuid.uuid4().hex[:8]
    _, consultation_id = association(hub, tag, [])
    secretary = hub.as_user(f"secretary-{tag}")
    four = ["excellent", "bien", "passable", "insuffisant"]  # a scale the form does not offer
    judged = secretary.post(
        f"/v1/consultations/{consultation_id}/debates",
        {
            "title": "Juger les devis",
            "function": {"type": "majority_judgment", "options": OPTIONS, "grades": four},
        },
        expect=201,
    ).data["id"]
    sign_in(phone, f"secretary-{tag}")
    phone.goto(f"/debates/{judged}/edit")
    heading(phone, "Modifier le débat")
    expect(phone.get_by_label("Décision")).to_have_value("majority_judgment")
    expect(phone.get_by_label("Option 3", exact=True)).to_have_value("Ruches")
    scale = phone.get_by_label("Échelle de mentions")
    expect(scale).to_have_value(",".join(four))
    expect(scale.get_by_role("option", selected=True)).to_have_text(
        "4 mentions\u00a0: Excellent, Bien, Passable, Insuffisant"
    )
    look(phone, "methods-debate-edit-judgment")
    scale.select_option(label="3 mentions\u00a0: Bien, Passable, Insuffisant")
    phone.get_by_role("button", name="Enregistrer le débat").click()
    expect(
        phone.get_by_role("status").filter(has_text="Modifications enregistrées.")
    ).to_be_visible()
    saved = secretary.get(f"/v1/debates/{judged}").data["function"]
    assert saved["grades"] == ["bien", "passable", "insuffisant"]
    assert [o["label"] for o in saved["options"]] == OPTIONS

    # A dot vote's points per voter, refused beyond 100 by the API naming the field.
    phone.goto(f"/debates/{judged}/edit")
    phone.get_by_label("Décision").select_option(label="Vote par points à répartir")
    phone.get_by_label("Points par votant").fill("150")
    phone.get_by_role("button", name="Enregistrer le débat").click()
    expect(
        phone.get_by_role("alert").get_by_role("link", name=re.compile(r"^Points par votant"))
    ).to_have_attribute("href", "#d-points")
    look(phone, "methods-debate-edit-refused")
    phone.get_by_label("Points par votant").fill("12")
    phone.get_by_role("button", name="Enregistrer le débat").click()
    expect(
        phone.get_by_role("status").filter(has_text="Modifications enregistrées.")
    ).to_be_visible()
    saved = secretary.get(f"/v1/debates/{judged}").data["function"]
    assert (saved["type"], saved["points_per_voter"]) == ("dot", 12)
