"""Requests to join a group that reviews them, in the group's partition.

A request is idempotent (one per person, by its key); approving it is the membership's
transaction (`memberships.add_member`), rejecting it a delete by an admin who still is one.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from chalicelib.domain.errors import JoinRequestNotFound
from chalicelib.domain.groups import JoinRequest
from chalicelib.domain.model import AuditEvent
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.memberships import still_admin
from chalicelib.store.models.groups import JoinRequestItem
from chalicelib.store.table import Page, Transaction, query_page, transact


def _join_request(item: JoinRequestItem) -> JoinRequest:
    return to_domain(item, JoinRequest)


def put_join_request(request: JoinRequest) -> bool:
    """Record a request to join; False if one is already pending (requests are idempotent)."""
    item = to_item(
        request,
        JoinRequestItem,
        keys.group_pk(request.group_id),
        keys.join_request_sk(request.user_id),
    )
    item.owned_by(request.user_id)
    try:
        item.save(condition=JoinRequestItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_join_request(group_id: str, user_id: str) -> JoinRequest | None:
    try:
        item = JoinRequestItem.get(keys.group_pk(group_id), keys.join_request_sk(user_id))
    except JoinRequestItem.DoesNotExist:
        return None
    return _join_request(item)


def list_join_requests(group_id: str, limit: int, cursor: str | None) -> Page[JoinRequest]:
    pk = keys.group_pk(group_id)
    return query_page(
        "join_requests", JoinRequestItem, pk, keys.JOIN_REQUEST_PREFIX, _join_request, limit, cursor
    )


def reject_join_request(group_id: str, user_id: str, event: AuditEvent) -> None:
    item = JoinRequestItem(keys.group_pk(group_id), keys.join_request_sk(user_id))

    def build(transaction: Transaction) -> None:
        transaction.delete(
            item, condition=JoinRequestItem.pk.exists(), on_fail=JoinRequestNotFound()
        )
        still_admin(transaction, event)
        record_in(transaction, event)

    transact(build)
