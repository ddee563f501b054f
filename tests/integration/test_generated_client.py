"""A client generated from the served OpenAPI document with openapi-python-client: small,
typed, with one error type, and it runs the story of a vote against the local Hub (group,
consultation, vote debate, publish, ballot, early close, final results), and a client's
screen (issue 14: a retried creation under one `Idempotency-Key`, a debate list with the
caller's ballot and `can_vote`, turnout, `GET`/`PATCH /v1/me`)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
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


def test_the_generated_client_carries_what_a_screen_needs(generated: Path) -> None:
    """Issue 14 as the generated code shows it: the fields a screen reads are typed
    attributes, the retry key a parameter, and who I am an operation."""
    models = load("models")

    def fields(model: type) -> set[str]:
        return {field.name for field in attrs.fields(model)}

    assert {"my_ballot", "can_vote", "show_turnout", "turnout"} <= fields(models.DebateOut)
    assert {"allowed", "reason"} <= fields(models.CanVoteOut)
    assert {"not_eligible", "already_voted", "not_open"} <= {
        reason.value for reason in models.CanVoteOutReason
    }
    assert "changed_at" in fields(models.BallotOut) & fields(models.CastBallotOut)
    assert "member_count" in fields(models.GroupOut) & fields(models.MyGroupOut)
    assert {"group", "debate_count", "scheduled_closes_at"} <= fields(models.ConsultationOut)
    assert {"id", "name"} <= fields(models.ConsultationHostOut)
    assert "author" in fields(models.ConsultationOut) & fields(models.DebateOut)
    assert {"id", "name"} <= fields(models.PersonOut)
    assert "final_expected_at" in fields(models.ResultsOut)
    assert {"display_name", "locale"} <= fields(models.MeUpdate)
    assert {"id", "display_name", "groups", "grants"} <= fields(models.MeOut)

    for operation in ("groups.create_group", "consultations.create_consultation"):
        sync = load(f"api.{operation}").sync
        assert "idempotency_key" in inspect.signature(sync).parameters, operation
    assert load("api.me.me").sync and load("api.me.update_me").sync


def test_a_screen_runs_with_the_generated_client(hub: RunningHub, generated: Path) -> None:
    """A phone's retried group creation, a debate list read through typed attributes, and
    the name a member chooses."""
    client = load("client")
    models = load("models")
    create_group = load("api.groups.create_group")
    get_group = load("api.groups.get_group")
    create_consultation = load("api.consultations.create_consultation")
    create_debate = load("api.debates.create_debate")
    list_debates = load("api.debates.list_debates")
    publish = load("api.consultations.publish_consultation")
    cast_ballot = load("api.ballots.cast_ballot")
    me = load("api.me.me")
    update_me = load("api.me.update_me")

    sub = f"phone-{uuid.uuid4().hex[:8]}"
    phone = client.AuthenticatedClient(
        base_url=hub.base_url, token=token(sub), raise_on_unexpected_status=True, timeout=10
    )

    # The same creation, retried under one key: one group, the same answer.
    key = str(uuid.uuid4())
    body = models.GroupCreate(name=f"Les Jardins {sub}")
    first = create_group.sync(client=phone, body=body, idempotency_key=key)
    again = create_group.sync(client=phone, body=body, idempotency_key=key)
    assert isinstance(first, models.GroupOut) and isinstance(again, models.GroupOut), again
    assert again.id == first.id and again.to_dict() == first.to_dict()
    reused = create_group.sync(
        client=phone, body=models.GroupCreate(name=f"Les Vergers {sub}"), idempotency_key=key
    )
    assert isinstance(reused, models.Error) and reused.error.code == "idempotency_key_reused"
    mine = me.sync(client=phone)
    assert isinstance(mine, models.MeOut), mine
    assert [(g.id, g.role.value, g.member_count) for g in mine.groups] == [(first.id, "admin", 1)]
    group = get_group.sync(first.id, client=phone)
    assert isinstance(group, models.GroupOut) and group.member_count == 1, group

    consultation = create_consultation.sync(
        first.id,
        client=phone,
        body=models.ConsultationCreate(
            title="Assemblée 2027",
            visibility=models.ConsultationVisibility.PUBLIC,
            closes_at=datetime.now(UTC) + timedelta(days=1),
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(consultation, models.ConsultationOut), consultation
    assert (consultation.group.id, consultation.group.name) == (first.id, first.name)
    voted = create_debate.sync(
        consultation.id,
        client=phone,
        body=models.DebateCreate(title="Budget", function=models.VoteDecision(type_="vote")),
    )
    untouched = create_debate.sync(
        consultation.id,
        client=phone,
        body=models.DebateCreate(title="Statuts", function=models.VoteDecision(type_="vote")),
    )
    assert isinstance(voted, models.DebateOut) and isinstance(untouched, models.DebateOut)
    opened = publish.sync(consultation.id, client=phone)
    assert isinstance(opened, models.ConsultationOut) and opened.debate_count == 2, opened
    cast = cast_ballot.sync(
        voted.id, client=phone, body=models.VoteBallot(choice=models.VoteBallotChoice.YES)
    )
    assert isinstance(cast, models.CastBallotOut) and cast.changed_at is None, cast

    page = list_debates.sync(consultation.id, client=phone)
    assert isinstance(page, models.DebatePage), page
    by_title = {item.title: item for item in page.items}
    budget, statutes = by_title["Budget"], by_title["Statuts"]
    assert isinstance(budget.my_ballot, models.BallotOut)
    assert budget.my_ballot.choice == models.BallotOutChoice.YES
    assert budget.can_vote.allowed is True
    assert statutes.my_ballot is None and statutes.can_vote.allowed is True
    assert budget.show_turnout is True  # public: on by default
    # Turnout comes from the running tally, which follows ballots within seconds.
    get_debate = load("api.debates.get_debate")
    deadline = time.monotonic() + 20
    while budget.turnout != 1 and time.monotonic() < deadline:
        time.sleep(0.5)
        budget = get_debate.sync(voted.id, client=phone)
        assert isinstance(budget, models.DebateOut), budget
    assert budget.turnout == 1

    # Who am I: the name chosen, read back.
    changed = update_me.sync(client=phone, body=models.MeUpdate(display_name="Alice M."))
    assert isinstance(changed, models.ProfileOut) and changed.display_name == "Alice M.", changed
    again_me = me.sync(client=phone)
    assert isinstance(again_me, models.MeOut) and again_me.display_name == "Alice M."
    assert again_me.id == sub
