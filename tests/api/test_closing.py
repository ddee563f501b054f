"""Opening and closing on schedule, closing early, and the final recount."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from chalicelib.store import ballots as ballot_store
from chalicelib.store import consultations as consultation_store
from chalicelib.store import keys
from tests.api.helpers import (
    add_member,
    audit_actions,
    create_consultation,
    create_group,
    dynamodb_requests,
    moment,
    publish,
    travel,
)

GRACE = timedelta(seconds=60)  # the default HUB_CLOSE_GRACE_S


@pytest.fixture
def club(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club")
    users = {"admin": admin}
    for sub in ("alice", "bob", "carol"):
        users[sub] = add_member(as_user, admin, group_id, sub, "participant")
    return group_id, users


def consultation_with(admin, group_id, function, **fields):
    c = create_consultation(admin, group_id, **fields)
    debate = admin.post(
        f"/v1/consultations/{c['id']}/debates", {"title": "Motion", "function": function}
    ).data["id"]
    return c["id"], debate


def run_closer():
    return closer.close_due_consultations(clock.now())


def state_of(consultation_id):
    c = consultation_store.get_consultation(consultation_id, consistent=True)
    return (c.phase, c.due_at, c.finalised_at, c.version)


def test_a_scheduled_consultation_opens_closes_and_is_finalised_by_the_closer(
    club, monkeypatch, drain
):
    group_id, users = club
    admin, alice = users["admin"], users["alice"]
    cid, debate = consultation_with(
        admin,
        group_id,
        {"type": "vote", "quorum": 2},
        opens_at=moment(timedelta(hours=1)),
        closes_at=moment(timedelta(hours=2)),
    )
    assert publish(admin, cid)["status"] == "scheduled"
    assert run_closer() == 0  # nothing due yet

    travel(monkeypatch, timedelta(hours=1))
    assert run_closer() == 1
    assert admin.get(f"/v1/consultations/{cid}").data["status"] == "open"
    for voter, choice in (("alice", "yes"), ("bob", "yes"), ("carol", "no")):
        assert (
            users[voter].put(f"/v1/debates/{debate}/ballot", {"choice": choice}).status_code == 201
        )
    drain()

    travel(monkeypatch, timedelta(hours=1))
    assert run_closer() == 1  # closed, not yet final
    between = alice.get(f"/v1/debates/{debate}/results").data
    assert between["final"] is False

    travel(monkeypatch, GRACE)
    assert run_closer() == 1
    final = alice.get(f"/v1/debates/{debate}/results").data
    assert final["final"] is True
    assert final["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert final["outcome"]["result"] == "adopted"
    assert final["tally_mismatch"] is None
    assert admin.get(f"/v1/consultations/{cid}").data["finalised_at"] is not None
    actions = audit_actions(admin, group_id)
    assert actions[-3:] == ["consultation_opened", "consultation_closed", "consultation_finalised"]


def test_running_the_closer_twice_changes_nothing_the_second_time(club, monkeypatch):
    group_id, users = club
    cid, _ = consultation_with(users["admin"], group_id, {"type": "vote"})
    publish(users["admin"], cid)
    travel(monkeypatch, timedelta(days=7) + GRACE)
    assert run_closer() == 2  # closed, then finalised
    settled = state_of(cid)
    events = audit_actions(users["admin"], group_id)
    assert run_closer() == 0
    assert state_of(cid) == settled
    assert audit_actions(users["admin"], group_id) == events


def test_two_closers_at_once_record_each_event_once(club, monkeypatch):
    """The race is forced: a second closer runs whole inside the first one's first write."""
    group_id, users = club
    cid, debate = consultation_with(users["admin"], group_id, {"type": "vote"})
    publish(users["admin"], cid)
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    travel(monkeypatch, timedelta(days=7) + GRACE)
    real_save = consultation_store.save_consultation
    raced = []

    def save_after_a_rival(before, after, events, **kw):
        if not raced:
            raced.append(True)
            run_closer()
        return real_save(before, after, events, **kw)

    monkeypatch.setattr(consultation_store, "save_consultation", save_after_a_rival)
    run_closer()
    actions = audit_actions(users["admin"], group_id)
    assert actions.count("consultation_closed") == 1
    assert actions.count("consultation_finalised") == 1
    assert users["bob"].get(f"/v1/debates/{debate}/results").data["counts"]["no"] == 1


def test_a_ballot_accepted_before_closing_but_written_after_is_counted(club, monkeypatch, drain):
    group_id, users = club
    admin = users["admin"]
    cid, debate = consultation_with(admin, group_id, {"type": "vote"})
    publish(admin, cid)
    closes = travel(monkeypatch, timedelta(days=7) - timedelta(seconds=1))
    real_cast = ballot_store.cast_first

    def slow_write(debate_, voter, ballot, now):
        # accepted at closes - 1 s; the write lands after the closer closed the consultation
        travel(monkeypatch, timedelta(seconds=2))
        assert run_closer() == 1
        return real_cast(debate_, voter, ballot, now)

    monkeypatch.setattr(ballot_store, "cast_first", slow_write)
    assert users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201
    monkeypatch.setattr(ballot_store, "cast_first", real_cast)
    late = users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    assert (late.status_code, late.data["error"]["code"]) == (409, "consultation_closed")
    drain()
    monkeypatch.setattr(clock, "now", lambda: closes + timedelta(seconds=2) + GRACE)
    assert run_closer() == 1
    final = users["carol"].get(f"/v1/debates/{debate}/results").data
    assert (final["final"], final["counts"]["yes"], final["counts"]["no"]) == (True, 1, 0)


def test_only_an_open_consultation_closes_early(club, monkeypatch):
    """Closing early one scheduled to open later is 409 `not_open`: it has not opened;
    closing again one already closed is 409 `consultation_closed`."""
    group_id, users = club
    admin = users["admin"]
    later, _ = consultation_with(
        admin, group_id, {"type": "vote"}, opens_at=moment(timedelta(hours=1))
    )
    publish(admin, later)
    refused = admin.post(f"/v1/consultations/{later}/close", {"reason": "AG"})
    assert (refused.status_code, refused.data["error"]["code"]) == (409, "not_open")
    travel(monkeypatch, timedelta(days=8))
    closed = admin.post(f"/v1/consultations/{later}/close", {"reason": "AG"})
    assert (closed.status_code, closed.data["error"]["code"]) == (409, "consultation_closed")


def test_an_admin_closes_early_with_a_reason_and_ballots_stop(club, monkeypatch):
    group_id, users = club
    admin, alice = users["admin"], users["alice"]
    cid, debate = consultation_with(admin, group_id, {"type": "vote"})
    publish(admin, cid)
    refused = alice.post(f"/v1/consultations/{cid}/close", {"reason": "no"})
    assert refused.status_code == 403
    missing = admin.post(f"/v1/consultations/{cid}/close", {})
    assert (missing.status_code, missing.data["error"]["details"][0]["field"]) == (422, "reason")
    closed = admin.post(f"/v1/consultations/{cid}/close", {"reason": "Quorum atteint hors ligne"})
    assert closed.status_code == 200
    assert closed.data["status"] == "closed"
    stopped = alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert (stopped.status_code, stopped.data["error"]["code"]) == (409, "consultation_closed")
    again = admin.post(f"/v1/consultations/{cid}/close", {"reason": "twice"})
    assert (again.status_code, again.data["error"]["code"]) == (409, "consultation_closed")
    events = admin.get(f"/v1/groups/{group_id}/audit").data["items"]
    closing_event = next(e for e in events if e["action"] == "consultation_closed")
    assert closing_event["actor"]["id"] == "admin"
    assert closing_event["details"]["reason"] == "Quorum atteint hors ligne"
    travel(monkeypatch, GRACE)
    assert run_closer() == 1
    assert alice.get(f"/v1/debates/{debate}/results").data["final"] is True


def test_a_mismatch_between_tally_and_recount_is_kept_visible(club, monkeypatch):
    group_id, users = club
    cid, debate = consultation_with(users["admin"], group_id, {"type": "vote"})
    publish(users["admin"], cid)
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    # the stream is never consumed: the running tally stays at zero
    travel(monkeypatch, timedelta(days=7) + GRACE)
    run_closer()
    final = users["bob"].get(f"/v1/debates/{debate}/results").data
    assert final["counts"]["yes"] == 1
    assert final["tally_mismatch"] == {"counts": {"yes": 0, "no": 0, "abstain": 0}, "total": 0}
    assert "tally_mismatch" in audit_actions(users["admin"], group_id)


def test_final_results_show_to_every_reader_whatever_the_visibility(club, monkeypatch, drain):
    group_id, users = club
    admin = users["admin"]
    cid, debate = consultation_with(admin, group_id, {"type": "vote"})  # after_close
    publish(admin, cid)
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    drain()
    assert users["bob"].get(f"/v1/debates/{debate}/results").status_code == 403
    travel(monkeypatch, timedelta(days=7) + GRACE)
    run_closer()
    assert users["bob"].get(f"/v1/debates/{debate}/results").data["final"] is True


def test_a_secret_poll_voter_finds_their_receipt_counted_after_the_close(
    club, monkeypatch, as_user
):
    group_id, users = club
    admin = users["admin"]
    poll = {"type": "poll", "options": ["Oui", "Non"], "secret": True}
    cid, debate = consultation_with(admin, group_id, poll)
    publish(admin, cid)
    receipt = (
        users["alice"].put(f"/v1/debates/{debate}/ballot", {"choices": ["o2"]}).data["receipt"]
    )
    users["bob"].put(f"/v1/debates/{debate}/ballot", {"choices": ["o1"]})
    early = users["alice"].get(f"/v1/debates/{debate}/receipts/{receipt}")
    assert (early.status_code, early.data["error"]["code"]) == (403, "results_hidden")
    travel(monkeypatch, timedelta(days=7) + GRACE)
    run_closer()
    checked = users["alice"].get(f"/v1/debates/{debate}/receipts/{receipt}")
    assert checked.status_code == 200
    assert (checked.data["counted"], checked.data["choices"]) == (True, ["o2"])
    unknown = users["alice"].get(f"/v1/debates/{debate}/receipts/{'x' * 22}")
    assert (unknown.status_code, unknown.data["error"]["code"]) == (404, "receipt_not_found")
    board = users["carol"].get(f"/v1/debates/{debate}/ballots").data["items"]
    assert sorted(b["choices"][0] for b in board) == ["o1", "o2"]
    assert all(set(b) == {"receipt", "choices"} for b in board)
    assert receipt in [b["receipt"] for b in board]


def test_the_closer_reads_what_is_due_and_never_what_merely_exists(club):
    """The closer Queries the sparse `due` index with a key condition bounded by now, so
    what it reads grows with what is due, never with how many consultations exist: shown
    on 3 due among 23, by the recorded requests and what DynamoDB examined for them. It
    asks first for one item (is anything due?), then reads them all."""
    from chalicelib.domain.model import (
        Consultation,
        ConsultationVisibility,
        Participation,
        Phase,
    )
    from chalicelib.store.consultations import _consultation_item
    from chalicelib.store.models.consultations import ConsultationItem

    group_id, _ = club
    now = clock.now()

    def bulk(prefix, count, closes_in):
        """Open consultations written straight to the table, closing at now + closes_in."""
        with ConsultationItem.batch_write() as batch:
            for n in range(count):
                consultation = Consultation(
                    id=f"{prefix}{n:011d}",
                    group_id=group_id,
                    title=f"C{n}",
                    description="",
                    visibility=ConsultationVisibility.MEMBERS,
                    audience=(),
                    participation=Participation.MEMBERS,
                    opens_at=None,
                    closes_at=now + closes_in,
                    created_at=now,
                    created_by="admin",
                    published_at=now,
                    phase=Phase.OPEN,
                    due_at=now + closes_in,
                )
                batch.save(_consultation_item(consultation))

    bulk("d", 3, timedelta(minutes=30))  # due within the hour
    bulk("f", 20, timedelta(days=30))  # in the index too, but due later
    run_at = now + timedelta(hours=1)
    with dynamodb_requests() as requests:
        assert closer.close_due_consultations(run_at) == 3 * 2  # each closed, then finalised

    assert "Scan" not in {r.operation for r in requests}
    [check, due] = [r for r in requests if r.params.get("IndexName") == "due"]
    for query in (check, due):
        assert query.operation == "Query"
        assert query.key_condition() == {
            ("due_pk", "=", keys.DUE),
            ("due_at", "<=", clock.to_iso(run_at)),
        }
        assert "FilterExpression" not in query.params  # a filter would read first, then drop
    assert check.params["Limit"] == 1
    assert check.response["ScannedCount"] == check.response["Count"] == 1
    assert due.response["ScannedCount"] == due.response["Count"] == 3
    # Then only the due consultations' own partitions (their debates), one Query each at most.
    others = [r for r in requests if r.operation == "Query" and r not in (check, due)]
    assert len(others) <= 3 * 2
    assert {r.partition() for r in others} <= {f"CONSULT#d{n:011d}" for n in range(3)}


def test_a_run_with_nothing_due_asks_the_due_index_for_one_item_and_reads_nothing_else(club):
    """Nearly every run finds nothing due: it costs one Query of one item at most."""
    group_id, users = club
    cid, _ = consultation_with(
        users["admin"], group_id, {"type": "vote"}, closes_at=moment(timedelta(days=30))
    )
    publish(users["admin"], cid)  # in the due index, due in 30 days

    with dynamodb_requests() as requests:
        assert run_closer() == 0

    [check] = requests
    assert (check.operation, check.params["IndexName"], check.params["Limit"]) == (
        "Query",
        "due",
        1,
    )
    assert check.response["Count"] == 0
