"""What every route shares: the caller, the JSON body, paging parameters and error bodies."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Blueprint, Chalice, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.api import contract
from chalicelib.api.contract import Auth, Operation
from chalicelib.auth import authenticate
from chalicelib.domain.errors import (
    HubError,
    InternalError,
    MalformedJson,
    MethodNotAllowed,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)
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
    """Validate the JSON body: 400 when it is not JSON, 422 (`invalid`) naming each field."""
    raw = request.raw_body or b"{}"
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise MalformedJson() from None
        raise invalid(details=field_details(error)) from None


def field_details(error: ValidationError) -> list[dict[str, str]]:
    details = []
    for problem in error.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in problem["loc"])
        details.append(
            {"field": location or "body", "code": problem["type"], "message": problem["msg"]}
        )
    return details


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
            raise ValidationFailed(
                details=[
                    {
                        "field": "limit",
                        "code": "out_of_range",
                        "message": f"limit must be a whole number from 1 to {MAX_LIMIT}",
                    }
                ]
            )
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
    return Response(body=error.body(), status_code=error.status, headers=headers)


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
    """`blueprint.route`, with the Hub's refusals (HubError) answered as JSON errors, and the
    route's contract recorded for the OpenAPI document (chalicelib/api/contract.py): its
    `answers` by status, the refusals it adds to the shared ones (`errors`), who may call it,
    its body and query models, whether it pages."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def answer(**path_params: str) -> Any:
            try:
                return view(**path_params)
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
