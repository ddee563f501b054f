"""Each run of the closer prints one line: its metrics (EMF), what it moved."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from tests.api.helpers import create_consultation, create_group, moment, publish, travel
from tests.unit.test_telemetry import assert_valid_emf

GRACE = timedelta(seconds=60)  # the default HUB_CLOSE_GRACE_S


def closer_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [line for line in lines if line.get("message") == "closer run"]


def moved(line: dict[str, Any]) -> tuple[int, ...]:
    return tuple(
        line[name]
        for name in (
            "CloserRuns",
            "ConsultationsOpened",
            "ConsultationsClosed",
            "ConsultationsFinalised",
            "TallyMismatches",
        )
    )


def test_each_closer_run_prints_what_it_moved(as_user, capsys, monkeypatch):
    admin = as_user("admin")
    group_id = create_group(admin)
    scheduled = create_consultation(
        admin, group_id, opens_at=moment(timedelta(hours=1)), closes_at=moment(timedelta(hours=2))
    )["id"]
    voted = create_consultation(admin, group_id, closes_at=moment(timedelta(hours=2)))["id"]
    debate = admin.post(
        f"/v1/consultations/{voted}/debates", {"title": "Motion", "function": {"type": "vote"}}
    ).data["id"]
    publish(admin, scheduled)
    publish(admin, voted)
    # The stream is never read here: the running tally stays at 0, the recount finds 1.
    admin.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}, expect=201)
    capsys.readouterr()

    closer.close_due_consultations(clock.now())  # nothing due
    travel(monkeypatch, timedelta(hours=1))
    closer.close_due_consultations(clock.now())  # one opens
    travel(monkeypatch, timedelta(hours=1))
    closer.close_due_consultations(clock.now())  # both close
    travel(monkeypatch, GRACE)
    closer.close_due_consultations(clock.now())  # both finalised, one mismatch

    lines = closer_lines(capsys)
    assert [moved(line) for line in lines] == [
        (1, 0, 0, 0, 0),
        (1, 1, 0, 0, 0),
        (1, 0, 2, 0, 0),
        (1, 0, 0, 2, 1),
    ]
    for line in lines:
        assert line["level"] == "INFO"
        assert_valid_emf(line)
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert directive["Dimensions"] == [[]]
