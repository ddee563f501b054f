"""The API's contract, declared where each route is registered, and the OpenAPI 3.1 document
generated from it.

`route()` (chalicelib/api/http.py) records an `Operation` per route: who may call it, its
request body and query parameters (pydantic models), its answers (pydantic models, by
status) and the refusals it may answer beyond the ones every route of its kind shares
(`shared_errors`). `document()` turns the registry into OpenAPI; nothing is written by hand.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from chalicelib.domain import errors
from chalicelib.domain.errors import HubError
from chalicelib.domain.ids import MAX_ID_BYTES

API_PREFIX = "/v1"
API_VERSION = "1.0.0"


class Auth(Enum):
    REQUIRED = "required"  # a valid bearer token, or 401
    OPTIONAL = "optional"  # anonymous callers see less; a token sent must be valid
    NONE = "none"  # no token is read


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as the blueprint registers it, without API_PREFIX
    view: Any
    auth: Auth
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    paged: bool
    answers: dict[int, type[BaseModel] | None]
    errors: tuple[type[HubError], ...]
    media_type: str = "application/json"
    examples: dict[str, Any] = field(default_factory=dict)
    idempotent: bool = False  # takes an Idempotency-Key (chalicelib/api/idempotency.py)
    content_types: tuple[str, ...] = ("application/json",)  # what Chalice accepts (else 415)
    formats: tuple[str, ...] = ()  # media types besides JSON its success may be sent in

    @property
    def full_path(self) -> str:
        return API_PREFIX + self.path

    @property
    def operation_id(self) -> str:
        return self.view.__name__

    @property
    def tag(self) -> str:
        return self.view.__module__.rsplit(".", 1)[-1]

    def all_errors(self) -> tuple[type[HubError], ...]:
        """Every refusal this operation may answer: its own and the shared ones."""
        found: dict[str, type[HubError]] = {}
        for error in (*self.errors, *shared_errors(self)):
            found.setdefault(error.code, error)
        return tuple(found.values())


OPERATIONS: list[Operation] = []


def register(operation: Operation) -> None:
    OPERATIONS.append(operation)


def every_operation() -> list[Operation]:
    """Every operation of the API. Route modules load on first use
    (chalicelib/api/routes.py): each is loaded first."""
    from chalicelib.api import routes  # imports the route modules, which import this one

    routes.load_all()
    return OPERATIONS


def shared_errors(operation: Operation) -> tuple[type[HubError], ...]:
    """What any route of this kind may answer, whatever it does."""
    shared: list[type[HubError]] = [errors.InternalError]
    if operation.auth is not Auth.NONE:
        # Every route that reads a token also reads the table, whose reads may be throttled.
        shared += [errors.Unauthenticated, errors.AuthUnavailable, errors.DatabaseBusy]
    if operation.body is not None:
        shared += [
            errors.MalformedJson,
            errors.DuplicateKey,
            errors.UnsupportedMediaType,
            errors.ValidationFailed,
        ]
    if re.search(r"{\w+}", operation.path):
        # Path parameters are decoded and bounded in size (chalicelib/api/http.py).
        shared.append(errors.ValidationFailed)
    if operation.query is not None or operation.paged or operation.formats:
        shared.append(errors.ValidationFailed)
    if operation.paged:
        shared.append(errors.InvalidCursor)
    if operation.idempotent:
        shared += [
            errors.InvalidIdempotencyKey,
            errors.IdempotencyKeyReused,
            errors.IdempotencyInProgress,
        ]
    return tuple(shared)


# ---------------------------------------------------------------- the document

_REF = "#/components/schemas/{model}"
_RESPONSE_REF = "#/components/responses/{name}"


class ErrorDetail(BaseModel):
    """One field the request got wrong."""

    # These models are only ever turned into JSON Schema (`document()`): built then.
    model_config = ConfigDict(defer_build=True)

    field: str
    code: str
    message: str


class ErrorInfo(BaseModel):
    """What went wrong: `code` is stable (clients switch on it), `message` is for people, in
    the language Accept-Language asks."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)  # sent only when there are some


class Error(BaseModel):
    """Every refusal the Hub answers, whatever its status."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    error: ErrorInfo


# The envelope is written once: each error status has one response in components/responses,
# which every operation answering that status refers to. Which codes an operation may answer
# is said in `x-error-codes`: on the shared response, the codes every operation answering
# that status may answer; on the operation, the rest of its own.
ERROR_CODES = "x-error-codes"
_ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    410: "Gone",
    415: "UnsupportedMediaType",
    422: "ValidationFailed",
    429: "TooManyRequests",
    500: "InternalError",
    503: "Unavailable",
}


def _refusals(op: Operation) -> dict[int, set[str]]:
    """The codes an operation may answer, by status."""
    by_status: dict[int, set[str]] = {}
    for error in op.all_errors():
        by_status.setdefault(error.status, set()).add(error.code)
    return by_status


def _common_refusals(operations: list[Operation]) -> dict[int, set[str]]:
    """By status, the codes that every operation answering that status may answer."""
    common: dict[int, set[str]] = {}
    for op in operations:
        for status, codes in _refusals(op).items():
            common[status] = common[status] & codes if status in common else set(codes)
    return common


def _error_responses(common: dict[int, set[str]]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, name in _ERROR_RESPONSES.items():
        if status not in common:
            continue
        responses[name] = {
            "description": _STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
        }
        waits = sorted(e.code for e in errors.refusals() if e.status == status and e.retry_after)
        if waits:
            responses[name]["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying: sent with "
                    + ", ".join(f"`{code}`" for code in waits)
                    + ".",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        if common[status]:
            responses[name][ERROR_CODES] = sorted(common[status])
    return responses


class _Schemas(GenerateJsonSchema):
    """JSON Schema as pydantic writes it, without a title on each property: the title would
    only repeat the property's name ("Created At" for `created_at`)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _paging_parameters() -> list[dict[str, Any]]:
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "How many items per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        },
        {
            "name": "cursor",
            "in": "query",
            "required": False,
            "description": (
                "The `next` of the previous page, as it came: opaque, and valid for this"
                " listing with the same query only (else 400 `invalid_cursor`: start over)."
            ),
            "schema": {"type": "string"},
        },
    ]


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF, schema_generator=_Schemas)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": prop.pop("description", ""),
            "schema": prop,
        }
        for name, prop in schema["properties"].items()
    ]


def _format_parameter(formats: tuple[str, ...]) -> dict[str, Any]:
    """`?format=`, for an operation whose success may come in other media types than JSON:
    each named by its subtype (`json`, `csv`)."""
    medias = ("application/json", *formats)
    names = [media.split("/", 1)[1] for media in medias]
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The answer's format: "
        + ", ".join(f"`{name}` ({media})" for name, media in zip(names, medias, strict=True))
        + ". Without it, the `Accept` header chooses (JSON when it names neither).",
        "schema": {"type": "string", "enum": names},
    }


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": 'Makes a retry safe (IETF draft "The Idempotency-Key HTTP Header '
    'Field"): the same request sent again with the same key within 24 hours is answered '
    "with the first answer (same status, same body), and nothing is created twice. A unique "
    "value per request (a UUID), 1 to 255 printable ASCII characters, bare or as a quoted "
    'string (`"abc"` is the key `abc`). The same key with another body or route answers '
    "422 `idempotency_key_reused`; while the first request is being processed, 409 "
    "`idempotency_in_progress`. Keys are per caller.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
        }
        for name in re.findall(r"{(\w+)}", path)
    ]


def _security(auth: Auth) -> list[dict[str, list[str]]]:
    return {
        Auth.REQUIRED: [{"bearer": []}],
        Auth.OPTIONAL: [{}, {"bearer": []}],
        Auth.NONE: [],
    }[auth]


def _describe(view: Any) -> tuple[str, str]:
    doc = inspect.getdoc(view) or view.__name__.replace("_", " ").capitalize() + "."
    summary, _, rest = doc.partition("\n\n")
    return " ".join(summary.split()), rest.strip()


def _operation(
    op: Operation, schemas: dict[str, Any], common: dict[int, set[str]]
) -> dict[str, Any]:
    summary, description = _describe(op.view)
    parameters = _path_parameters(op.path)
    if op.query is not None:
        parameters += _query_parameters(op.query, schemas)
    if op.paged:
        parameters += _paging_parameters()
    if op.formats:
        parameters.append(_format_parameter(op.formats))
    if op.idempotent:
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
    answer: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": summary,
        "security": _security(op.auth),
    }
    if parameters:
        answer["parameters"] = parameters
    answer["responses"] = {}
    if description:
        answer["description"] = description
    if op.body is not None:
        answer["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model=_name(op.body))}}
            },
        }
    for status, model in sorted(op.answers.items()):
        response: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "Success")}
        if model is not None:
            response["content"] = {op.media_type: {"schema": _answer_schema(model)}}
            if 200 <= status < 300:
                for media in op.formats:
                    text = media.startswith("text/")
                    schema = {"type": "string"} if text else {"type": "string", "format": "binary"}
                    response["content"][media] = {"schema": schema}
        elif op.media_type != "application/json":
            response["content"] = {op.media_type: {"schema": {"type": "string"}}}
        answer["responses"][str(status)] = response
    own: set[str] = set()
    for status, codes in sorted(_refusals(op).items()):
        answer["responses"][str(status)] = {
            "$ref": _RESPONSE_REF.format(name=_ERROR_RESPONSES[status])
        }
        own |= codes - common[status]
    if own:
        answer[ERROR_CODES] = sorted(own)
    return answer


class AnyJson(BaseModel):
    """Marks an answer whose body is any JSON object (the OpenAPI document itself)."""


def _answer_schema(model: type[BaseModel]) -> dict[str, Any]:
    if model is AnyJson:
        return {"type": "object"}
    return {"$ref": _REF.format(model=_name(model))}


def _name(model: type[BaseModel]) -> str:
    return model.__name__


_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: pending someone's decision",
    204: "Done; no content",
    400: "The request is malformed",
    401: "No valid bearer token",
    403: "Your role does not allow this",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state",
    410: "Gone",
    415: "Not JSON",
    422: "Some fields are not valid",
    429: "Too many for now: try again later",
    500: "A bug on our side",
    503: "Try again in a moment",
}


def _components(operations: list[Operation]) -> dict[str, Any]:
    """Every model the operations use, as JSON Schema 2020-12 under one namespace."""
    wanted: list[tuple[type[BaseModel], Any]] = [(Error, "serialization")]
    for op in operations:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        for model in op.answers.values():
            if model is not None and model is not AnyJson:
                wanted.append((model, "serialization"))
    unique = list(dict.fromkeys(wanted))
    _, top = models_json_schema(unique, ref_template=_REF, schema_generator=_Schemas)
    schemas: dict[str, Any] = top.get("$defs", {})
    for name, schema in schemas.items():
        if schema.get("title") == name:
            del schema["title"]  # the component's name says it
    return schemas


@cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route."""
    operations = sorted(every_operation(), key=lambda op: (op.full_path, op.method))
    schemas = _components(operations)
    common = _common_refusals(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.full_path, {})[op.method.lower()] = _operation(op, schemas, common)
    tags = sorted({op.tag for op in operations}, key=_TAG_ORDER.index)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "The Hub",
            "version": API_VERSION,
            "description": _DESCRIPTION.replace("{max_id_bytes}", str(MAX_ID_BYTES)),
        },
        "servers": [{"url": "..", "description": "This deployment (relative to this document)"}],
        "tags": [{"name": tag, "description": _tag_description(tag)} for tag in tags],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": _error_responses(common),
            "parameters": {"IdempotencyKey": _IDEMPOTENCY_KEY},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An access token from the city's identity provider "
                    "(OIDC; RS256 or ES256). Locally: `make token SUB=alice`.",
                }
            },
        },
    }


_TAG_ORDER = [
    "me",
    "privacy",
    "groups",
    "invitations",
    "consultations",
    "debates",
    "ballots",
    "proxies",
    "comments",
    "notifications",
    "reference",
]


def _tag_description(tag: str) -> str:
    module = sys.modules.get(f"chalicelib.api.{tag}")
    doc = inspect.getdoc(module) if module else None
    return " ".join((doc or "").partition("\n\n")[0].split())


_DESCRIPTION = """\
The Hub's JSON API: associations (groups), their members and roles, consultations and their \
debates, ballots (votes, polls, petitions), results, and deliberation (comments, reactions, \
flags, moderation).

Timestamps are ISO 8601 UTC. Path parameters are percent-encoded UTF-8, at most \
{max_id_bytes} bytes once decoded. Lists answer `{"items": [...], "next": "<cursor>"}`: pass \
`cursor` for the next page. Every refusal answers `{"error": {"code", "message", \
"details"?}}` (the `Error` schema); `code` is stable, `message` follows `Accept-Language` \
(French or English). The codes an operation may answer are its `x-error-codes` and those of \
the shared responses it refers to; a code always comes with the same status."""
