"""`make run` restarts the API when its code changes, and only then (local/reloading.py).

The watcher is tested on a project of its own in a temporary directory: what a write in
each place of the tree does, as a developer (or a test run) would make it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from local.reloading import CodeWatcher

REPO_ROOT = Path(__file__).resolve().parents[2]

CODE = [
    "app.py",
    "chalicelib/__init__.py",
    "chalicelib/services/ballots.py",
    "chalicelib/messages/en.json",
    "chalicelib/messages/fr.json",
    "chalicelib/api/docs/index.html",
    "local/front.py",
    ".chalice/config.json",
]
NOT_CODE = [
    ".hub/state.json",
    "build/deployment.zip",
    "build/web/app.js",
    "tests/unit/test_something.py",
    ".pytest_cache/v/cache/lastfailed",
    "web/app.js",
    "web/i18n/fr.json",
    "docs/development.md",
    "local/dev/sign-in.html",
    "chalicelib/services/ballots.py~",
    "chalicelib/services/.ballots.py.swp",
    "chalicelib/api/docs/swagger-ui/LICENSE",
    "chalicelib/__pycache__/settings.cpython-312.pyc",
    "chalicelib/services/__pycache__/ballots.cpython-312.pyc",
    ".venv/lib/python3.12/site-packages/chalice/app.py",
    "notes.txt",
]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in CODE + NOT_CODE:
        write(tmp_path / name, "first version\n")
    return tmp_path


@pytest.mark.parametrize("name", CODE)
def test_an_edit_of_the_apis_code_restarts_it(project: Path, name: str) -> None:
    watcher = CodeWatcher(project)

    write(project / name, "second version, longer\n")

    assert watcher.changed()
    assert not watcher.changed()  # once seen, the change is not seen again


@pytest.mark.parametrize("name", NOT_CODE)
def test_a_write_anywhere_else_never_restarts_it(project: Path, name: str) -> None:
    watcher = CodeWatcher(project)

    write(project / name, "second version, longer\n")
    written = project / name
    write(written.with_stem(f"{written.stem}2"), "a new file beside it\n")

    assert not watcher.changed()


def test_a_new_module_restarts_it_and_so_does_a_removed_one(project: Path) -> None:
    watcher = CodeWatcher(project)

    write(project / "chalicelib/services/petitions.py", "new\n")
    assert watcher.changed()

    (project / "chalicelib/services/ballots.py").unlink()
    assert watcher.changed()


def test_a_file_replaced_by_a_rename_restarts_it(project: Path) -> None:
    """As editors save: a new file moved over the old one, maybe of the same size."""
    watcher = CodeWatcher(project)
    replacement = project / "chalicelib/.ballots.py.swp"
    write(replacement, "first version\n")
    os.replace(replacement, project / "chalicelib/services/ballots.py")

    assert watcher.changed()


def test_it_watches_the_apis_code_only_not_the_virtualenv(project: Path) -> None:
    watched = {path.relative_to(project).as_posix() for path in CodeWatcher(project).files()}

    assert watched == set(CODE)


def test_the_watching_thread_calls_back_on_a_change_and_stops(project: Path) -> None:
    watcher = CodeWatcher(project, interval_s=0.01)
    restart = threading.Event()
    watcher.watch_for_file_changes(str(project), restart.set)

    write(project / "build/web/app.js", "built again\n")
    assert not restart.wait(0.1)
    write(project / "chalicelib/services/ballots.py", "second version, longer\n")
    assert restart.wait(10)

    watcher.stop()
    assert watcher.stopped(10)


def test_chalice_local_restarts_its_worker_through_this_watcher() -> None:
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import local.chalice_local; from chalice.cli import reloader; "
            "print(reloader.get_best_worker_process().__name__)",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "CodeWorkerProcess"
