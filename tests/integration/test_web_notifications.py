"""Issue 17 through the web client, in a real browser against `make run DEMO=1`: a member
hears of a consultation in the header and on /me/notifications, opens it, marks everything
read; chooses which emails come; follows an association; and turns one kind of email off
from an email's link without signing in. Every screen and state passes `look`."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.integration import web
from tests.integration.conftest import RunningHub, runner_environment
from tests.integration.web import look, sign_in

browser, phone, desktop = web.browser, web.phone, web.desktop  # this module's fixtures

pytestmark = pytest.mark.integration

GROUP = "Quartier des Tilleuls"
APOS = "\u2019"  # the French apostrophe of the UI
WAIT_S = 30.0  # the runner's jobs deliver within seconds; two cores are shared


def group_id(hub: RunningHub) -> str:
    groups = hub.as_user("demo-admin").get("/v1/me").data["groups"]
    return next(g["id"] for g in groups if g["name"] == GROUP)


def publish(hub: RunningHub, title: str) -> str:
    """The demo's admin publishes a members' consultation (a precondition, through the API)."""
    admin = hub.as_user("demo-admin")
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    made = admin.post(
        f"/v1/groups/{group_id(hub)}/consultations",
        {"title": title, "visibility": "members", "closes_at": closes},
    )
    assert made.status_code == 201, made.data
    assert admin.post(f"/v1/consultations/{made.data['id']}/publish").status_code == 200
    return made.data["id"]


def header_link(page: Page):
    return page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )


def wait_for_unread(page: Page, pattern: str) -> None:
    """Reload the current page as a person would until the header's link says `pattern`."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if re.search(r"\d", header_link(page).inner_text()):  # the count beside the word
            break
        time.sleep(1)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(header_link(page)).to_have_accessible_name(re.compile(pattern))


def mentioning(page: Page, title: str):
    return (
        page.get_by_role("list", name="Vos notifications")
        .get_by_role("listitem")
        .filter(has_text=title)
    )


def test_a_member_hears_of_a_consultation_opens_it_and_marks_everything_read(
    phone: Page, hub: RunningHub
) -> None:
    first = f"Jardin partagé {uuid.uuid4().hex[:6]}"
    consultation = publish(hub, first)
    sign_in(phone, "demo-alice")
    wait_for_unread(phone, r"^Notifications, \d+ non lues?$")
    look(phone, "notifications-header-unread")

    header_link(phone).click()
    expect(phone).to_have_url(re.compile(r"/me/notifications$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Notifications")
    item = mentioning(phone, first)
    expect(item).to_have_count(1)
    expect(item.get_by_text("Non lue", exact=True)).to_be_visible()
    expect(item.get_by_role("link")).to_have_accessible_name(
        re.compile(rf"^{GROUP} ouvre la consultation «\s{re.escape(first)}\s»\.$")
    )
    expect(item.locator("time")).to_be_visible()
    look(phone, "notifications-unread")

    item.get_by_role("link").click()  # marks it read, then opens it
    expect(phone).to_have_url(re.compile(rf"/consultations/{consultation}$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(first)

    header_link(phone).click()
    expect(mentioning(phone, first).get_by_text("Non lue", exact=True)).to_have_count(0)

    second = f"Repas de rue {uuid.uuid4().hex[:6]}"
    publish(hub, second)
    deadline = time.monotonic() + WAIT_S
    while mentioning(phone, second).count() == 0 and time.monotonic() < deadline:
        time.sleep(1)
        phone.reload()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(mentioning(phone, second).get_by_text("Non lue", exact=True)).to_be_visible()

    phone.get_by_role("button", name="Tout marquer comme lu").click()
    expect(phone.get_by_role("status").filter(has_text="marquées comme lues")).to_be_visible()
    expect(phone.get_by_text("Non lue", exact=True)).to_have_count(0)
    expect(header_link(phone)).to_have_accessible_name("Notifications")
    look(phone, "notifications-all-read")

    phone.reload()  # it holds
    expect(mentioning(phone, second)).to_have_count(1)
    expect(phone.get_by_text("Non lue", exact=True)).to_have_count(0)
    expect(header_link(phone)).to_have_accessible_name("Notifications")


def test_someone_new_has_no_notifications_yet(desktop: Page) -> None:
    sign_in(desktop, f"n17-new-{uuid.uuid4().hex[:6]}")
    expect(header_link(desktop)).to_have_accessible_name("Notifications")
    header_link(desktop).click()
    expect(
        desktop.get_by_text(f"Vous n{APOS}avez aucune notification pour le moment.")
    ).to_be_visible()
    expect(desktop.get_by_role("button", name="Tout marquer comme lu")).to_have_count(0)
    look(desktop, "notifications-empty")


def test_a_member_chooses_which_emails_come_and_the_choice_is_kept(phone: Page) -> None:
    sign_in(phone, "demo-bob")
    phone.get_by_role("navigation", name="Principal").get_by_role("link", name="Mon compte").click()
    phone.get_by_role("link", name="Choisir les emails que vous recevez").click()
    expect(phone).to_have_url(re.compile(r"/me/notifications/settings$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Emails de notification")
    replies = phone.get_by_role("group", name="Réponses à vos commentaires")
    expect(replies.get_by_role("radio", name="Un résumé par jour")).to_be_checked()  # the default
    look(phone, "notification-settings")

    replies.get_by_role("radio", name="Jamais").check()
    results = phone.get_by_role("group", name=f"Résultats d{APOS}une consultation")
    results.get_by_role("radio", name="Un résumé par jour").check()
    phone.get_by_role("button", name="Enregistrer mes choix").click()
    expect(
        phone.get_by_role("status").filter(has_text="Vos choix sont enregistrés.")
    ).to_be_visible()
    look(phone, "notification-settings-saved")

    phone.reload()
    expect(replies.get_by_role("radio", name="Jamais")).to_be_checked()
    expect(results.get_by_role("radio", name="Un résumé par jour")).to_be_checked()
    opened = phone.get_by_role("group", name=f"Une consultation s{APOS}ouvre")
    expect(opened.get_by_role("radio", name="Tout de suite")).to_be_checked()

    phone.get_by_role("button", name="Enregistrer mes choix").click()
    expect(phone.get_by_role("status").filter(has_text=f"Rien n{APOS}a changé.")).to_be_visible()


def test_a_resident_follows_and_unfollows_an_association(phone: Page, hub: RunningHub) -> None:
    who = f"n17-follower-{uuid.uuid4().hex[:6]}"
    gid = group_id(hub)
    sign_in(phone, who)
    phone.get_by_role("link", name=GROUP).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(GROUP)
    follow = phone.get_by_role("button", name="Suivre", exact=True)
    expect(follow).to_be_visible()
    look(phone, "group-follow")

    follow.click()
    expect(
        phone.get_by_role("status").filter(has_text="Vous suivez cette association.")
    ).to_be_visible()
    unfollow = phone.get_by_role("button", name="Ne plus suivre")
    expect(unfollow).to_be_visible()
    look(phone, "group-following")
    # Coming back later, the association says one follows it.
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text(GROUP)
    unfollow = phone.get_by_role("button", name="Ne plus suivre")
    expect(unfollow).to_be_visible()
    # The API agrees: one may choose emails for an association one follows.
    choose = {"groups": {gid: {"results": "daily"}}}
    assert hub.as_user(who).patch("/v1/me/preferences", choose).status_code == 200

    unfollow.click()
    expect(phone.get_by_role("status").filter(has_text="Vous ne suivez plus")).to_be_visible()
    expect(phone.get_by_role("button", name="Suivre", exact=True)).to_be_visible()
    assert hub.as_user(who).patch("/v1/me/preferences", choose).status_code == 422


def unsubscribe_link_token(
    monkeypatch: pytest.MonkeyPatch, user: str, group: str, kind: str = "results"
) -> str:
    """The token an email to `user` about `group`'s results (or `kind`) carries, signed as
    the runner signs it (its cursor secret comes from its environment)."""
    from chalicelib.mail import unsubscribe
    from chalicelib.settings import Settings

    runner = Settings.from_environ(runner_environment())
    monkeypatch.setattr(unsubscribe, "get_settings", lambda: runner)
    return unsubscribe.unsubscribe_token(user, group, kind)


def test_an_email_link_turns_results_off_without_signing_in(
    phone: Page, hub: RunningHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    gid = group_id(hub)
    token = unsubscribe_link_token(monkeypatch, "demo-moderator", gid)
    phone.goto(f"/unsubscribe?token={token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Se désabonner")
    expect(
        phone.get_by_text(f"Les emails sur les résultats de l{APOS}association {GROUP}.")
    ).to_be_visible()
    expect(
        phone.get_by_role("navigation", name="Principal").get_by_role("link", name="Se connecter")
    ).to_be_visible()
    look(phone, "unsubscribe")

    phone.get_by_role("button", name="Se désabonner").click()
    expect(
        phone.get_by_role("status").filter(has_text="vous ne recevrez plus ces emails")
    ).to_be_visible()
    expect(phone.get_by_role("button", name="Se désabonner")).to_have_count(0)
    expect(phone.get_by_role("link", name="Choisir tous vos emails")).to_have_attribute(
        "href", "/me/notifications/settings"
    )
    look(phone, "unsubscribe-done")
    prefs = hub.as_user("demo-moderator").get("/v1/me/preferences").data
    assert prefs["groups"][gid]["results"] == "never"

    phone.reload()  # the same link again: already done
    expect(phone.get_by_text("Vous ne recevez déjà plus ces emails.")).to_be_visible()

    # A daily digest's link: the digest itself, whatever kinds it held.
    reader = f"n17-digest-{uuid.uuid4().hex[:6]}"
    hub.as_user(reader).patch("/v1/me/preferences", {"kinds": {"results": "daily"}})
    phone.goto(f"/unsubscribe?token={unsubscribe_link_token(monkeypatch, reader, '*', 'digest')}")
    expect(
        phone.get_by_text("Le résumé quotidien de vos notifications, pour toutes les associations.")
    ).to_be_visible()
    look(phone, "unsubscribe-digest")
    phone.get_by_role("button", name="Se désabonner").click()
    expect(
        phone.get_by_role("status").filter(has_text="vous ne recevrez plus ces emails")
    ).to_be_visible()
    assert hub.as_user(reader).get("/v1/me/preferences").data["kinds"]["results"] == "never"

    phone.goto("/unsubscribe?token=" + token[:-4] + "AAAA")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Se désabonner")
    expect(phone.get_by_role("alert")).not_to_be_empty()
    expect(phone.get_by_role("button", name="Se désabonner")).to_have_count(0)
    look(phone, "unsubscribe-bad-link")


def seed(hub: RunningHub, user: str, notifications: list[tuple[str, dict[str, str]]]) -> None:
    """Notifications as the pipeline writes them (`NOTIFS#u` / `N#<event id>`), newest
    first in `notifications`: a precondition, written straight to the local table."""
    import boto3

    table = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{hub.dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    now = datetime.now(UTC)
    for age, (kind, data) in enumerate(notifications):
        at = now - timedelta(minutes=age + 1)
        event = f"{at:%Y%m%d%H%M%S%f}"[:17] + f"-{uuid.uuid4().hex[:16]}"
        item = {
            "pk": {"S": f"NOTIFS#{user}"},
            "sk": {"S": f"N#{event}"},
            "kind": {"S": "notification"},
            "event_id": {"S": event},
            "event_kind": {"S": kind},
            "at": {"S": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"},
            "data": {"M": {k: {"S": v} for k, v in data.items() if k != "group_id"}},
            "ttl": {"N": str(int((at + timedelta(days=90)).timestamp()))},
        }
        if "group_id" in data:
            item["group_id"] = {"S": data["group_id"]}
        table.put_item(TableName="hub-integration", Item=item)


def test_each_kind_reads_as_a_sentence_and_more_come_on_request(
    phone: Page, hub: RunningHub
) -> None:
    reader = f"n17-reader-{uuid.uuid4().hex[:6]}"
    gid = group_id(hub)
    group = {"group_id": gid, "group_name": GROUP}
    debate = {"debate_id": "c0nsult4t10nd3b4t3000001", "debate_title": "Installer des bancs"}
    seed(
        hub,
        reader,
        [
            ("reply", {**group, **debate, "actor_name": "Malik", "comment_id": "x1"}),
            ("comment_hidden", {**group, **debate, "reason": "Hors sujet", "comment_id": "x2"}),
            ("join_requested", {**group, "actor_name": "Zoé"}),
            (
                "partner_invitation",
                {**group, "consultation_id": "c0nsult4t10n", "consultation_title": "Fête"},
            ),
            ("flags_waiting", {**group}),
            ("results", {**group, "consultation_id": "c0nsult4t10n", "consultation_title": "Fête"}),
        ]
        + [
            (
                "consultation_opened",
                {**group, "consultation_id": f"old{n:09d}", "consultation_title": f"Ancienne {n}"},
            )
            for n in range(20)
        ],
    )
    sign_in(phone, reader)
    expect(header_link(phone)).to_have_accessible_name("Notifications, 26 non lues")
    header_link(phone).click()
    listed = phone.get_by_role("list", name="Vos notifications").get_by_role("listitem")
    expect(listed).to_have_count(20)
    expectations = [
        (
            "Malik a répondu à votre commentaire dans «\u00a0Installer des bancs\u00a0».",
            f"/debates/{debate['debate_id']}",
        ),
        (
            "Votre commentaire dans «\u00a0Installer des bancs\u00a0» a été masqué.",
            f"/debates/{debate['debate_id']}",
        ),
        (f"Zoé demande à rejoindre {GROUP}.", f"/groups/{gid}/requests"),
        (
            f"{GROUP} est invitée à s{APOS}associer à la consultation «\u00a0Fête\u00a0».",
            f"/groups/{gid}/partner-invitations",
        ),
        (
            f"Des commentaires signalés attendent un examen dans {GROUP}.",
            f"/groups/{gid}/moderation",
        ),
        (
            "Les résultats de la consultation «\u00a0Fête\u00a0» sont publiés.",
            "/consultations/c0nsult4t10n",
        ),
    ]
    for item, (sentence, href) in zip(listed.all()[:6], expectations, strict=True):
        expect(item.get_by_role("link")).to_have_text(sentence)
        expect(item.get_by_role("link")).to_have_attribute("href", href)
    expect(listed.nth(1)).to_contain_text("Motif\u00a0: Hors sujet")
    look(phone, "notifications-kinds")

    phone.get_by_role("button", name="Voir plus").click()
    expect(listed).to_have_count(26)
    expect(phone.get_by_role("button", name="Voir plus")).to_have_count(0)
    look(phone, "notifications-more")

    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Notifications")
    in_english = phone.get_by_role("list", name="Your notifications").get_by_role("listitem")
    expect(in_english.first.get_by_role("link")).to_have_text(
        "Malik replied to your comment in “Installer des bancs”."
    )
    main_nav = phone.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Notifications, 26 unread")).to_be_visible()
    look(phone, "notifications-english")


def test_an_admin_emails_an_invitation_and_the_link_goes_out(phone: Page, hub: RunningHub) -> None:
    from pathlib import Path

    address = f"invitee-{uuid.uuid4().hex[:6]}@example.org"
    gid = group_id(hub)
    sign_in(phone, "demo-admin")
    phone.goto(f"/groups/{gid}/invitations")
    phone.get_by_label("Envoyer le lien par email à (facultatif)").fill(address)
    look(phone, "invitation-email")
    phone.get_by_role("button", name="Créer l\u2019invitation").click()
    expect(phone.get_by_text(f"Le lien est envoyé à {address}.").first).to_be_visible()
    expect(phone.get_by_label("Envoyer le lien par email à (facultatif)")).to_have_value("")
    look(phone, "invitation-emailed")

    # The runner's pipeline sends it, as an .eml in its outbox (the checkout's .hub/outbox).
    outbox = Path(__file__).resolve().parents[2] / ".hub" / "outbox"
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        sent = [
            p for p in outbox.glob("*.eml") if f"To: {address}" in p.read_text(errors="replace")
        ]
        if sent:
            break
        time.sleep(1)
    assert len(sent) == 1, f"no email to {address} in {outbox}"
    assert "/invitations/" in sent[0].read_text(errors="replace")
