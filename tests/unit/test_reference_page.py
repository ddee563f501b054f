"""The API reference page (GET /v1/docs): one self-contained HTML file.

It must work offline from the API itself: inline CSS and JavaScript, nothing fetched at run
time but the OpenAPI document, which it finds next to itself (/v1/docs -> /v1/openapi.json).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "chalicelib" / "api" / "reference.html"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Collects tags, attributes, script and style text; checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append("")
        if tag == "style":
            self.styles.append("")
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
        if self.open and self.open[-1] == "script":
            self.scripts[-1] += data
        if self.open and self.open[-1] == "style":
            self.styles[-1] += data


@pytest.fixture(scope="module")
def text() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(text: str) -> Page:
    parser = Page()
    parser.feed(text)
    parser.close()
    return parser


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


def test_css_and_javascript_are_inline_one_block_each(page: Page):
    assert len(page.scripts) == 1
    assert len(page.styles) == 1
    assert page.scripts[0].strip() and page.styles[0].strip()
    for tag, attrs in page.tags:
        assert not (tag == "script" and "src" in attrs), "no external script"
        if tag == "link":
            assert "stylesheet" not in (attrs.get("rel") or "").lower(), "no external stylesheet"


def test_nothing_is_loaded_from_elsewhere(text: str, page: Page):
    assert "http://" not in text
    assert "https://" not in text
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = (attrs.get(name) or "").strip()
            if value:
                assert not value.startswith("//"), f"<{tag} {name}={value!r}>"
                assert re.match(r"^(#|data:|[\w.-]+(\.json)?$)", value), f"<{tag} {name}={value!r}>"
    style = page.styles[0]
    assert "@import" not in style
    assert "url(" not in style, "no fonts or images from anywhere"
    script = page.scripts[0]
    assert not re.search(r"\bimport\s*\(|\bimport\s+[\w{*]", script), "no module imports"
    assert "importScripts" not in script
    assert "XMLHttpRequest" not in script
    assert "WebSocket" not in script


def test_the_openapi_document_is_fetched_relative_to_the_page(page: Page):
    script = page.scripts[0]
    assert 'new URL("openapi.json", location.href)' in script
    literals = re.findall(r"\"[^\"\n]*\"|'[^'\n]*'|`[^`]*`", script)
    mounted = [literal for literal in literals if "/openapi.json" in literal]
    assert mounted == [], "the page must not hard-code where it is mounted"
    fetches = re.findall(r"\bfetch\(([^,)]*)", script)
    assert fetches == ["url.href"], "exactly one fetch, of the resolved document URL"
    assert '.get("spec")' in script, "?spec=<url> overrides the document for local testing"


def test_document_text_never_becomes_markup(page: Page):
    script = page.scripts[0]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser"):
        assert sink not in script, sink
    assert not re.search(r"\beval\s*\(|new Function\b", script)
    assert "textContent" in script and "createElement" in script


def test_the_page_shows_what_a_client_developer_needs(page: Page):
    script = page.scripts[0]
    # deep links per operation, error codes from error bodies, optional tokens, schema links
    assert '"op-" + op.operationId' in script
    assert "properties.error" in script and "properties.code" in script
    assert "Token optional" in script and "Token required" in script and "No token needed" in script
    assert '"schema-"' in script and "#/components/schemas/" in script
    filter_inputs = [
        attrs for tag, attrs in page.tags if tag == "input" and attrs.get("id") == "filter"
    ]
    assert len(filter_inputs) == 1
    assert any(tag == "label" and attrs.get("for") == "filter" for tag, attrs in page.tags)
