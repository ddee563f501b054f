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


@route(blueprint, "/openapi.json", ["GET"], auth=Auth.NONE, answers={200: AnyJson})
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of this API, generated from its code."""
    return Response(body=contract.document(), headers=CACHED_FOR_FIVE_MINUTES)


@route(
    blueprint,
    "/docs",
    ["GET"],
    auth=Auth.NONE,
    answers={200: None},
    media_type="text/html",
)
def reference_page() -> Response:
    """A readable reference of this API, for a browser (it renders /v1/openapi.json)."""
    headers = {"Content-Type": "text/html; charset=utf-8", **CACHED_FOR_FIVE_MINUTES}
    return Response(body=_page(), headers=headers)


@cache
def _page() -> str:
    return (Path(__file__).parent / "reference.html").read_text(encoding="utf-8")
