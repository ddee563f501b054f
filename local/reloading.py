"""What restarts the API under `make run`: a change to its code, and nothing else.

Chalice's autoreloader watches the whole project directory: it walked and stat()ed every
file under it once a second, the 22,000 of `.venv` included (a sixth of a core on an idle
`make run`), and restarted the API whenever any file was written, a test's output, a
build or the web client alike. `local/chalice_local.py` gives it this watcher instead,
which polls the files of the API's code only, about 100 of them:

- `app.py`, and `.chalice/config.json` (chalice reads the stage's settings at start);
- under `chalicelib/`, the modules, the message catalogues and the API reference's page
  and assets (`.py`, `.json`, `.html`, `.js`, `.css`; the app reads them once);
- `local/*.py`: the local front and gateway run inside `chalice local`.

Nothing else restarts it: `web/` is read from disk at each request (local/front.py),
`local/dev/` too; tests, `build/`, `.venv/`, hidden files and `__pycache__` are not the
API's. A file counts as changed when its modification time, size or inode differs (an
editor that saves by renaming a new file over the old one changes the inode).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from chalice.cli.filewatch import FileWatcher, WorkerProcess

log = logging.getLogger(__name__)  # not under "hub": chalice sets that one to ERROR

POLL_INTERVAL_S = 1.0  # as chalice's own stat() watcher
TOP_LEVEL = ("app.py", ".chalice/config.json")
CODE_DIRECTORY = "chalicelib"
CODE_SUFFIXES = frozenset({".py", ".json", ".html", ".js", ".css"})
LOCAL_DIRECTORY = "local"  # its modules only, not local/dev (served per request)

Signature = tuple[int, int, int]  # st_mtime_ns, st_size, st_ino


class CodeWatcher(FileWatcher):
    """Polls the API's code files under `root` every `interval_s` seconds."""

    def __init__(self, root: Path | str, interval_s: float = POLL_INTERVAL_S) -> None:
        self.root = Path(root)
        self.interval_s = interval_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = self._signatures()

    def files(self) -> Iterator[Path]:
        """The files whose change restarts the API."""
        for name in TOP_LEVEL:
            path = self.root / name
            if path.is_file():
                yield path
        for directory, subdirectories, names in os.walk(self.root / CODE_DIRECTORY):
            subdirectories[:] = [d for d in subdirectories if _is_code_name(d, directory=True)]
            for name in names:
                if _is_code_name(name) and Path(name).suffix in CODE_SUFFIXES:
                    yield Path(directory, name)
        local = self.root / LOCAL_DIRECTORY
        if local.is_dir():
            yield from (path for path in local.glob("*.py") if _is_code_name(path.name))

    def changed(self) -> bool:
        """Whether a code file was added, removed or modified since the last call (or since
        the watcher was made)."""
        now = self._signatures()
        if now == self._seen:
            return False
        differing = sorted(set(now.items()).symmetric_difference(self._seen.items()))
        log.info("%s changed: restarting the API.", differing[0][0].relative_to(self.root))
        self._seen = now
        return True

    def _signatures(self) -> dict[Path, Signature]:
        signatures = {}
        for path in self.files():
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile: absent, as it will be in the next pass
                continue
            signatures[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        return signatures

    # chalice's FileWatcher -------------------------------------------------------------------

    def watch_for_file_changes(self, root_dir: str, callback: Callable[[], None]) -> None:
        """Call `callback` once, from a daemon thread, at the first change of the code."""
        if Path(root_dir).resolve() != self.root.resolve():
            raise ValueError(f"this watcher watches {self.root}, not {root_dir}")
        self._thread = threading.Thread(
            target=self._poll, args=(callback,), name="hub-code-watcher", daemon=True
        )
        self._thread.start()

    def _poll(self, callback: Callable[[], None]) -> None:
        while not self._stopping.wait(self.interval_s):
            if self.changed():
                callback()
                return

    def stop(self) -> None:
        self._stopping.set()

    def stopped(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the watching thread to end; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True


def _is_code_name(name: str, *, directory: bool = False) -> bool:
    """Not hidden (editors' swap files), not a backup (`x.py~`), not `__pycache__`."""
    if name.startswith(".") or name.endswith("~"):
        return False
    return not (directory and name == "__pycache__")


class CodeWorkerProcess(WorkerProcess):
    """`chalice local`'s worker, restarted when the API's code changes (CodeWatcher)."""

    def _start_file_watcher(self, project_dir: str) -> None:
        CodeWatcher(project_dir).watch_for_file_changes(project_dir, self._restart_event.set)
