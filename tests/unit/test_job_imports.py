"""A job's cold start imports only what the job uses (chalicelib/jobs/): no Chalice, no
route, no answer model, no body schema. Each module is imported in a fresh interpreter, as
Lambda does, with the cloud stage's settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.package import PACKAGING_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
CLOUD = PACKAGING_ENVIRONMENT  # the cloud stage's settings, as packaging imports the app
JOBS = ("chalicelib.jobs.count_ballots", "chalicelib.jobs.close_due_consultations")
# What the closer has loaded once a run found something due (chalicelib/services/closer.py).
CLOSER_RUN = (JOBS[1], "chalicelib.services.closing")


def fresh_python(script: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`script` run by a fresh interpreter with the cloud stage's settings (and `settings`)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ | CLOUD | settings,
        capture_output=True,
        text=True,
    )


def modules_after_importing(*modules: str) -> set[str]:
    script = f"import importlib, json, sys; [importlib.import_module(m) for m in {modules!r}]; "
    done = fresh_python(script + "print(json.dumps(sorted(sys.modules)))")
    done.check_returncode()
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("job", [(JOBS[0],), (JOBS[1],), CLOSER_RUN])
def test_a_job_imports_no_route_answer_schema_or_chalice(job):
    loaded = modules_after_importing(*job)

    assert set(job) <= loaded
    unwanted = {
        name
        for name in loaded
        if name in ("app", "chalice")
        or name.startswith(("chalice.", "chalicelib.api"))
        or name == "pydantic_settings"
    }
    assert unwanted == set()


def test_the_closer_does_not_load_the_tally_consumer_nor_the_consumer_the_closer():
    assert "chalicelib.jobs.count_ballots" not in modules_after_importing(JOBS[1])
    assert "chalicelib.jobs.close_due_consultations" not in modules_after_importing(JOBS[0])


def test_a_job_refuses_an_invalid_configuration_at_start():
    done = fresh_python(f"import {JOBS[1]}", HUB_CURSOR_SECRET="short")
    assert done.returncode != 0
    assert "HUB_CURSOR_SECRET" in done.stderr


def test_the_tally_consumer_loads_no_rule_of_the_domain_only_ballots_and_their_counts():
    # It reads ballots and adds them up: no consultation or permission to load; the errors
    # for DatabaseBusy only, which any DynamoDB call that cannot be served raises.
    loaded = modules_after_importing(JOBS[0])

    ours = {name for name in loaded if name.startswith("chalicelib.domain.")}
    assert ours == {
        "chalicelib.domain.ballot",
        "chalicelib.domain.clock",
        "chalicelib.domain.errors",
        "chalicelib.domain.tally",
    }


def test_the_closer_loads_no_access_rule_it_acts_for_no_caller():
    loaded = modules_after_importing(*CLOSER_RUN)

    assert "chalicelib.services.access" not in loaded
    assert "chalicelib.domain.permissions" not in loaded


def test_the_closer_cold_start_loads_the_due_index_not_what_closing_needs():
    # Nearly every run finds nothing due: closing.py and what it needs load with the first
    # run that finds something (chalicelib/services/closer.py).
    loaded = modules_after_importing(JOBS[1])

    assert "chalicelib.store.due" in loaded
    assert {
        "chalicelib.services.closing",
        "chalicelib.store.consultations",
        "chalicelib.store.ballots",
        "chalicelib.domain.model",
        "chalicelib.domain.outcomes",
    } & loaded == set()


@pytest.mark.parametrize("job", JOBS)
def test_from_its_cold_start_a_job_turns_an_unavailable_database_into_busy(job):
    # botocore reads its handlers when a model makes its client: the store's hooks must be
    # registered by then, whatever the job imports (chalicelib/store/busy.py).
    script = f"import {job}; from botocore.handlers import BUILTIN_HANDLERS; "
    script += "print([getattr(entry[1], '__name__', '') for entry in BUILTIN_HANDLERS])"
    done = fresh_python(script)
    done.check_returncode()
    assert "_busy_on_busy_answer" in done.stdout
    assert "_busy_on_no_answer" in done.stdout
