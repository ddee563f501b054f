"""`chalice local`, with a listen backlog fit for many simultaneous clients.

Chalice's dev server keeps socketserver's default backlog of 5 pending connections: a
burst of simultaneous requests (a concurrency test, a room voting at once) gets connections
reset. API Gateway has no such limit; this brings the local server closer to it.

Chalice's autoreloader restarts its worker by running `sys.argv` as a program; here argv[0]
is this file, so the worker is started through this Python instead.
"""

import subprocess
import sys
from typing import Any

from chalice import local
from chalice.cli import main, reloader

local.ThreadedHTTPServer.request_queue_size = 256


def _start_parent_process(env: Any) -> None:
    def popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, *argv], **kwargs)

    reloader.ParentProcess(env, popen).main()


reloader.start_parent_process = _start_parent_process

if __name__ == "__main__":
    sys.exit(main())
