"""Invitation codes in the table. Uses are counted by the conditional update in
`store.groups.add_member`, in the same transaction that admits the member."""

from __future__ import annotations

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import AuditEvent, Invitation
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.groups import record_in, still_admin
from chalicelib.store.models import InvitationItem
from chalicelib.store.table import Transaction, transact


def _invitation(item: InvitationItem) -> Invitation:
    return Invitation(
        code=item.code,
        group_id=item.group_id,
        role=Role(item.role),
        max_uses=None if item.max_uses is None else int(item.max_uses),
        uses=int(item.uses),
        expires_at=clock.from_iso(item.expires_at),
        created_at=clock.from_iso(item.created_at),
        created_by=item.created_by,
    )


def create_invitation(invitation: Invitation, event: AuditEvent) -> None:
    item = InvitationItem(
        keys.invitation_pk(invitation.code),
        keys.META,
        code=invitation.code,
        group_id=invitation.group_id,
        role=invitation.role.value,
        max_uses=invitation.max_uses,
        uses=invitation.uses,
        expires_at=clock.to_iso(invitation.expires_at),
        created_at=clock.to_iso(invitation.created_at),
        created_by=invitation.created_by,
        ttl=invitation.expires_at,
    )

    def build(transaction: Transaction) -> None:
        transaction.save(
            item, condition=InvitationItem.pk.does_not_exist(), on_fail=ConcurrentUpdate()
        )
        still_admin(transaction, event)
        record_in(transaction, event)

    transact(build)


def get_invitation(code: str, *, consistent: bool = False) -> Invitation | None:
    try:
        item = InvitationItem.get(keys.invitation_pk(code), keys.META, consistent_read=consistent)
    except InvitationItem.DoesNotExist:
        return None
    return _invitation(item)
