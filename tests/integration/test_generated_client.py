"""A client generated from the served OpenAPI document with openapi-python-client: small,
typed, with one error type, and it runs the story of a vote against the local Hub (group,
consultation, vote debate, publish, ballot, early close, final results)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from tests.integration.conftest import RunningHub, token

pytestmark = pytest.mark.integration

PACKAGE = "hub_client"
# The generator's formatting hooks (ruff) only make the code prettier: skipped.
CONFIG = "post_hooks: []\n"


@pytest.fixture(scope="module")
def generated(hub: RunningHub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package generated from what the Hub serves at /v1/openapi.json, importable."""
    where = tmp_path_factory.mktemp("generated")
    document = where / "openapi.json"
    served = requests.get(f"{hub.base_url}/v1/openapi.json", timeout=10)
    assert served.status_code == 200
    document.write_bytes(served.content)
    (where / "config.yaml").write_text(CONFIG)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(where / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(where / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # A warning means parts of the document were skipped: the client would be incomplete.
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield where / PACKAGE
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_generated_client_is_small_with_one_error_type(generated: Path) -> None:
    models = [path.stem for path in (generated / "models").glob("*.py") if path.stem != "__init__"]
    assert 0 < len(models) < 300, len(models)
    assert sorted(name for name in models if "error" in name) == [
        "error",
        "error_detail",
        "error_info",
    ]
    # Every operation answers its own model or that one Error.
    operations = list((generated / "api").glob("*/*.py"))
    assert len(operations) > 50
    for module in operations:
        text = module.read_text()
        if "def sync(" in text and "response_4" in text:
            assert "| Error" in text or "Error |" in text, module


def test_the_story_of_a_vote_runs_with_the_generated_client(
    hub: RunningHub, generated: Path
) -> None:
    client = load("client")
    models = load("models")
    api = "api"
    create_group = load(f"{api}.groups.create_group")
    create_consultation = load(f"{api}.consultations.create_consultation")
    create_debate = load(f"{api}.debates.create_debate")
    get_debate = load(f"{api}.debates.get_debate")
    publish = load(f"{api}.consultations.publish_consultation")
    close = load(f"{api}.consultations.close_consultation")
    cast_ballot = load(f"{api}.ballots.cast_ballot")
    get_results = load(f"{api}.ballots.get_results")

    sub = f"chair-{uuid.uuid4().hex[:8]}"
    chair = client.AuthenticatedClient(
        base_url=hub.base_url, token=token(sub), raise_on_unexpected_status=True, timeout=10
    )

    group = create_group.sync(client=chair, body=models.GroupCreate(name=f"AG {sub}"))
    assert isinstance(group, models.GroupOut), group
    consultation = create_consultation.sync(
        group.id,
        client=chair,
        body=models.ConsultationCreate(
            title="Budget 2027",
            visibility=models.ConsultationVisibility.MEMBERS,
            closes_at=datetime.now(UTC) + timedelta(days=1),
        ),
    )
    assert isinstance(consultation, models.ConsultationOut), consultation
    debate = create_debate.sync(
        consultation.id,
        client=chair,
        body=models.DebateCreate(
            title="Adopt the budget", function=models.VoteDecision(type_="vote")
        ),
    )
    assert isinstance(debate, models.DebateOut), debate
    opened = publish.sync(consultation.id, client=chair)
    assert isinstance(opened, models.ConsultationOut) and opened.status.value == "open", opened

    ballot = cast_ballot.sync(
        debate.id, client=chair, body=models.VoteBallot(choice=models.VoteBallotChoice.YES)
    )
    assert isinstance(ballot, models.CastBallotOut), ballot

    # A refusal is the one Error type, with its stable code.
    missing = get_debate.sync("no-such-debate", client=chair)
    assert isinstance(missing, models.Error), missing
    assert missing.error.code == "debate_not_found"

    closed = close.sync(
        consultation.id, client=chair, body=models.CloseRequest(reason="The assembly has voted")
    )
    assert isinstance(closed, models.ConsultationOut) and closed.status.value == "closed", closed

    # The runner's closer recounts a grace period (2 s here) after the close.
    results: Any = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        results = get_results.sync(debate.id, client=chair)
        if isinstance(results, models.ResultsOut) and results.final:
            break
        time.sleep(0.5)
    assert isinstance(results, models.ResultsOut) and results.final, results
    assert results.counts.to_dict() == {"yes": 1, "no": 0, "abstain": 0}
    assert results.total == 1
