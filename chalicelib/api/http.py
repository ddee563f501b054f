"""What every route shares: the caller, the JSON body, paging parameters and error bodies."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from chalice import Blueprint, Chalice, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.api import contract
from chalicelib.api.contract import Auth, Operation
from chalicelib.api.locale import ErrorResponse, detail_of
from chalicelib.auth import authenticate
from chalicelib.domain.errors import (
    Detail,
    DuplicateKey,
    HubError,
    InternalError,
    MalformedJson,
    MethodNotAllowed,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    detail,
    invalid,
)
from chalicelib.domain.ids import MAX_ID_BYTES, fits_in_key
from chalicelib.domain.model import Caller

log = logging.getLogger("hub.api")

Body = TypeVar("Body", bound=BaseModel)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def optional_caller(request: Request) -> Caller | None:
    """The verified caller, or None without a token. A token that is present but invalid
    is refused (401) even where anonymous reading would be allowed."""
    return authenticate(request.headers.get("authorization"))


def require_caller(request: Request) -> Caller:
    caller = optional_caller(request)
    if caller is None:
        raise Unauthenticated()
    return caller


def parse_body(
    request: Request, model: type[Body], invalid: type[ValidationFailed] = ValidationFailed
) -> Body:
    """Validate the JSON body: 400 when it is not JSON or names a key twice in an object,
    422 (`invalid`) naming each field."""
    raw = request.raw_body or b"{}"
    refuse_duplicate_keys(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise MalformedJson() from None
        raise invalid(details=field_details(error)) from None


class _Repeated(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Repeated()
    return dict(pairs)


def refuse_duplicate_keys(raw: bytes | str) -> None:
    """DuplicateKey (400) when an object of the JSON text names a key twice.

    Python's parsers keep the last value of a repeated key, others keep the first (a proxy,
    a log, another client): `{"role": "observer", "role": "admin"}` would mean different
    things to different readers. Whether the text is JSON at all is left to
    the model's parser, which answers `malformed_json`."""
    try:
        json.loads(raw, object_pairs_hook=_unique_keys)
    except _Repeated:
        raise DuplicateKey() from None
    except (ValueError, RecursionError):
        return


def field_details(error: ValidationError) -> list[Detail]:
    return [detail_of(problem) for problem in error.errors(include_url=False, include_input=False)]


def paging(request: Request) -> tuple[int, str | None]:
    """`?limit=` (1..100, default 20) and `?cursor=` from the query string."""
    params = request.query_params or {}
    raw_limit = params.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        # ASCII digits only: isdigit() alone takes superscripts and full-width digits too.
        if (
            not (raw_limit.isascii() and raw_limit.isdigit())
            or not 1 <= int(raw_limit) <= MAX_LIMIT
        ):
            raise invalid("limit", "out_of_range.limit", low=1, high=MAX_LIMIT)
        limit = int(raw_limit)
    return limit, params.get("cursor") or None


def page(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next": next_cursor}


def created(body: dict[str, Any]) -> Response:
    return Response(body=body, status_code=201)


def no_content() -> Response:
    return Response(body="", status_code=204)


def error_response(error: HubError, headers: dict[str, str] | None = None) -> Response:
    headers = dict(headers or {})
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return ErrorResponse(error, headers)


def decoded_path(params: dict[str, str]) -> dict[str, str]:
    """Path parameters as the caller meant them: percent-decoded once (UTF-8), each at most
    MAX_ID_BYTES bytes since ids become parts of keys. 422 naming each one that is not.

    API Gateway (REST), `chalice local` and Chalice's test client all hand the view the
    segment as the client sent it, still percent-encoded (`%C3%A9lodie`, `a%7Cb`): this is
    the one place it is decoded, so `%2541` is the id `%41`, never `A`."""
    decoded: dict[str, str] = {}
    problems: list[Detail] = []
    for name, raw in params.items():
        try:
            value = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            problems.append(detail(name, "invalid_encoding"))
            continue
        if not fits_in_key(value):
            problems.append(detail(name, "too_many_bytes", size=MAX_ID_BYTES))
            continue
        decoded[name] = value
    if problems:
        raise ValidationFailed(details=problems)
    return decoded


# Chalice answers some refusals itself, in its own shape: give them ours.
_CHALICE_ERRORS: dict[int, type[HubError]] = {
    400: MalformedJson,
    405: MethodNotAllowed,
    415: UnsupportedMediaType,
    500: InternalError,
}


def route(
    blueprint: Blueprint,
    path: str,
    methods: list[str],
    *,
    answers: dict[int, type[BaseModel] | None] | None = None,
    errors: tuple[type[HubError], ...] = (),
    auth: Auth = Auth.REQUIRED,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    paged: bool = False,
    media_type: str = "application/json",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`blueprint.route`, with the path parameters decoded (`decoded_path`), the Hub's
    refusals (HubError) answered as JSON errors, and the route's contract recorded for the
    OpenAPI document (chalicelib/api/contract.py): its `answers` by status, the refusals it
    adds to the shared ones (`errors`), who may call it, its body and query models, whether
    it pages."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def answer(**path_params: str) -> Any:
            try:
                return view(**decoded_path(path_params))
            except HubError as error:
                return error_response(error)

        blueprint.route(path, methods=methods)(answer)
        for method in methods:
            contract.register(
                Operation(
                    method=method,
                    path=path,
                    view=view,
                    auth=auth,
                    body=body,
                    query=query,
                    paged=paged,
                    answers=dict(answers or {}),
                    errors=errors,
                    media_type=media_type,
                )
            )
        return view

    return register


def install_error_handling(app: Chalice) -> None:
    """Every error leaves as `{"error": {"code", "message"}}`, never a stack trace."""

    @app.middleware("http")
    def json_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if isinstance(body, str) and response.status_code >= 400:
            try:
                body = json.loads(body)
            except ValueError:
                body = None
        if isinstance(body, dict) and "Code" in body and response.status_code in _CHALICE_ERRORS:
            headers = {k: v for k, v in response.headers.items() if k.lower() == "allow"}
            return error_response(_CHALICE_ERRORS[response.status_code](), headers)
        return response
