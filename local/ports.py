"""The local stack's ports: its defaults, and free loopback ports for starting runners side
by side (tests, benchmarks)."""

from __future__ import annotations

import contextlib
import socket

HOST = "127.0.0.1"
DEFAULT_API_PORT = 8000  # HUB_API_PORT
DEFAULT_DYNAMODB_PORT = 8001  # HUB_DYNAMODB_PORT


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on right now, all different (held open until all are chosen)."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]
