"""Plain domain rules: roles order, invitations' validity, ids, time format."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chalicelib.domain import clock
from chalicelib.domain.ballots import looks_like_receipt, new_receipt
from chalicelib.domain.groups import Invitation, InvitationStatus, Membership
from chalicelib.domain.ids import looks_like_code, looks_like_id, new_code, new_id
from chalicelib.domain.roles import Role


def test_roles_are_ordered_observer_to_admin():
    assert [r.value for r in sorted(Role, key=lambda r: r.rank)] == [
        "observer",
        "participant",
        "author",
        "moderator",
        "admin",
    ]
    assert Role.ADMIN.at_least(Role.MODERATOR)
    assert not Role.PARTICIPANT.at_least(Role.AUTHOR)


def _invitation(max_uses, uses, expires_in):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    return now, Invitation(
        code="c" * 22,
        group_id="g",
        role=Role.PARTICIPANT,
        max_uses=max_uses,
        uses=uses,
        expires_at=now + expires_in,
        created_at=now,
        created_by="admin",
    )


def test_an_invitation_is_usable_until_its_uses_run_out():
    now, inv = _invitation(max_uses=2, uses=1, expires_in=timedelta(hours=1))
    assert inv.usable_at(now)
    now, inv = _invitation(max_uses=2, uses=2, expires_in=timedelta(hours=1))
    assert not inv.usable_at(now)


def test_an_invitation_without_a_use_limit_is_usable_until_it_expires():
    now, inv = _invitation(max_uses=None, uses=500, expires_in=timedelta(seconds=1))
    assert inv.usable_at(now)
    assert not inv.usable_at(now + timedelta(seconds=1))


def _creator(role, joined_at=datetime(2026, 1, 1, tzinfo=UTC)):
    return Membership("g", "admin", "Admin", role, joined_at)


def test_an_invitation_admits_only_while_its_creator_holds_its_role_or_higher():
    now, inv = _invitation(max_uses=None, uses=0, expires_in=timedelta(hours=1))
    assert inv.status_at(now, _creator(Role.ADMIN)) is InvitationStatus.USABLE
    assert inv.status_at(now, _creator(Role.PARTICIPANT)) is InvitationStatus.USABLE
    assert inv.status_at(now, _creator(Role.OBSERVER)) is InvitationStatus.VOID
    assert inv.status_at(now, None) is InvitationStatus.VOID  # the creator left
    admin_code = replace(inv, role=Role.ADMIN)
    assert admin_code.backing_roles == (Role.ADMIN,)
    assert admin_code.status_at(now, _creator(Role.MODERATOR)) is InvitationStatus.VOID


def test_an_invitation_rests_on_the_membership_its_creator_had():
    now, inv = _invitation(max_uses=None, uses=0, expires_in=timedelta(hours=1))
    first = _creator(Role.ADMIN)
    rests = replace(inv, creator_joined_at=first.joined_at)
    assert rests.status_at(now, first) is InvitationStatus.USABLE
    back_later = _creator(Role.ADMIN, joined_at=first.joined_at + timedelta(days=3))
    assert rests.status_at(now, back_later) is InvitationStatus.VOID


def test_a_revoked_invitation_is_not_usable_whatever_else_holds():
    now, inv = _invitation(max_uses=None, uses=0, expires_in=timedelta(hours=1))
    admin = _creator(Role.ADMIN)
    revoked = replace(inv, revoked_at=now)
    assert not revoked.usable_at(now)
    assert revoked.status_at(now, admin) is InvitationStatus.REVOKED
    assert inv.status_at(now + timedelta(hours=1), admin) is InvitationStatus.EXPIRED
    used = replace(inv, max_uses=1, uses=1)
    assert used.status_at(now, admin) is InvitationStatus.USED_UP


def test_ids_and_codes_are_recognised_and_distinct():
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(looks_like_id(i) for i in ids)
    assert not looks_like_id("GROUP#x")
    assert not looks_like_id("abc")
    code = new_code()
    assert looks_like_code(code)
    assert not looks_like_code("short")
    assert not looks_like_code("x" * 20 + "#")


def test_timestamps_are_fixed_width_utc_and_round_trip():
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    text = clock.to_iso(moment)
    assert text == "2026-01-02T03:04:05.678Z"
    assert clock.from_iso(text) == moment
    assert len(clock.to_iso(clock.now())) == len(text)


def test_receipts_carry_128_random_bits_and_clients_must_match_their_shape():
    receipts = {new_receipt() for _ in range(200)}
    assert len(receipts) == 200
    assert all(len(r) == 22 and looks_like_receipt(r) for r in receipts)  # 22 x 6 >= 128 bits
    assert looks_like_receipt("my-own-receipt-0123456789")
    assert looks_like_receipt("A" * 64)
    for weak in ("a" * 21, "a" * 65, "", "receipt with spaces 01234", "é" * 22, "a" * 21 + "\n"):
        assert not looks_like_receipt(weak), weak
