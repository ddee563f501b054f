"""Memberships in the table: who holds which role in a group.

Every change to who holds which role is ONE transaction: the membership, the group's
`admin_count` when an admin is added or removed (conditioned so it never drops below one),
its `member_count` when anyone is admitted or removed, and the audit event. Nothing is
half-written, and the last-admin rule holds under concurrency because it is a condition,
not a read; the counts are ADDs, exact under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain import clock
from chalicelib.domain.errors import (
    AlreadyMember,
    ConcurrentUpdate,
    Forbidden,
    GroupNotFound,
    InvitationExpired,
    InvitationRevoked,
    JoinRequestNotFound,
    LastAdmin,
)
from chalicelib.domain.groups import Invitation, Membership
from chalicelib.domain.model import AuditEvent
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.models.groups import (
    GroupItem,
    InvitationItem,
    JoinRequestItem,
    MembershipItem,
)
from chalicelib.store.table import Page, Transaction, get_many, query_page, transact

# ---------------------------------------------------------------- conversions


def _membership(item: MembershipItem) -> Membership:
    return to_domain(item, Membership)


def membership_item(membership: Membership) -> MembershipItem:
    return to_item(
        membership,
        MembershipItem,
        keys.group_pk(membership.group_id),
        keys.member_sk(membership.user_id),
        gsi1pk=keys.user_pk(membership.user_id),
        gsi1sk=keys.group_pk(membership.group_id),
    )


def membership_from_raw(raw: dict) -> Membership:
    return _membership(MembershipItem.from_raw_data(raw))


def still_admin(transaction: Transaction, event: AuditEvent, *, unless_touching: str = "") -> None:
    """Check, at write time, that the actor is still an admin: an admin demoted while their
    request was in flight does not get to finish it. Skipped when the transaction writes
    the actor's own membership (a transaction may touch an item once; that write's own
    condition then covers it)."""
    if event.actor_id == unless_touching:
        return
    transaction.check(
        MembershipItem,
        keys.group_pk(event.group_id),
        keys.member_sk(event.actor_id),
        condition=MembershipItem.role == Role.ADMIN.value,
        on_fail=Forbidden(),
    )


def _adjust_group(
    transaction: Transaction, group_id: str, *, members: int = 0, admins: int = 0
) -> None:
    """Add to the group's member and admin counts (one update: a transaction touches an
    item once). Removing an admin requires another admin to remain; anything else requires
    the group to exist."""
    group_key = GroupItem(keys.group_pk(group_id), keys.META)
    if admins < 0:
        condition = GroupItem.admin_count > -admins
        on_fail: Exception = LastAdmin()
    else:
        condition = GroupItem.pk.exists()
        on_fail = GroupNotFound()
    actions = []
    if members:
        actions.append(GroupItem.member_count.add(members))
    if admins:
        actions.append(GroupItem.admin_count.add(admins))
    transaction.update(group_key, actions, condition=condition, on_fail=on_fail)


# ---------------------------------------------------------------- memberships


def get_membership(group_id: str, user_id: str, *, consistent: bool = False) -> Membership | None:
    try:
        item = MembershipItem.get(
            keys.group_pk(group_id), keys.member_sk(user_id), consistent_read=consistent
        )
    except MembershipItem.DoesNotExist:
        return None
    return _membership(item)


def list_members(group_id: str, limit: int, cursor: str | None) -> Page[Membership]:
    return query_page(
        "group_members",
        MembershipItem,
        keys.group_pk(group_id),
        keys.MEMBER_PREFIX,
        _membership,
        limit,
        cursor,
    )


def memberships_in(group_id: str, user_ids: Iterable[str]) -> dict[str, Membership]:
    """The memberships of some users in a group (those who are members), by user id: one
    BatchGetItem per 100 users."""
    wanted = [(keys.group_pk(group_id), keys.member_sk(u)) for u in sorted(set(user_ids))]
    found = get_many(wanted, consistent=False).values()
    return {
        membership.user_id: membership for membership in (membership_from_raw(raw) for raw in found)
    }


def memberships_of_user(user_id: str) -> list[Membership]:
    """Every group the user belongs to (one Query on gsi1, paged through). The user's
    partition also holds their grants: only the memberships' sort keys are read."""
    return [
        _membership(item)
        for item in MembershipItem.gsi1.query(
            keys.user_pk(user_id), MembershipItem.gsi1sk.startswith(keys.USER_MEMBERSHIP_PREFIX)
        )
    ]


def add_member(
    membership: Membership,
    event: AuditEvent,
    *,
    invitation: Invitation | None = None,
    join_request_of: str | None = None,
) -> None:
    """Admit a member, at most once, consuming an invitation use or a join request.

    An invitation admits only while its creator still holds a role at least as high as
    the one it gives, in the membership they had when they made it: a condition on the
    creator's membership in the same transaction, so a demotion or removal racing the
    acceptance cannot slip through.

    Raises AlreadyMember, InvitationExpired (used up, expired or revoked meanwhile),
    InvitationRevoked (its creator no longer holds its role), JoinRequestNotFound (already
    handled) or GroupNotFound.
    """
    now_iso = clock.to_iso(clock.now())
    if invitation is not None and invitation.created_by == membership.user_id:
        # The creator accepting their own code is not a member (or this would not be
        # written): they hold nothing that could back it.
        raise InvitationRevoked()

    def build(transaction: Transaction) -> None:
        transaction.save(
            membership_item(membership),
            condition=MembershipItem.pk.does_not_exist(),
            on_fail=AlreadyMember(),
        )
        _adjust_group(
            transaction,
            membership.group_id,
            members=+1,
            admins=+1 if membership.role is Role.ADMIN else 0,
        )
        if invitation is not None:
            usable = (
                (InvitationItem.expires_at > now_iso)
                & InvitationItem.revoked_at.does_not_exist()
                & (
                    InvitationItem.max_uses.does_not_exist()
                    | (InvitationItem.uses < InvitationItem.max_uses)
                )
            )
            transaction.update(
                InvitationItem(keys.invitation_pk(invitation.code), keys.META),
                [InvitationItem.uses.add(1)],
                condition=usable,
                on_fail=InvitationExpired(),
            )
            backed = MembershipItem.role.is_in(*(r.value for r in invitation.backing_roles))
            if invitation.creator_joined_at is not None:
                backed &= MembershipItem.joined_at == clock.to_iso(invitation.creator_joined_at)
            transaction.check(
                MembershipItem,
                keys.group_pk(membership.group_id),
                keys.member_sk(invitation.created_by),
                condition=backed,
                on_fail=InvitationRevoked(),
            )
        if join_request_of is not None:
            transaction.delete(
                JoinRequestItem(
                    keys.group_pk(membership.group_id), keys.join_request_sk(join_request_of)
                ),
                condition=JoinRequestItem.pk.exists(),
                on_fail=JoinRequestNotFound(),
            )
            still_admin(transaction, event)
        record_in(transaction, event)

    transact(build)


def change_role(current: Membership, new_role: Role, event: AuditEvent) -> None:
    """Change a member's role if it is still `current.role`; keep at least one admin."""
    item = MembershipItem(keys.group_pk(current.group_id), keys.member_sk(current.user_id))

    def build(transaction: Transaction) -> None:
        transaction.update(
            item,
            [MembershipItem.role.set(new_role.value)],
            condition=MembershipItem.role == current.role.value,
            on_fail=ConcurrentUpdate(),
        )
        if current.role is Role.ADMIN and new_role is not Role.ADMIN:
            _adjust_group(transaction, current.group_id, admins=-1)
        elif new_role is Role.ADMIN and current.role is not Role.ADMIN:
            _adjust_group(transaction, current.group_id, admins=+1)
        still_admin(transaction, event, unless_touching=current.user_id)
        record_in(transaction, event)

    transact(build)


def remove_member(current: Membership, event: AuditEvent, *, erasure: bool = False) -> None:
    """Remove a member who still holds `current.role` (by an admin who still is one, unless
    they leave by themselves, or their erasure removes them: its event names a pseudonym);
    the last admin cannot go."""
    item = MembershipItem(keys.group_pk(current.group_id), keys.member_sk(current.user_id))

    def build(transaction: Transaction) -> None:
        transaction.delete(
            item,
            condition=MembershipItem.role == current.role.value,
            on_fail=ConcurrentUpdate(),
        )
        _adjust_group(
            transaction,
            current.group_id,
            members=-1,
            admins=-1 if current.role is Role.ADMIN else 0,
        )
        if not erasure:
            still_admin(transaction, event, unless_touching=current.user_id)
        record_in(transaction, event)

    transact(build)
