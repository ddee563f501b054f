"""The web client as a cheap phone meets it: `python -m bench.web` (make bench runs it).

Starts `make run DEMO=1` on free ports and drives Debian's headless Chromium (playwright,
`executable_path`) against it, then prints figures and asserts nothing:

- the first screen (`/`): what it loads from the origin, each file's size compressed (gzip,
  as a CDN serves it) and the total against issue 15's budget of 100 KB;
- first contentful paint and the time until the public consultations show, median of
  several fresh visits, on this machine and as a cheap phone on a slow network would
  (the CPU slowed 4x, 150 ms of latency, 1.6 Mbit/s down);
- the API requests each navigation makes, signed out and signed in.
"""

from __future__ import annotations

import gzip
import shutil
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, Page, sync_playwright

from bench.soak import Runner, running_hub

BUDGET = 100_000  # bytes compressed, the first screen's HTML, JS, CSS and catalogue
VISITS = 5
SQUARE = "Réaménagement du square"  # the demo's public consultation (local/demo.py)
PLAYGROUND = "Installer une aire de jeux"  # its vote debate
CHEAP_PHONE = {
    "cpu_slowdown": 4,
    "latency_ms": 150,
    "down_bps": 1_600_000 / 8,
    "up_bps": 750_000 / 8,
}


def chromium() -> str:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise SystemExit("no Chromium: apt-get install chromium-headless-shell")


def fresh_page(browser: Browser, runner: Runner, throttled: bool) -> Page:
    context = browser.new_context(
        base_url=runner.base_url, locale="fr-FR", viewport={"width": 360, "height": 800}
    )
    page = context.new_page()
    if throttled:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CHEAP_PHONE["cpu_slowdown"]})
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": CHEAP_PHONE["latency_ms"],
                "downloadThroughput": CHEAP_PHONE["down_bps"],
                "uploadThroughput": CHEAP_PHONE["up_bps"],
            },
        )
    return page


def first_screen_weight(browser: Browser, runner: Runner) -> None:
    page = fresh_page(browser, runner, throttled=False)
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto("/")
    page.get_by_role("link", name=SQUARE).wait_for()
    page.wait_for_load_state("networkidle")
    page.context.close()
    files = sorted({url for url in loaded if url.startswith(runner.base_url) and "/v1/" not in url})
    sizes = {
        url.removeprefix(runner.base_url): (
            len(body := requests.get(url, timeout=10).content),
            len(gzip.compress(body)),
        )
        for url in files
    }
    elsewhere = [url for url in loaded if not url.startswith((runner.base_url, "data:"))]
    total = sum(compressed for _, compressed in sizes.values())
    print(f"First screen (/): {len(sizes)} files from the origin, {len(elsewhere)} from elsewhere")
    for path, (raw, compressed) in sorted(sizes.items(), key=lambda item: -item[1][1]):
        print(f"  {compressed / 1000:6.1f} KB gzip  {raw / 1000:6.1f} KB  {path}")
    print(
        f"  {total / 1000:6.1f} KB compressed in all, "
        f"{100 * total / BUDGET:.0f}% of the 100 KB budget"
    )


def paint_times(browser: Browser, runner: Runner, throttled: bool) -> tuple[float, float]:
    """(first contentful paint, consultations shown) in ms, medians of VISITS fresh visits."""
    paints, shown = [], []
    for _ in range(VISITS):
        page = fresh_page(browser, runner, throttled)
        page.goto("/")
        page.get_by_role("link", name=SQUARE).wait_for()
        timings: dict[str, Any] = page.evaluate(
            """() => ({
                now: performance.now(),
                fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
            })"""
        )
        paints.append(timings["fcp"] or float("nan"))
        shown.append(timings["now"])
        page.context.close()
    return statistics.median(paints), statistics.median(shown)


def api_calls(page: Page, step: Callable[[], Any], heading: str) -> list[str]:
    """The API requests made from `step` until the screen titled `heading` has settled."""
    seen: list[str] = []

    def record(request: Any) -> None:
        if "/v1/" in request.url:
            seen.append(f"{request.method} {request.url.split('/v1', 1)[1].split('?')[0]}")

    page.on("request", record)
    step()
    page.get_by_role("heading", level=1, name=heading).wait_for()
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", record)
    return seen


def requests_per_navigation(browser: Browser, runner: Runner, signed_in: bool) -> None:
    page = fresh_page(browser, runner, throttled=False)
    if signed_in:
        page.goto("/dev/sign-in?as=demo-alice")
        page.wait_for_url(f"{runner.base_url}/")
    who = "signed in (demo-alice)" if signed_in else "signed out"
    print(f"API requests per navigation, {who}:")
    steps = [  # (name, what the person does, the heading of the screen it leads to)
        ("/ (home)", lambda: page.goto("/"), "Consultations ouvertes"),
        ("consultation", lambda: page.get_by_role("link", name=SQUARE).click(), SQUARE),
        ("debate", lambda: page.get_by_role("link", name=PLAYGROUND).click(), PLAYGROUND),
    ]
    for name, step, heading in steps:
        calls = api_calls(page, step, heading)
        print(f"  {len(calls)}  {name:<14} {', '.join(calls)}")
    page.context.close()


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_hub(Path(scratch) / "runner.log", "--demo") as runner,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium())
        try:
            first_screen_weight(browser, runner)
            for throttled, label in (
                (False, "this machine"),
                (True, "a cheap phone, slow network"),
            ):
                fcp, shown = paint_times(browser, runner, throttled)
                print(
                    f"/ on {label} (median of {VISITS}): first paint {fcp:.0f} ms, "
                    f"public consultations shown {shown:.0f} ms"
                )
            requests_per_navigation(browser, runner, signed_in=False)
            requests_per_navigation(browser, runner, signed_in=True)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
