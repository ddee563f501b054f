"""The API reference page (GET /v1/docs): Swagger UI, vendored at a pinned version, rendering
/v1/openapi.json from the API's own origin.

It must work offline from the API itself: the page loads its script and style sheet from
/v1/docs/..., nothing from elsewhere, no inline script (a Content-Security-Policy can then
forbid them), and finds the document next to itself (/v1/docs -> /v1/openapi.json).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "chalicelib" / "api" / "docs"  # served by chalicelib/api/reference.py
SWAGGER_UI = DOCS / "swagger-ui"
PAGE = DOCS / "index.html"
SCRIPT = DOCS / "reference.js"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Collects tags, attributes, script and style text; checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []
        self.inline: list[str] = []  # text inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.problems.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] in ("script", "style") and data.strip():
            self.inline.append(data)


@pytest.fixture(scope="module")
def text() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(text: str) -> Page:
    parser = Page()
    parser.feed(text)
    parser.close()
    return parser


def loaded(page: Page) -> list[str]:
    """What the page makes the browser fetch: scripts, style sheets, icons."""
    return [
        attrs.get("src") or attrs.get("href") or ""
        for tag, attrs in page.tags
        if tag == "script" or (tag == "link" and attrs.get("rel") in ("stylesheet", "icon"))
    ]


def test_the_page_is_a_complete_english_html_document(text: str, page: Page):
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert page.problems == []
    assert page.open == []
    tags = [tag for tag, _ in page.tags]
    assert tags.count("html") == tags.count("head") == tags.count("body") == 1
    html_attrs = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_attrs.get("lang") == "en"
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert any((attrs.get("charset") or "").lower() == "utf-8" for attrs in metas)
    assert any(attrs.get("name") == "viewport" for attrs in metas)
    assert tags.count("title") == 1
    assert tags.count("main") == 1


def test_no_inline_script_or_style(page: Page):
    assert page.inline == []
    for tag, attrs in page.tags:
        assert "style" not in attrs, f"<{tag} style=...>"
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> has an event handler"


def test_the_page_loads_only_its_own_files_from_its_own_origin(page: Page):
    """`docs/x` from /v1/docs is /v1/docs/x (tests/api/test_contract.py fetches each)."""
    wanted = loaded(page)
    assert wanted == [
        "data:,",
        "docs/swagger-ui.css",
        "docs/swagger-ui-bundle.js",
        "docs/reference.js",
    ]
    for url in wanted[1:]:
        name = url.removeprefix("docs/")
        assert (DOCS / name).is_file() or (SWAGGER_UI / name).is_file(), url
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = (attrs.get(name) or "").strip()
            assert not re.match(r"^(\w+:)?//", value), f"<{tag} {name}={value!r}>"


def test_the_script_renders_the_document_found_next_to_the_page_and_nothing_else():
    script = SCRIPT.read_text(encoding="utf-8")
    assert 'url: new URL("openapi.json", document.baseURI).href' in script
    literals = re.findall(r"\"[^\"\n]*\"|'[^'\n]*'|`[^`]*`", script)
    assert not [literal for literal in literals if "/" in literal or ":" in literal], (
        "no URL but the document's, and that one relative to the page"
    )
    # Swagger UI would otherwise send the document to a public validator for a badge.
    assert "validatorUrl: null" in script
    assert 'dom_id: "#reference"' in script
    # No ?url= or ?configUrl= from the address bar (Swagger UI's default, kept).
    assert "queryConfigEnabled" not in script
    assert not re.search(r"\bfetch\(|XMLHttpRequest|\beval\s*\(|new Function\b", script)


def test_swagger_ui_is_vendored_whole_at_the_makefiles_pinned_version():
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^SWAGGER_UI_VERSION\s*:=\s*(\S+)$", makefile, re.M)
    assert version, "the Makefile pins SWAGGER_UI_VERSION"
    vendored = SWAGGER_UI
    package = json.loads((vendored / "package.json").read_text())
    assert (package["name"], package["version"]) == ("swagger-ui-dist", version.group(1))
    assert "Apache License" in (vendored / "LICENSE").read_text()
    assert (vendored / "NOTICE").is_file()
    assert (vendored / "swagger-ui-bundle.js.LICENSE.txt").is_file()
    # Only what the page serves, and no source map.
    assert sorted(path.name for path in vendored.iterdir()) == [
        "LICENSE",
        "NOTICE",
        "package.json",
        "swagger-ui-bundle.js",
        "swagger-ui-bundle.js.LICENSE.txt",
        "swagger-ui.css",
    ]
