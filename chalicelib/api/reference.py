"""/v1/openapi.json and /v1/docs: the API's contract, for programs and for people."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.contract import AnyJson, Auth
from chalicelib.api.http import route

blueprint = Blueprint(__name__)

CACHED_FOR_FIVE_MINUTES = {"Cache-Control": "public, max-age=300"}

# The reference page and what it loads, all from this origin: nothing from elsewhere.
DOCS = Path(__file__).parent / "docs"
SWAGGER_UI = DOCS / "swagger-ui"  # vendored by `make vendor`, at the Makefile's version
HTML = "text/html"
JAVASCRIPT = "text/javascript"
CSS = "text/css"


@route(blueprint, "/openapi.json", ["GET"], auth=Auth.NONE, answers={200: AnyJson})
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of this API, generated from its code."""
    return Response(body=contract.document(), headers=CACHED_FOR_FIVE_MINUTES)


@route(blueprint, "/docs", ["GET"], auth=Auth.NONE, answers={200: None}, media_type=HTML)
def reference_page() -> Response:
    """The reference of this API, for a browser: Swagger UI rendering /v1/openapi.json, with
    "Try it out" against this deployment."""
    return _file(DOCS / "index.html", HTML)


@route(
    blueprint,
    "/docs/reference.js",
    ["GET"],
    auth=Auth.NONE,
    answers={200: None},
    media_type=JAVASCRIPT,
)
def reference_script() -> Response:
    """The reference page's script: it starts Swagger UI on /v1/openapi.json."""
    return _file(DOCS / "reference.js", JAVASCRIPT)


@route(
    blueprint,
    "/docs/swagger-ui-bundle.js",
    ["GET"],
    auth=Auth.NONE,
    answers={200: None},
    media_type=JAVASCRIPT,
)
def swagger_ui_script() -> Response:
    """Swagger UI (Apache-2.0; its licence and notices are in chalicelib/api/docs/swagger-ui)."""
    return _file(SWAGGER_UI / "swagger-ui-bundle.js", JAVASCRIPT)


@route(
    blueprint, "/docs/swagger-ui.css", ["GET"], auth=Auth.NONE, answers={200: None}, media_type=CSS
)
def swagger_ui_style() -> Response:
    """Swagger UI's style sheet."""
    return _file(SWAGGER_UI / "swagger-ui.css", CSS)


def _file(path: Path, media_type: str) -> Response:
    headers = {"Content-Type": f"{media_type}; charset=utf-8", **CACHED_FOR_FIVE_MINUTES}
    return Response(body=_read(path), headers=headers)


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
