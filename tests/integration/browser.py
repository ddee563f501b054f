"""Headless Chromium driven over the DevTools protocol, with nothing but the standard library.

`chromium-headless-shell` (or `chromium`) from Debian. Tests that need it get it from
`required_chromium()`: without one they fail saying how to install it, unless
HUB_SKIP_BROWSER_TESTS=1 asks to skip them.
The protocol runs over the pipe Chromium opens with --remote-debugging-pipe: it reads JSON
messages from descriptor 3 and writes them to descriptor 4, each ended by a NUL byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BINARIES = ("chromium-headless-shell", "chromium", "chromium-browser")


def chromium() -> str | None:
    """The browser's path, or None where none is installed."""
    return next((path for name in BINARIES if (path := shutil.which(name))), None)


SKIP_SWITCH = "HUB_SKIP_BROWSER_TESTS"


def required_chromium() -> str:
    """The browser's path; a failure saying how to install one where none is (`make test`
    must not pass without its browser tests), or a skip when HUB_SKIP_BROWSER_TESTS=1."""
    if os.environ.get(SKIP_SWITCH) == "1":
        pytest.skip(f"{SKIP_SWITCH}=1: the browser tests are skipped on request")
    binary = chromium()
    if binary is None:
        pytest.fail(
            "The browser tests need Chromium: `apt-get install chromium-headless-shell` "
            f"(Debian; .ci/run installs it), or set {SKIP_SWITCH}=1 to skip them.",
            pytrace=False,
        )
    return binary


class Browser:
    """One page, its console and its network requests, as protocol events."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def fixed_descriptors() -> None:
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # as root, in a container
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=fixed_descriptors,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._last_id = 0
        self._session: str | None = None
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("the browser did not answer in time")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        """Call a protocol method and wait for its answer, keeping the events meanwhile."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params}
        if self._session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self._session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") != self._last_id:
                self.events.append(answer)
                continue
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Network", "Runtime", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", url=url)

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")

    def requested(self) -> list[str]:
        """Every URL the page asked for, in order."""
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event.get("method") == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[Any]:
        """Uncaught exceptions and console errors."""
        return [
            event["params"]
            for event in self.events
            if event.get("method") == "Runtime.exceptionThrown"
            or (
                event.get("method") == "Runtime.consoleAPICalled"
                and event["params"].get("type") == "error"
            )
        ]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._out)
        os.close(self._in)


@contextlib.contextmanager
def browser(binary: str, profile: Path) -> Iterator[Browser]:
    running = Browser(binary, profile)
    try:
        yield running
    finally:
        running.close()
