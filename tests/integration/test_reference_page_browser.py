"""/v1/docs in a real (headless) browser, against the local Hub: Swagger UI renders every
operation of the document, loads nothing from anywhere but the API's origin, and its
"Try it out" sends an authorised request to the running API and shows the answer.

Needs Chromium (Debian: `apt-get install chromium-headless-shell`): fails without it, unless
HUB_SKIP_BROWSER_TESTS=1 skips it (tests/integration/browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.integration.browser import browser, required_chromium
from tests.integration.conftest import RunningHub, token

pytestmark = pytest.mark.integration

# Waits in the page for what a person would wait for, then presses what they would press.
TRY_IT = """(async () => {
  const wait = async (find, what) => {
    for (let i = 0; i < 300; i++) {
      const found = find();
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("timed out waiting for " + what);
  };
  await wait(() => window.ui && document.querySelectorAll(".opblock").length >= OPERATIONS,
             "every operation");
  const shown = document.querySelectorAll(".opblock").length;
  ui.preauthorizeApiKey("bearer", TOKEN);  // what the Authorize dialog does
  const op = await wait(() => document.getElementById("operations-me-me"), "GET /v1/me");
  op.querySelector(".opblock-summary-control").click();
  (await wait(() => op.querySelector(".try-out__btn"), "Try it out")).click();
  (await wait(() => op.querySelector("button.execute"), "Execute")).click();
  const status = await wait(
    () => op.querySelector(".live-responses-table tbody .response-col_status"), "the answer");
  return {
    shown,
    status: status.textContent.trim(),
    url: op.querySelector(".request-url pre").textContent,
    body: op.querySelector(".live-responses-table tbody .response-col_description pre")
      .textContent,
  };
})()"""


def test_the_reference_renders_offline_and_tries_a_request_against_the_api(
    hub: RunningHub, tmp_path: Path
) -> None:
    document = requests.get(f"{hub.base_url}/v1/openapi.json", timeout=10).json()
    operations = sum(len(item) for item in document["paths"].values())
    sub = "ada-reference"
    script = TRY_IT.replace("OPERATIONS", str(operations)).replace("TOKEN", json.dumps(token(sub)))
    binary = required_chromium()
    with browser(binary, tmp_path / "profile") as page:
        page.open(f"{hub.base_url}/v1/docs")
        tried = page.evaluate(script)
        requested = page.requested()
        errors = page.errors()

    assert tried["shown"] == operations
    assert tried["url"] == f"{hub.base_url}/v1/me"
    assert tried["status"] == "200"
    assert json.loads(tried["body"])["id"] == sub
    # Offline: the page, its two vendored files, its script, the document, the request tried
    # (and the style sheet's inline images).
    fetched = [url for url in requested if not url.startswith("data:")]
    assert sorted(fetched) == sorted(
        f"{hub.base_url}/v1/{path}"
        for path in (
            "docs",
            "docs/swagger-ui.css",
            "docs/swagger-ui-bundle.js",
            "docs/reference.js",
            "openapi.json",
            "me",
        )
    )
    assert errors == []
