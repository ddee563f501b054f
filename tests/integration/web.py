"""The web client in a real browser: playwright (PyPI) driving Debian's headless Chromium
against the running Hub (the `hub` fixture), as people would use it.

- `browser`: one Chromium per test module (`executable_path`: `playwright install` cannot
  download here). Without one, the tests FAIL saying how to install it, unless
  HUB_SKIP_BROWSER_TESTS=1 asks to skip them (then they skip, saying so).
- `phone` and `desktop`: a fresh page (its own context: nobody signed in) in French (locale
  fr-FR) at 360x800 and 1280x800, on the Hub's origin (`page.goto("/")`).
- `look(page, name)`: what every screen must pass, at both widths: no horizontal scroll at
  360 px, no serious or critical axe-core violation; and a screenshot of each width under
  build/screens/<name>-<width>.png for review (not committed).
- `sign_in(page, user)`: through the local sign-in, `/dev/sign-in?as=USER`.
- `errors(page)`: what went wrong in the page: uncaught exceptions and console errors,
  Content-Security-Policy refusals included.

The pages keep the Content-Security-Policy: axe-core is added to each page as an init
script (through the DevTools protocol, which the policy does not govern), so no test needs
`bypass_csp` and a screen that breaks the policy fails its story.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.integration.browser import required_chromium
from tests.integration.conftest import REPO_ROOT, RunningHub

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
SCREENS = REPO_ROOT / "build" / "screens"
PHONE, DESKTOP = 360, 1280
HEIGHT = 800
FINAL_WITHIN_S = 30  # the closer runs every second; the grace is 2 s; two cores are shared
TIMEOUT_MS = 15_000  # two cores shared by the whole suite: generous, yet fails in seconds
BLOCKING_IMPACTS = ("serious", "critical")

_errors: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = required_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Browser, hub: RunningHub, width: int) -> Page:
    """A page of its own context (own session storage: nobody signed in), in French."""
    context = browser.new_context(
        base_url=hub.base_url,
        locale="fr-FR",
        viewport={"width": width, "height": HEIGHT},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(f"uncaught: {error}"))
    page.on("console", lambda message: _console(seen, message))
    _errors[page] = seen
    return page


def _console(seen: list[str], message: ConsoleMessage) -> None:
    # An API refusal is an answer the page shows, not an error of the page; a file of the
    # client the server does not have (a 404 outside /v1) is one.
    refused_by_api = message.text.startswith("Failed to load resource") and "/v1/" in str(
        message.location.get("url", "")
    )
    if message.type == "error" and not refused_by_api:
        seen.append(f"console: {message.text} ({message.location.get('url')})")


@pytest.fixture
def phone(browser: Browser, hub: RunningHub) -> Iterator[Page]:
    page = open_page(browser, hub, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def desktop(browser: Browser, hub: RunningHub) -> Iterator[Page]:
    page = open_page(browser, hub, DESKTOP)
    yield page
    page.context.close()


expect.set_options(timeout=TIMEOUT_MS)


def errors(page: Page) -> list[str]:
    return list(_errors.get(page, []))


def sign_in(page: Page, user: str) -> None:
    """Sign in as `user` with the local sign-in, which returns to `/` signed in."""
    page.goto(f"/dev/sign-in?as={quote(user)}")
    page.wait_for_url(re.compile(r"^[^?#]*://[^/]+/$"))
    navigation = page.get_by_role("navigation", name="Principal")
    expect(navigation.get_by_role("button", name="Se déconnecter")).to_be_visible()


def switch_to(page: Page, user: str) -> None:
    """Sign out whoever is signed in, then sign in as `user`."""
    navigation = page.get_by_role("navigation", name="Principal")
    if navigation.get_by_role("button", name="Se déconnecter").count():
        navigation.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, user)


def heading(page: Page, title: str | re.Pattern[str]) -> None:
    """The page has one level-1 heading, and it says `title`."""
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def check_axe(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, { resultTypes: ['violations'] })"
    )
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, "axe-core on {}:\n{}".format(
        page.url,
        "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in blocking
        ),
    )


def screenshot(page: Page, name: str) -> Path:
    """build/screens/<name>-<width>.png, the whole page."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENS / f"{name}-{width}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at this width"


def look(page: Page, name: str) -> None:
    """Every screen, at 360 px and at 1280 px: fits the phone, passes axe-core, and is
    photographed. The page is left at the width it had."""
    size = page.viewport_size or {"width": PHONE, "height": HEIGHT}
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        if width == PHONE:
            assert_no_horizontal_scroll(page)
        check_axe(page)
        screenshot(page, name)
    page.set_viewport_size(size)
    assert errors(page) == [], f"{page.url}: {errors(page)}"


def reload_until_final(page: Page, title: str) -> None:
    """Reload the debate `title` as a person would, once a second, until its results say
    "Définitif" (the closer's final count) or FINAL_WITHIN_S pass; the caller then checks."""
    deadline = time.monotonic() + FINAL_WITHIN_S
    while (
        not page.get_by_text("Définitif", exact=True).is_visible() and time.monotonic() < deadline
    ):
        time.sleep(1)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
