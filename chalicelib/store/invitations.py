"""Invitation codes in the table. Uses are counted, and the creator's role re-checked, by
the conditions of `store.memberships.add_member`, in the same transaction that admits the member.

A group's invitations are listed through gsi1 (`INVITES#g`, newest first); a revoked
invitation leaves the list but keeps its item (with `revoked_at`) until its TTL, so whoever
holds the code is told it was withdrawn rather than that it never existed.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate, InvitationEmailLimit, InvitationRevoked
from chalicelib.domain.groups import Invitation
from chalicelib.domain.model import AuditEvent
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.memberships import still_admin
from chalicelib.store.models.groups import DailyCountItem, InvitationItem
from chalicelib.store.table import Page, Transaction, transact


def _invitation(item: InvitationItem) -> Invitation:
    # Invitations made before the creator's name was recorded show their id.
    return to_domain(item, Invitation, created_by_name=item.created_by_name or item.created_by)


def create_invitation(
    invitation: Invitation, event: AuditEvent, *, emails_per_day: int | None = None
) -> None:
    """The invitation, its audit event and, when it names an address, one more on its
    creator's count of the day's emailed invitations, refused over `emails_per_day`: one
    transaction."""
    created_at = clock.to_iso(invitation.created_at)
    item = to_item(
        invitation,
        InvitationItem,
        keys.invitation_pk(invitation.code),
        keys.META,
        ttl=invitation.expires_at,
        gsi1pk=keys.group_invitations_pk(invitation.group_id),
        gsi1sk=keys.group_invitation_sk(created_at, invitation.code),
    )
    item.owned_by(invitation.created_by)

    def build(transaction: Transaction) -> None:
        transaction.save(
            item, condition=InvitationItem.pk.does_not_exist(), on_fail=ConcurrentUpdate()
        )
        still_admin(transaction, event)
        record_in(transaction, event)
        if invitation.email and emails_per_day is not None:
            _count_email(transaction, invitation, emails_per_day)

    transact(build)


def _count_email(transaction: Transaction, invitation: Invitation, most: int) -> None:
    day = f"{invitation.created_at:%Y-%m-%d}"
    counter = DailyCountItem(keys.user_pk(invitation.created_by), keys.invitation_emails_sk(day))
    transaction.update(
        counter,
        [
            DailyCountItem.kind.set("daily_count"),
            DailyCountItem.count.add(1),
            DailyCountItem.ttl.set(invitation.created_at + timedelta(days=2)),
        ],
        condition=DailyCountItem.count.does_not_exist() | (DailyCountItem.count < most),
        on_fail=InvitationEmailLimit(),
    )


def get_invitation(code: str, *, consistent: bool = False) -> Invitation | None:
    try:
        item = InvitationItem.get(keys.invitation_pk(code), keys.META, consistent_read=consistent)
    except InvitationItem.DoesNotExist:
        return None
    return _invitation(item)


def list_invitations(group_id: str, limit: int, cursor: str | None) -> Page[Invitation]:
    """A group's invitations not revoked (nor yet deleted by TTL), newest first: one Query."""
    pk = keys.group_invitations_pk(group_id)
    listing = Listing("invitations", ("gsi1pk", pk))
    results = InvitationItem.gsi1.query(
        pk,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(listing, cursor),
    )
    items = [_invitation(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


def revoke_invitation(invitation: Invitation, event: AuditEvent) -> None:
    """Withdraw an invitation of `event.group_id`, by an admin who still is one.

    Raises InvitationRevoked if it was revoked (or deleted) meanwhile, Forbidden if the
    actor is no longer an admin. An acceptance racing it either lands first or is refused:
    acceptance is conditioned on `revoked_at` not existing."""
    item = InvitationItem(keys.invitation_pk(invitation.code), keys.META)
    still_there = (
        InvitationItem.pk.exists()
        & (InvitationItem.group_id == event.group_id)
        & InvitationItem.revoked_at.does_not_exist()
    )

    def build(transaction: Transaction) -> None:
        transaction.update(
            item,
            [
                InvitationItem.revoked_at.set(clock.to_iso(event.at)),
                InvitationItem.gsi1pk.remove(),
                InvitationItem.gsi1sk.remove(),
            ],
            condition=still_there,
            on_fail=InvitationRevoked(),
        )
        still_admin(transaction, event)
        record_in(transaction, event)

    transact(build)
