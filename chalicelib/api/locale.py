"""Error answers in the caller's language, French or English, chosen by `Accept-Language`.

Errors carry codes and parameters, never words (chalicelib/domain/errors.py); the words are
in the catalogues (chalicelib/messages/en.json, fr.json). This module chooses the language
of an answer, writes its error in that language, and turns pydantic's errors into the
Hub's field details (by their `type` and `ctx`, never by their English). Only `message`
fields change with the language: codes, fields and statuses never do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast, get_args

from chalice import Chalice, Response
from chalice.app import Request
from pydantic_core import ErrorDetails, PydanticCustomError

from chalicelib.api.headers import add_vary, header_key
from chalicelib.domain.errors import (
    DETAILS,
    PYDANTIC_TYPES,
    Detail,
    HubError,
    detail,
    detail_code,
)
from chalicelib.settings import Locale, get_settings

SUPPORTED: tuple[Locale, ...] = get_args(Locale)

# ---------------------------------------------------------------- choosing the language

# RFC 9110: a qvalue is 0 to 1 with at most three decimals; a language range is `*` or
# subtags of 1 to 8 letters or digits (`_` is tolerated for `-`), the first one letters only.
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
_RANGE = re.compile(r"\*|[a-z]{1,8}(-[a-z0-9]{1,8})*")


def choose_locale(header: str | None, default: Locale) -> Locale:
    """The language to answer in, from an `Accept-Language` header.

    Highest weight first, ties in the header's order; `fr-FR` counts as `fr`; `*` stands for
    any language not refused with `q=0`. Unsupported languages and unreadable entries are
    skipped, and when nothing is left the answer is `default`.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate((header or "").split(",")):
        tag, *params = (part.strip() for part in entry.split(";"))
        weight: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else None
        tag = tag.lower().replace("_", "-")
        if _RANGE.fullmatch(tag) and weight is not None:
            ranked.append((weight, position, tag.split("-")[0]))
    refused = {language for weight, _, language in ranked if weight == 0}
    for weight, _, language in sorted(ranked, key=lambda entry: (-entry[0], entry[1])):
        if weight == 0:
            break
        if language == "*":
            return next((name for name in (default, *SUPPORTED) if name not in refused), default)
        if language in SUPPORTED:
            return cast(Locale, language)
    return default


# ---------------------------------------------------------------- pydantic's errors

# The ctx entry that carries a Hub detail key through pydantic (see `refused_detail`).
_HUB_KEY = "hub_detail"


def refused_detail(key: str, **params: Any) -> PydanticCustomError:
    """The Hub's field detail `key` (DETAILS), raised inside a pydantic validator so that
    pydantic places it at its field with the others."""
    detail("", key, **params)  # the key and its parameters are declared
    return PydanticCustomError(detail_code(key), key, {_HUB_KEY: key, **params})


def detail_of(problem: ErrorDetails) -> Detail:
    """A pydantic error as the Hub's field detail: its code is pydantic's `type`, its message
    the catalogue's for that type, filled from `ctx`. A type the Hub does not declare
    (PYDANTIC_TYPES) keeps its code and says only that the value is not valid."""
    field = ".".join(str(part) for part in problem["loc"]) or "body"
    kind, ctx = problem["type"], problem.get("ctx") or {}
    key = ctx.get(_HUB_KEY)
    if isinstance(key, str) and key in DETAILS:
        params = {name: ctx[name] for name in DETAILS[key] if name in ctx}
        return Detail(field, kind, key, params)
    if kind not in PYDANTIC_TYPES:
        return Detail(field, kind, "invalid_value")
    params = {name: ctx[name] for name in PYDANTIC_TYPES[kind] if name in ctx}
    if kind == "string_too_short" and params.get("min_length") == 1:
        return Detail(field, kind, "string_too_short.empty", {})
    if isinstance(params.get("expected"), str):
        params["expected"] = _alternatives(params["expected"])
    return Detail(field, kind, kind, params)


def _alternatives(expected: str) -> list[str]:
    """The values pydantic's `ctx["expected"]` lists (`'a', 'b' or 'c'`), so that each
    language joins them with its own "or"."""
    head, _, last = expected.rpartition(" or ")
    return [*head.split(", "), last] if head else [expected]


# ---------------------------------------------------------------- answers


class ErrorResponse(Response):
    """An error answer that keeps its error, so that its words can be given in the caller's
    language once it is known (`install_locale`). Its body is in English until then."""

    def __init__(self, error: HubError, headers: dict[str, str] | None = None):
        super().__init__(body=error.body(), status_code=error.status, headers=headers)
        self.error = error


def install_locale(app: Chalice) -> None:
    """Every HTTP answer in the caller's language: errors written in it, `Content-Language`
    and `Vary: Accept-Language` set.

    Install it before `install_error_handling`: Chalice runs the middleware registered first
    outermost, and this one must see the errors that one makes of Chalice's own refusals."""

    @app.middleware("http")
    def localize(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        headers = getattr(event, "headers", None) or {}
        locale = choose_locale(headers.get("accept-language"), get_settings().default_locale)
        if isinstance(response, ErrorResponse):
            response.body = response.error.body(locale)
        if header_key(response.headers, "Content-Language") is None:
            response.headers["Content-Language"] = locale
        add_vary(response, "Accept-Language")
        return response
