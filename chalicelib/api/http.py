"""What every route shares: its declaration (who may call it, its body, query and paging)
carried out before the view runs, its answer serialised after, and error bodies.

A view receives what its route declares, as keyword arguments: the decoded path
parameters, `caller` (unless `auth=Auth.NONE`), `body`, `query` and `paging` when declared.
It returns an answer model (sent with the route's one declared 2xx status), an
`Answered(status, model)` where the route declares several, or None for 204.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from chalice import Blueprint, Chalice, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.api import contract, idempotency
from chalicelib.api.contract import Auth, Operation
from chalicelib.api.locale import ErrorResponse, detail_of
from chalicelib.domain.errors import (
    BinaryNotAccepted,
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

if TYPE_CHECKING:  # only named in signatures here
    from chalicelib.domain.model import Caller

log = logging.getLogger("hub.api")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Paging:
    """`?limit=` (1..100, default 20) and `?cursor=`, for a route declared `paged=True`."""

    limit: int
    cursor: str | None


@dataclass(frozen=True)
class Answered:
    """An answer with its status, for a route that declares more than one success (200 or
    201 for an idempotent create, 201 or 202 for a join)."""

    status: int
    model: BaseModel


class RouteDeclarationError(TypeError):
    """A view that does not match its route's declaration: a programming error, raised when
    the module registering it is imported."""


def _caller(request: Request, auth: Auth) -> Caller | None:
    """The verified caller. A token that is present but invalid is refused (401) even where
    anonymous reading would be allowed."""
    from chalicelib.auth import authenticate  # on the first request: not a cold start's

    caller = authenticate(request.headers.get("authorization"))
    if caller is None and auth is Auth.REQUIRED:
        raise Unauthenticated()
    return caller


def _body(request: Request, model: type[BaseModel], invalid: type[ValidationFailed]) -> BaseModel:
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


def _query(request: Request, model: type[BaseModel]) -> BaseModel:
    """Validate the query string against its model (other parameters, such as paging's, are
    ignored): 422 naming each field."""
    try:
        return model.model_validate(dict(request.query_params or {}))
    except ValidationError as error:
        raise ValidationFailed(details=field_details(error)) from None


def _paging(request: Request) -> Paging:
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
    return Paging(limit, params.get("cursor") or None)


def _locale(request: Request) -> str:
    from chalicelib.api.locale import choose_locale
    from chalicelib.settings import get_settings

    return choose_locale(request.headers.get("accept-language"), get_settings().default_locale)


JSON = "application/json"


def _media_type(request: Request, formats: tuple[str, ...]) -> str:
    """The media type the caller asks the answer in, among JSON and `formats`: `?format=`
    names it by its subtype (`json`, `csv`; anything else is 422 naming `format`), else
    the `Accept` header's most wanted (equal weights: the first listed; nothing acceptable,
    or no header: JSON)."""
    offered = {media.split("/", 1)[1]: media for media in (JSON, *formats)}
    asked = (request.query_params or {}).get("format")
    if asked is not None:
        if asked not in offered:
            expected = " or ".join(f"'{name}'" for name in offered)
            raise invalid("format", "literal_error", expected=expected)
        return offered[asked]
    best, weight = JSON, 0.0
    for part in (request.headers.get("accept") or "").split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.strip().lower()
        if media in offered.values() and q > weight:
            best, weight = media, q
    return best


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


def _declared_arguments(
    path: str,
    auth: Auth,
    body: object,
    query: object,
    paged: bool,
    locale: bool = False,
    formats: tuple[str, ...] = (),
) -> set[str]:
    names = set(re.findall(r"{(\w+)}", path))
    for name, declared in (
        ("caller", auth is not Auth.NONE),
        ("body", body is not None),
        ("query", query is not None),
        ("paging", paged),
        ("locale", locale),
        ("media_type", bool(formats)),
    ):
        if declared:
            names.add(name)
    return names


def _check_view(view: Callable[..., Any], path: str, expected: set[str]) -> None:
    """The view asks for exactly what its route declares: no more (it would be read by hand
    beside the declaration), no less (the declaration would do work nobody uses)."""
    parameters = inspect.signature(view).parameters.values()
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        raise RouteDeclarationError(f"{view.__qualname__} ({path}): name each argument")
    asked = {p.name for p in parameters}
    if asked != expected:
        raise RouteDeclarationError(
            f"{view.__qualname__} ({path}) asks for {sorted(asked)}; its declaration gives "
            f"{sorted(expected)}"
            + (f" (missing {sorted(expected - asked)})" if expected - asked else "")
            + (f" (undeclared {sorted(asked - expected)})" if asked - expected else "")
        )


def _respond(
    result: Any, answers: dict[int, type[BaseModel] | None], view: Callable[..., Any]
) -> Response:
    """The view's answer as a response: its model serialised by pydantic, with the status
    its declaration gives. Keys an answer leaves unset (`absent_unless`) stay absent."""
    if isinstance(result, Response):  # documents served as they are (chalicelib/api/reference.py)
        return result
    if result is None:
        status, model = 204, None
    elif isinstance(result, Answered):
        status, model = result.status, result.model
    else:
        successes = [status for status in answers if 200 <= status < 300]
        status, model = (successes[0] if len(successes) == 1 else 0), result
    if status not in answers or (
        model is not None and not isinstance(model, answers[status] or ())
    ):
        raise TypeError(f"{view.__qualname__} answered {status} {type(model).__name__}")
    if model is None:
        return Response(body="", status_code=204)
    # A dict, not text: Chalice serialises it as every answer always was (ASCII-escaped).
    return Response(body=model.model_dump(mode="json", exclude_unset=True), status_code=status)


def route(
    blueprint: Blueprint,
    path: str,
    methods: list[str],
    *,
    answers: dict[int, type[BaseModel] | None] | None = None,
    errors: tuple[type[HubError], ...] = (),
    auth: Auth = Auth.REQUIRED,
    body: type[BaseModel] | None = None,
    invalid: type[ValidationFailed] = ValidationFailed,
    query: type[BaseModel] | None = None,
    paged: bool = False,
    media_type: str = "application/json",
    content_types: tuple[str, ...] = ("application/json",),
    locale: bool = False,
    formats: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view on `blueprint` and carry out its declaration on every call.

    Before the view runs: the path parameters are decoded (`decoded_path`); `auth` is
    checked (REQUIRED: a verified `caller` or 401; OPTIONAL: `caller` or None, an invalid
    token still 401; NONE: no token read); the JSON `body` is validated (400 malformed or
    duplicate keys, 422 `invalid` naming each field); the `query` model is validated (422);
    `paged` gives `paging`. Each comes to the view as the keyword argument of that name, and
    the view must ask for exactly those (checked here, at import); `locale=True` also
    gives `locale`, the language negotiated from Accept-Language (chalicelib/api/locale.py);
    `formats` (other media types its success may be sent in, e.g. `("text/csv",)`) gives
    `media_type`, chosen by `?format=` or `Accept` (`_media_type`): the view answers a
    `chalice.Response` in that type, or its model for JSON.
    `content_types`: the request media types Chalice accepts (others: 415). After it: its answer
    (see `_respond`). Any HubError is answered as the Hub's JSON error.

    The declaration is also the route's contract in the OpenAPI document
    (chalicelib/api/contract.py): its `answers` by status, the refusals it adds to the
    shared ones (`errors`), who may call it, its body and query models, whether it pages."""
    declared_answers = dict(answers or {})
    # Every creating POST takes an Idempotency-Key (chalicelib/api/idempotency.py).
    idempotent = idempotency.creates(methods, declared_answers)

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        _check_view(
            view, path, _declared_arguments(path, auth, body, query, paged, locale, formats)
        )
        if idempotent and auth is not Auth.REQUIRED:
            raise RouteDeclarationError(
                f"{view.__qualname__} ({path}): a creating POST has a caller"
            )

        @functools.wraps(view)
        def answer(**path_params: str) -> Any:
            try:
                params = decoded_path(path_params)
                arguments: dict[str, Any] = dict(params)
                request = blueprint.current_request
                if auth is not Auth.NONE:
                    arguments["caller"] = _caller(request, auth)
                if body is not None:
                    arguments["body"] = _body(request, body, invalid)
                if query is not None:
                    arguments["query"] = _query(request, query)
                if paged:
                    arguments["paging"] = _paging(request)
                if locale:
                    arguments["locale"] = _locale(request)
                if formats:
                    arguments["media_type"] = _media_type(request, formats)
                if idempotent:
                    return idempotency.answer_once(
                        request,
                        arguments["caller"],
                        path,
                        params,
                        lambda: _respond(view(**arguments), declared_answers, view),
                    )
                return _respond(view(**arguments), declared_answers, view)
            except HubError as error:
                return error_response(error)

        blueprint.route(path, methods=methods, content_types=list(content_types))(answer)
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
                    answers=declared_answers,
                    errors=errors,
                    media_type=media_type,
                    idempotent=idempotent,
                    content_types=content_types,
                    formats=formats,
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
            error = _CHALICE_ERRORS[response.status_code]()
            if response.status_code == 400 and "Accept header" in str(body.get("Message")):
                error = BinaryNotAccepted()  # a file for a request that does not accept it
            return error_response(error, headers)
        return response
