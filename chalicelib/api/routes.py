"""The API's route modules, each loaded on the first request that needs it.

Importing every route module (its views, the answer and body models, the services and the
store behind them) costs a cold start more than the rest of the app together, and a request
needs one of them. So app.py imports none: `install(app)` gives every route of the index
(routes.json) a placeholder under API_PREFIX, with the path, method, name and Chalice
settings of the real one, so that Chalice, its 405s and the fallbacks
(chalicelib/api/fallback.py) see the API whole from the start. The first request to a
route of a module imports the module and puts its blueprint in place of its placeholders
(`load`); every later request goes straight to the view.

The declarations stay the decorators (`route()`, chalicelib/api/http.py): routes.json is
generated from them (`make openapi`, `render(declared())`), and tests/api/test_routes.py
fails when the committed file differs. Whatever needs every operation (the OpenAPI
document, `make package`) calls `load_all()` first.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.api.contract import API_PREFIX
from chalicelib.api.http import error_response
from chalicelib.domain.errors import InternalError

# The route modules of chalicelib/api, in the order their blueprints are registered.
MODULES = (
    "groups",
    "me",
    "privacy",
    "invitations",
    "consultations",
    "debates",
    "ballots",
    "proxies",
    "comments",
    "notifications",
    "reference",
)
INDEX = Path(__file__).with_name("routes.json")

# A route of the index: [method, path without API_PREFIX, the view's name], and the request
# media types Chalice accepts when they are not JSON's alone.
Index = dict[str, list[list[Any]]]
JSON_ONLY = ("application/json",)


def _module(name: str) -> str:
    return f"chalicelib.api.{name}"


def _full_path(path: str) -> str:
    """The path under API_PREFIX, joined as Chalice joins a blueprint's `url_prefix`."""
    return "/".join([API_PREFIX.rstrip("/"), path.strip("/")]).rstrip("/")


def index() -> Index:
    """The committed index: by route module, the routes it declares."""
    return json.loads(INDEX.read_text(encoding="utf-8"))


def declared() -> Index:
    """The index as the route modules declare it, every one of them imported."""
    from chalicelib.api import contract

    found: Index = {name: [] for name in MODULES}
    for op in contract.every_operation():
        module = op.view.__module__.removeprefix("chalicelib.api.")
        if module not in found:
            raise ValueError(f"{op.view.__module__} declares routes: add it to routes.MODULES")
        declared_route: list[Any] = [op.method, op.path, op.view.__name__]
        if tuple(op.content_types) != JSON_ONLY:
            declared_route.append(list(op.content_types))
        found[module].append(declared_route)
    return found


def render(routes: Index) -> str:
    """routes.json's exact text: one line per route, a final newline."""
    modules = [
        f"  {json.dumps(name)}: [\n"
        + ",\n".join(f"    {json.dumps(route, ensure_ascii=False)}" for route in declared)
        + "\n  ]"
        for name, declared in routes.items()
    ]
    return "{\n" + ",\n".join(modules) + "\n}\n"


class _LazyRoutes:
    """The placeholders of one app, and the loading of the modules behind them."""

    def __init__(self, app: Chalice, routes: Index):
        self.app = app
        # `chalice local` answers requests on threads: one module is loaded at a time.
        self.lock = threading.Lock()
        self.loaded: set[str] = set()
        self.placeholders: dict[str, list[tuple[str, str]]] = {}
        self.owners: dict[tuple[str, str], str] = {}
        for name, declared in routes.items():
            for method, path, view_name, *accepted in declared:
                full = _full_path(path)
                content_types = accepted[0] if accepted else list(JSON_ONLY)
                app.route(full, methods=[method], name=view_name, content_types=content_types)(
                    self._placeholder(name, full, method)
                )
                self.placeholders.setdefault(name, []).append((full, method))
                self.owners[full, method] = name

    def _placeholder(self, name: str, path: str, method: str) -> Callable[..., Response]:
        def placeholder(**path_parameters: str) -> Response:
            # A request loads the module before Chalice looks its route up (`install`):
            # this one loads it only when another view calls it first (HEAD's, which
            # answers as GET: chalicelib/api/fallback.py).
            self.load(name)
            return self.app.routes[path][method].view_function(**path_parameters)

        return placeholder

    def owner(self, path: str | None, method: str) -> str | None:
        """The route module that answers `method` on `path` (HEAD: GET's), if any."""
        if method == "HEAD" and (path, method) not in self.owners:
            method = "GET"
        return self.owners.get((path or "", method))

    def load(self, name: str) -> None:
        """Import the route module `name` and register its blueprint in place of its
        placeholders. The app's routes stay in their order (so does what `make package`
        writes of them). One module loads at a time: a request for a module that is already
        loaded never waits."""
        if name in self.loaded:
            return
        with self.lock:
            if name in self.loaded:
                return
            module = importlib.import_module(_module(name))
            routes = self.app.routes
            placeholders = self.placeholders.get(name, [])
            before = {path: list(routes[path]) for path, _ in placeholders}
            for path, method in placeholders:
                del routes[path][method]  # Chalice refuses a method registered twice
            self.app.register_blueprint(module.blueprint, url_prefix=API_PREFIX)
            for path, order in before.items():  # each path's methods in their order again
                now = routes[path]
                ranked = sorted(now, key=lambda m: order.index(m) if m in order else len(order))
                routes[path] = {method: now[method] for method in ranked}
            self.loaded.add(name)


_lazy: _LazyRoutes | None = None


def install(app: Chalice) -> None:
    """Give `app` a placeholder for every route of the index, and load a route's module
    before Chalice looks the route up.

    Loading in a middleware, before the lookup, means no request ever finds a module's
    routes while they are being replaced (other threads wait for the lock instead)."""
    global _lazy
    lazy = _lazy = _LazyRoutes(app, index())

    @app.middleware("http")
    def load_route(event: Request, get_response: Callable[[Request], Response]) -> Response:
        path = event.context.get("resourcePath") if event.context else None
        name = lazy.owner(path, event.method)
        if name is not None:
            try:
                lazy.load(name)
            except Exception:
                # Answered here, as a view's error is, so that the middleware around it
                # (CORS, language, no-store) completes the answer; the request's log line
                # holds the stack (chalicelib/telemetry.py). The next request tries again.
                app.log.exception("route module %s failed to load", name)
                return error_response(InternalError())
        return get_response(event)


def load_all() -> None:
    """Import every route module (each registers its operations in the contract), and put
    each blueprint in place of its placeholders on the installed app, if any."""
    for name in MODULES:
        if _lazy is not None:
            _lazy.load(name)
        else:
            importlib.import_module(_module(name))
