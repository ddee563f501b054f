"""`chalice local`, with a listen backlog fit for many simultaneous clients, greedy routes
matched as API Gateway matches them (local/gateway.py), and the web client served on the
same origin, as the CDN serves it in the cloud (local/front.py).

Chalice's dev server keeps socketserver's default backlog of 5 pending connections: a
burst of simultaneous requests (a concurrency test, a room voting at once) gets connections
reset. API Gateway has no such limit; this brings the local server closer to it.

Chalice's autoreloader restarts its worker by running `sys.argv` as a program; here argv[0]
is this file, so the worker is started through this Python instead. It restarts it when
the API's code changes, and only then (local/reloading.py): chalice's own watcher stat()ed
every file of the project once a second, `.venv` included.
"""

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
from chalice import local
from chalice.cli import main, reloader

# Run as a script, this file has local/ on sys.path; chalice puts the project there only
# once it loads the app, after it chose its worker.
REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from local.reloading import CodeWorkerProcess  # noqa: E402

# `chalice local` logs at INFO to stdout, as Lambda would: its request lines and the app's
# own messages. Third parties' INFO lines said nothing to a developer at each start
# (pynamodb: "Override settings for pynamo not available ...", botocore: "Found credentials
# in environment variables."); their warnings still show.
for third_party in ("pynamodb", "botocore", "boto3", "urllib3"):
    logging.getLogger(third_party).setLevel(logging.WARNING)

local.ThreadedHTTPServer.request_queue_size = 256
POOL_CONNECTIONS = 256  # per model, to the embedded DynamoDB (botocore: 10): one per queued request


def connect_before_serving() -> None:
    """Create the DynamoDB clients before the first request, from one botocore session.

    Each PynamoDB model class (and the store's transaction connection) creates its botocore
    client on first use, from a botocore session of the calling thread. `chalice local`
    serves each request on a new thread: a burst of simultaneous first requests made one
    client per request and model (75 for 50 people arriving at once), each with a session
    and a service model of its own: seconds of CPU and hundreds of MiB the process then
    keeps. Lambda never sees this (one request at a time per container). Here the clients
    share one session, and a connection pool large enough for a room voting at once.
    """
    from chalicelib.store.table import every_connection

    session = botocore.session.get_session()
    for connection in every_connection():
        connection._local.session = session
        connection._max_pool_connections = POOL_CONNECTIONS
        connection.client  # noqa: B018 - the property creates the client


_serve_forever = local.LocalDevServer.serve_forever


def _connect_then_serve(self: local.LocalDevServer) -> None:
    # Imported once chalice has put the project on sys.path (this runs as a script).
    from local.front import serve_web_client
    from local.gateway import match_greedy_routes

    match_greedy_routes()  # `/{proxy+}` matches as in API Gateway (local/gateway.py)
    serve_web_client()  # every path outside /v1 is the web client's (local/front.py)
    connect_before_serving()
    _serve_forever(self)


local.LocalDevServer.serve_forever = _connect_then_serve  # type: ignore[method-assign]


def _start_parent_process(env: Any) -> None:
    def popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, *argv], **kwargs)

    reloader.ParentProcess(env, popen).main()


reloader.start_parent_process = _start_parent_process
reloader.get_best_worker_process = lambda: CodeWorkerProcess  # the API's code only

if __name__ == "__main__":
    sys.exit(main())
