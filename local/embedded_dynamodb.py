"""The embedded DynamoDB: moto's server, answering one request at a time.

moto's backends are not safe under concurrent requests: a transaction snapshots the whole
table before it starts and, when a condition fails, restores that snapshot, undoing any
write another request made meanwhile. DynamoDB itself never does that. Serving requests
one at a time keeps the embedded DynamoDB linearizable, so concurrency tests against the
local runner test the Hub's conditions, not moto's thread safety.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def one_at_a_time(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))  # the body is built under the lock

    return serve


class EmbeddedDynamoDB(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
