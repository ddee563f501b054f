"""Signing in from the web client, in a real browser (tests/integration/web.py).

The cloud's way, OpenID Connect (authorization code + PKCE), against a fake provider started
here: a runner with HUB_WEB_OIDC serves the client's /config.json as `make deploy` writes it
in the cloud, and forwards /auth/token to the provider as the distribution does. The fake
provider signs people in at once (or refuses, when told to), and answers the token endpoint
only to the verifier of the challenge it was given, with a dev token the local API accepts.

And the local way: `/dev/sign-in` returns to the page where "Se connecter" was pressed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from local.devtoken import make_token
from tests.integration import web
from tests.integration.conftest import (
    AUDIENCE,
    DEV_SECRET,
    HOST,
    ISSUER,
    RunningHub,
    start_runner,
)
from tests.integration.web import PHONE, look, open_page

browser, phone = web.browser, web.phone  # this module's fixtures

pytestmark = pytest.mark.integration

SQUARE = "Réaménagement du square"  # the demo's public consultation (local/demo.py)
CLIENT_ID = "hub-web"
PERSON = "oidc-olga"


@dataclass
class Provider:
    """What the fake provider saw and is told: codes it issued, exchanges it answered."""

    base_url: str = ""
    deny: bool = False  # answers access_denied
    silent: bool = False  # answers /authorize with a page of its own, sending nobody back
    site_url: str = ""  # where /logout sends people back
    logouts: int = 0
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    exchanges: list[dict[str, Any]] = field(default_factory=list)


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def provider_handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/logout":
                provider.logouts += 1
                self.send_response(302)
                self.send_header("Location", f"{provider.site_url}/")
                self.end_headers()
                return
            if url.path != "/authorize":
                self.answer(404, {"error": "not_found"})
                return
            asked = {k: v[0] for k, v in parse_qs(url.query).items()}
            if provider.silent:
                self.answer(200, {"page": "sign in here"})
                return
            if provider.deny:
                back = {"error": "access_denied", "state": asked["state"]}
            else:
                code = secrets.token_urlsafe(16)
                provider.codes[code] = asked
                back = {"code": code, "state": asked["state"]}
            self.send_response(302)
            self.send_header("Location", f"{asked['redirect_uri']}?{urlencode(back)}")
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            asked = provider.codes.pop(form.get("code", ""), None)  # one use
            verified = (
                asked is not None
                and urlsplit(self.path).path == "/token"
                and self.headers.get("Content-Type") == "application/x-www-form-urlencoded"
                and form.get("grant_type") == "authorization_code"
                and form.get("client_id") == asked["client_id"] == CLIENT_ID
                and form.get("redirect_uri") == asked["redirect_uri"]
                and asked["code_challenge_method"] == "S256"
                and challenge_of(form.get("code_verifier", "")) == asked["code_challenge"]
            )
            provider.exchanges.append({"form": form, "asked": asked, "verified": verified})
            if not verified:
                self.answer(400, {"error": "invalid_grant"})
                return
            id_token = make_token(
                PERSON,
                name="Olga",
                secret=DEV_SECRET,
                issuer=ISSUER,
                audience=AUDIENCE,
                extra={"nonce": asked["nonce"]},
            )
            self.answer(200, {"id_token": id_token, "token_type": "Bearer", "expires_in": 3600})

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    found = Provider()
    server = ThreadingHTTPServer((HOST, 0), provider_handler(found))
    found.base_url = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def cloud_like(
    provider: Provider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningHub]:
    """`make run DEMO=1` signing in as the cloud does, with the fake provider."""
    oidc = {
        "authorize": f"{provider.base_url}/authorize",
        "token": f"{provider.base_url}/token",
        "client_id": CLIENT_ID,
        "scope": "openid email profile",
        "logout": f"{provider.base_url}/logout",
    }
    output = tmp_path_factory.mktemp("oidc-runner") / "output.log"
    running = start_runner(output, "--demo", "--no-reload", env={"HUB_WEB_OIDC": json.dumps(oidc)})
    provider.site_url = running.base_url
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


@pytest.fixture
def page(browser: Browser, cloud_like: RunningHub, provider: Provider) -> Iterator[Page]:
    provider.deny, provider.silent = False, False
    opened = open_page(browser, cloud_like, PHONE)
    yield opened
    opened.context.close()


def navigation(page: Page):
    return page.get_by_role("navigation", name="Principal")


def stored_token(page: Page) -> str | None:
    return page.evaluate("() => sessionStorage.getItem('hub.token')")


def open_the_square(page: Page) -> str:
    """From the home page to the demo's public consultation; returns its path."""
    page.goto("/")
    page.get_by_role("link", name=SQUARE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SQUARE)
    return urlsplit(page.url).path


# ---------------------------------------------------------------- OpenID Connect


def test_signing_in_returns_to_the_page_signed_in_with_nothing_in_the_address(
    page: Page, cloud_like: RunningHub, provider: Provider
) -> None:
    config = page.request.get("/config.json").json()
    assert config["oidc"]["token"] == "/auth/token"  # the site's origin: connect-src 'self'
    square = open_the_square(page)
    exchanges_before = len(provider.exchanges)

    navigation(page).get_by_role("link", name="Se connecter").click()
    expect(navigation(page).get_by_role("button", name="Se déconnecter")).to_be_visible()

    assert page.url == f"{cloud_like.base_url}{square}"  # back where the person started
    expect(page.get_by_role("heading", level=1)).to_have_text(SQUARE)
    [exchange] = provider.exchanges[exchanges_before:]
    assert exchange["verified"], exchange  # the verifier matched the S256 challenge
    asked = exchange["asked"]
    assert asked["redirect_uri"] == f"{cloud_like.base_url}/signed-in"
    assert asked["scope"] == "openid email profile"
    assert len(asked["state"]) >= 43 and len(asked["nonce"]) >= 43  # 32 random bytes
    assert asked["code_challenge"] != exchange["form"]["code_verifier"]

    kept = stored_token(page)
    assert kept and cloud_like.as_user(None, bearer=kept).get("/v1/me").data["id"] == PERSON
    assert "code=" not in page.url and "state=" not in page.url
    look(page, "signed-in-back")
    # Neither the sign-in nor the provider's answer is in the history: Back goes to the page
    # as it was before signing in (now signed in), and starts no new sign-in; once more, home.
    page.go_back()
    expect(page).to_have_url(f"{cloud_like.base_url}{square}")
    expect(navigation(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(f"{cloud_like.base_url}/")
    expect(navigation(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert len(provider.exchanges) == exchanges_before + 1

    # Signing out forgets the token and ends the session at the provider too.
    logouts = provider.logouts
    page.goto(square)
    navigation(page).get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{cloud_like.base_url}/")  # through the provider's /logout, back home
    expect(navigation(page).get_by_role("link", name="Se connecter")).to_be_visible()
    assert provider.logouts == logouts + 1
    assert stored_token(page) is None


def test_the_screen_while_signing_in_and_after_a_refusal(
    page: Page, cloud_like: RunningHub, provider: Provider
) -> None:
    square = open_the_square(page)
    provider.deny = True
    navigation(page).get_by_role("link", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion impossible")
    expect(page.get_by_role("alert")).to_contain_text("La connexion a été annulée")
    assert page.url == f"{cloud_like.base_url}/signed-in"  # no error= or state= left
    assert stored_token(page) is None
    expect(navigation(page).get_by_role("link", name="Se connecter")).to_be_visible()
    look(page, "signed-in-denied")

    provider.deny = False  # trying again still returns to where the person was
    page.get_by_role("link", name="Se connecter à nouveau").click()
    expect(navigation(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.url == f"{cloud_like.base_url}{square}"


def test_an_answer_this_tab_did_not_ask_for_is_refused(
    page: Page, cloud_like: RunningHub, provider: Provider
) -> None:
    """Someone's link to /signed-in with their own code (login CSRF): no exchange at all."""
    forged_code = secrets.token_urlsafe(16)
    provider.codes[forged_code] = {"client_id": CLIENT_ID}
    exchanges_before = len(provider.exchanges)
    page.goto(f"/signed-in?code={forged_code}&state=forged")

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion impossible")
    expect(page.get_by_role("alert")).to_contain_text("aucune connexion commencée dans cet onglet")
    assert page.url == f"{cloud_like.base_url}/signed-in"
    assert stored_token(page) is None
    assert len(provider.exchanges) == exchanges_before  # the code was never sent
    look(page, "signed-in-refused")

    # A sign-in started in this tab, answered with another state, is refused the same way.
    provider.silent = True  # the provider's page, where the person would sign in
    page.goto("/sign-in")
    page.wait_for_url(f"{provider.base_url}/authorize?*")
    page.goto("/signed-in?code=x&state=another-one")
    expect(page.get_by_role("alert")).to_contain_text("aucune connexion commencée dans cet onglet")
    assert stored_token(page) is None
    assert len(provider.exchanges) == exchanges_before


def test_a_browser_that_cannot_draw_the_challenge_says_so(page: Page, provider: Provider) -> None:
    """Without SubtleCrypto's SHA-256 (an old browser), no sign-in starts half-way."""
    page.add_init_script("crypto.subtle.digest = () => Promise.reject(new Error('none'))")
    requests_before = len(provider.codes)
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_role("alert")).to_contain_text("pas pu commencer")
    assert len(provider.codes) == requests_before
    look(page, "sign-in-failed")


def test_the_return_page_stays_on_this_site(page: Page, cloud_like: RunningHub) -> None:
    for sneaky in (
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "/\t/evil.example",
    ):
        page.goto(f"/sign-in?{urlencode({'return': sneaky})}")
        expect(navigation(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
        assert page.url == f"{cloud_like.base_url}/", sneaky
        page.evaluate("() => sessionStorage.removeItem('hub.token')")


# ---------------------------------------------------------------- the local sign-in


def test_the_local_sign_in_returns_to_the_page_it_was_asked_from(
    phone: Page, hub: RunningHub
) -> None:
    square = open_the_square(phone)
    link = navigation(phone).get_by_role("link", name="Se connecter")
    expect(link).to_have_attribute("href", f"/dev/sign-in?return={square.replace('/', '%2F')}")
    link.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Connexion de développement")
    phone.get_by_role("button", name="demo-alice", exact=True).click()
    phone.wait_for_url(f"{hub.base_url}{square}")  # the user id leaves no trace either
    expect(navigation(phone).get_by_role("button", name="Se déconnecter")).to_be_visible()

    phone.goto(f"/dev/sign-in?as=demo-bob&return={square}")
    phone.wait_for_url(f"{hub.base_url}{square}")
    assert hub.as_user(None, bearer=stored_token(phone)).get("/v1/me").data["id"] == "demo-bob"

    phone.goto("/dev/sign-in?as=demo-bob")  # no return: home, as before
    phone.wait_for_url(f"{hub.base_url}/")
    for sneaky in ("//evil.example/x", "/\\evil.example", "https://evil.example/"):
        phone.goto(f"/dev/sign-in?{urlencode({'as': 'demo-bob', 'return': sneaky})}")
        phone.wait_for_url(f"{hub.base_url}/")


def test_config_names_the_local_sign_in_without_a_provider(hub: RunningHub, phone: Page) -> None:
    assert phone.request.get(f"{hub.base_url}/config.json").json() == {"sign_in": "/dev/sign-in"}
