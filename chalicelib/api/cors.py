"""Cross-origin requests: browsers may call the API from the web client's origins, and
from no other (`HUB_WEB_ORIGINS`, chalicelib/settings.py).

An answer to a listed `Origin` carries `Access-Control-Allow-Origin: <that origin>`; any
other origin gets no such header, so the browser keeps the answer from the page. Never `*`.
Every answer says `Vary: Origin`, since whether it carries the header depends on it.

Preflights (OPTIONS) never reach the function in the cloud: `make package` gives every path
a mock integration answering them (infra/package.py, from `preflight_headers`' values).
Locally, `chalice local` and Chalice's test client answer them themselves, without the app:
`answer_preflights_locally` makes them answer as the cloud does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalice import Chalice
from chalice.app import Request, Response

from chalicelib.api.headers import add_vary, header_value
from chalicelib.settings import get_settings

# What a web client sends beyond the CORS-safelisted headers.
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept-Language", "Idempotency-Key")
# What it may read of an answer beyond the safelisted ones.
EXPOSED_HEADERS = ("Content-Language", "Retry-After", "Allow")
MAX_AGE_S = 600  # how long a browser may reuse a preflight's answer


def allowed(origin: str | None, origins: Iterable[str]) -> bool:
    """Whether a request from `origin` may read the answer: one of `origins`, exactly."""
    return origin is not None and origin in tuple(origins)


def preflight_headers(origin: str | None, methods: Iterable[str], origins: Iterable[str]) -> dict:
    """The answer to a preflight from `origin` for a path serving `methods`."""
    headers = {
        "Access-Control-Allow-Methods": ",".join(sorted({*methods, "OPTIONS"})),
        "Access-Control-Allow-Headers": ",".join(ALLOWED_HEADERS),
        "Access-Control-Max-Age": str(MAX_AGE_S),
        "Vary": "Origin",
    }
    if allowed(origin, origins):
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def install_cors(app: Chalice) -> None:
    """Every answer of the app: `Vary: Origin`, and the CORS headers for a listed origin."""

    @app.middleware("http")
    def cross_origin(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        origin = header_value(getattr(event, "headers", None) or {}, "Origin")
        add_vary(response, "Origin")
        if allowed(origin, get_settings().web_origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = ",".join(EXPOSED_HEADERS)
        return response


def answer_preflights_locally() -> None:
    """Make `chalice local` and Chalice's test client answer preflights as the cloud's mock
    integrations do (they answer OPTIONS without the app, from a route's CORSConfig: the Hub
    has none, since Chalice's can only name one origin for everyone)."""
    from chalice import local

    def autogen_options_headers(gateway: Any, lambda_event: dict[str, Any]) -> dict:
        routes = gateway._app_object.routes[lambda_event["requestContext"]["resourcePath"]]
        origin = header_value(lambda_event.get("headers") or {}, "Origin")
        return preflight_headers(origin, routes, get_settings().web_origins)

    gateway = local.LocalGateway
    if getattr(gateway, "_hub_preflights", False):
        return
    handle_request = gateway.handle_request

    def handle(self: Any, method: str, path: str, headers: Any, body: Any) -> dict:
        answer = handle_request(self, method, path, headers, body)
        if answer.get("body") is None:  # a preflight: Chalice's test client wants a string
            answer["body"] = ""
        return answer

    gateway._autogen_options_headers = autogen_options_headers  # type: ignore[method-assign]
    gateway.handle_request = handle  # type: ignore[method-assign]
    gateway._hub_preflights = True  # type: ignore[attr-defined]
