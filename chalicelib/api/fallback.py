"""What answers a request no route declares: 405 `method_not_allowed` for a method a path
does not declare (with `Allow`), 404 `not_found` for a path nobody declares, in the Hub's
error shape and the caller's language, the same in the cloud, under `make run` and in the
test client.

API Gateway (REST) answers a resource/method pair it does not know itself, before any
function runs (its MISSING_AUTHENTICATION_TOKEN response: no language negotiation). So the
pairs are declared, and reach the function:
- each declared path gets the methods it does not declare, answering 405;
- each path that only leads to declared ones (`/`, `/v1`, `/v1/invitations`…) gets every
  method, answering 404;
- `/{proxy+}`, API Gateway's greedy path variable, gets every method, answering 404: a
  request no more specific resource matches. `chalice local` and its test client match a
  greedy variable as one segment only (chalice issues #2072, #2118): local/gateway.py makes
  them match as API Gateway does.

HEAD is answered as GET without its body wherever GET is declared (RFC 9110: monitors and
link checkers send it). OPTIONS is never declared here: it stays the CORS preflight API
Gateway (and `chalice local`) answer themselves. A method outside these (TRACE, CONNECT…)
gets Chalice's own 405, whose `Allow` is set to the path's declared methods too. None of
these views is an operation of the OpenAPI document: they are registered beside `route()`,
not through it.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice import Chalice, Response
from chalice.app import Request, RouteEntry

from chalicelib.api.http import error_response
from chalicelib.domain.errors import HubError, MethodNotAllowed, NotFound

# The methods a client may send that a path may not declare. OPTIONS is the preflight's.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
GREEDY = "/{proxy+}"
VIEW_NAMES = ("head", "method_not_allowed", "not_found")


def is_fallback(entry: RouteEntry) -> bool:
    """Whether a route of the app is one of these, not an operation of the API."""
    return entry.view_name in VIEW_NAMES


def _refusing(
    error: type[HubError], headers: dict[str, str] | None = None
) -> Callable[..., Response]:
    def refuse(**path_parameters: str) -> Response:  # whatever the path names: unread
        return error_response(error(), headers)

    return refuse


def _leading_paths(paths: set[str]) -> set[str]:
    """The paths that lead to declared ones without being declared: `/`, `/v1`…"""
    leading = {"/"}
    for path in paths:
        parts = path.strip("/").split("/")
        leading |= {"/" + "/".join(parts[:n]) for n in range(1, len(parts))}
    return leading - paths


def _without_body(get: Callable[..., Response]) -> Callable[..., Response]:
    """HEAD: what GET answers, headers and status, without the body."""

    def head(**path_parameters: str) -> Response:
        answer = get(**path_parameters)
        bodiless = Response(body="", headers=dict(answer.headers), status_code=answer.status_code)
        if hasattr(answer, "error"):  # a refusal keeps its code, for its request line
            bodiless.error = answer.error  # type: ignore[attr-defined]
        return bodiless

    return head


def _ordered(methods: list[str]) -> str:
    return ", ".join(sorted(methods, key=lambda m: METHODS.index(m) if m in METHODS else 99))


def install_fallbacks(app: Chalice) -> None:
    """Declare, on `app` whose routes are all registered, HEAD, the 405s and 404s above."""
    declared = {path: list(methods) for path, methods in app.routes.items()}
    allow: dict[str, str] = {}
    for path, methods in declared.items():
        if "GET" in methods and "HEAD" not in methods:
            get = app.routes[path]["GET"].view_function
            app.route(path, methods=["HEAD"], name="head")(_without_body(get))
            methods = [*methods, "HEAD"]
        allow[path] = _ordered(methods)
        missing = [method for method in METHODS if method not in methods]
        if missing:
            view = _refusing(MethodNotAllowed, {"Allow": allow[path]})
            app.route(path, methods=missing, name="method_not_allowed")(view)
    for path in [*sorted(_leading_paths(set(declared))), GREEDY]:
        app.route(path, methods=list(METHODS), name="not_found")(_refusing(NotFound))

    @app.middleware("http")
    def declared_allow(event: Request, get_response: Callable[[Request], Response]) -> Response:
        # Chalice's own 405 (a method outside METHODS) lists every route of the path,
        # fallbacks included: name only those the path declares.
        response = get_response(event)
        path = event.context.get("resourcePath") if event.context else None
        if response.status_code == 405 and path in allow:
            response.headers["Allow"] = allow[path]
        return response
