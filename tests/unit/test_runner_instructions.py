"""What `make run` prints once ready: every address on the ports it actually uses."""

from __future__ import annotations

import re

from local.runner import instructions, local_environment


def test_on_other_ports_every_address_and_command_names_them() -> None:
    shown = instructions(8300, 8301, "hub-local", None)

    ports = set(re.findall(r"127\.0\.0\.1:(\d+)", shown))
    assert ports == {"8300", "8301"}
    assert "http://127.0.0.1:8301 " in shown  # DynamoDB
    # `make token` prints a curl hint: on this port, it must be told which.
    assert "  HUB_API_PORT=8300 make token SUB=alice\n" in shown


def test_on_the_default_ports_make_token_needs_no_port() -> None:
    shown = instructions(8000, 8001, "hub-local", None)

    assert set(re.findall(r"127\.0\.0\.1:(\d+)", shown)) == {"8000", "8001"}
    assert "  make token SUB=alice\n" in shown
    assert "HUB_API_PORT" not in shown


def test_the_emails_sent_are_shown_where_they_are_and_their_links_lead_to_the_port_in_use():
    shown = instructions(8300, 8301, "hub-local", None, "/tmp/hub-outbox")
    assert "  Emails    http://127.0.0.1:8300/dev/outbox   each one also in /tmp/hub-outbox\n" in (
        shown
    )
    env = local_environment({}, 8301, 8300)
    assert env["HUB_WEB_URL"] == "http://127.0.0.1:8300"
    assert env["HUB_OUTBOX"].endswith("/.hub/outbox")
    assert local_environment({"HUB_OUTBOX": "/elsewhere"}, 8301, 8300)["HUB_OUTBOX"] == "/elsewhere"
