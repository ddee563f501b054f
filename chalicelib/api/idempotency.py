"""The `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header Field") on every
route that creates: a POST that may answer 201. `route()` (chalicelib/api/http.py) applies it;
the decisions are chalicelib/services/idempotency.py's.

- The key: the header's value, as the draft writes it (a Structured Field String, in double
  quotes, `\\"` and `\\\\` escaped) or bare as many clients send it; 1 to 255 printable ASCII
  characters once unquoted, or 400 `invalid_idempotency_key`. `"abc"` and `abc` are one key.
- The request it stands for (its fingerprint): the method, the route, the decoded path
  parameters and the body as canonical JSON (keys sorted, no spaces, strings unescaped), so
  a client that serialises the same body differently is still sending the same request.
  A body that is not JSON (only on routes that take none) counts by its bytes.
- Without the header nothing changes, and no DynamoDB call is added.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from chalice import Response
from chalice.app import Request

from chalicelib.domain.errors import HubError, InvalidIdempotencyKey

if TYPE_CHECKING:  # only named in signatures here
    from chalicelib.domain.model import Caller

log = logging.getLogger("hub.api")

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def creates(methods: list[str], answers: Mapping[int, Any]) -> bool:
    """Whether a route is idempotent under a key: every POST that may answer 201 (Created).
    A rule, not a flag, so that no creating route can be declared without it."""
    return "POST" in methods and 201 in answers


def _printable(text: str) -> bool:
    return all(" " <= character <= "~" for character in text)


def _unquoted(value: str) -> str:
    """An sf-string (RFC 8941, 4.2.5) as its characters; InvalidIdempotencyKey when it is
    not one (no closing quote, another escape than \\" or \\\\, anything after it)."""
    characters: list[str] = []
    rest = iter(value[1:])
    for character in rest:
        if character == "\\":
            escaped = next(rest, "")
            if escaped not in ('"', "\\"):
                raise InvalidIdempotencyKey()
            characters.append(escaped)
        elif character == '"':
            if next(rest, None) is not None:
                raise InvalidIdempotencyKey()
            return "".join(characters)
        else:
            characters.append(character)
    raise InvalidIdempotencyKey()


def key_of(headers: Mapping[str, str]) -> str | None:
    """The request's Idempotency-Key; None when it sends none."""
    raw = headers.get(HEADER.lower())
    if raw is None:
        return None
    value = raw.strip(" \t")
    if value.startswith('"'):
        value = _unquoted(value)
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not _printable(value):
        raise InvalidIdempotencyKey()
    return value


def fingerprint(method: str, route: str, params: Mapping[str, str], raw_body: bytes) -> str:
    """What the request is, as a sha256: the same request sent again has the same one. No
    body and `{}` are one request (routes read both as no fields); a body that is not JSON,
    or that cannot be written back canonically (a lone surrogate, deep nesting), counts by
    its bytes."""
    head = [method, route, dict(sorted(params.items()))]
    try:
        body: Any = json.loads(raw_body) if raw_body.strip() else {}
        canonical = json.dumps(
            [*head, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError):
        canonical = json.dumps([*head, raw_body.hex()], sort_keys=True).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def answer_once(
    request: Request,
    caller: Caller,
    route: str,
    params: Mapping[str, str],
    respond: Callable[[], Response],
) -> Response:
    """`respond()`, once per caller and key: the same request again gets the first answer
    (status and body), without doing anything twice."""
    key = key_of(request.headers)
    if key is None:
        return respond()
    # The store behind the keys, on the first request sending one: not a cold start's.
    from chalicelib.services import idempotency

    method = request.method.upper()
    seen = fingerprint(method, route, params, request.raw_body or b"")
    first = idempotency.claim(caller, key, seen)
    if first is not None:
        return Response(
            body=json.loads(cast(str, first.answer)), status_code=cast(int, first.status)
        )
    try:
        response = respond()
    except HubError:
        # A refusal writes nothing: give the key back, so that a corrected request may use it.
        _quietly(idempotency.release, caller, key, seen)
        raise
    # Kept only if this succeeds; otherwise the key stays claimed until it expires (a retry
    # answers 409), which never repeats a write that was made.
    answer = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
    _quietly(idempotency.remember, caller, key, seen, response.status_code, answer)
    return response


def _quietly(step: Callable[..., None], *arguments: Any) -> None:
    """A bookkeeping write that must not change the answer: the request's own outcome is
    what the caller needs to hear, whatever befalls the key's record (DynamoDB busy, an
    answer over DynamoDB's 400 KB item limit...). The key then stays claimed until it
    expires: a retry answers 409, and never does the work twice."""
    try:
        step(*arguments)
    except Exception:  # the answer is already decided: log, never fail it
        log.warning("idempotency: %s failed", step.__name__, exc_info=True)
