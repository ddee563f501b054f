"""Groups (associations) in the table: their settings and the listed directory.

A group's settings change only if nobody changed them meanwhile, by an admin who still is
one, with the audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.groups import Group, Membership
from chalicelib.domain.model import AuditEvent
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.memberships import membership_item, still_admin
from chalicelib.store.models.groups import GroupItem, MembershipItem
from chalicelib.store.table import (
    Page,
    Transaction,
    transact,
)

# ---------------------------------------------------------------- conversions


def _group(item: GroupItem) -> Group:
    return to_domain(item, Group)


def group_from_raw(raw: dict) -> Group:
    return _group(GroupItem.from_raw_data(raw))


def _group_item(group: Group) -> GroupItem:
    item = to_item(group, GroupItem, keys.group_pk(group.id), keys.META)
    if group.listed:
        item.gsi1pk = keys.GROUPS_DIRECTORY
        item.gsi1sk = keys.directory_sk(group.name, group.id)
    return item


# ---------------------------------------------------------------- groups


def create_group(group: Group, founder: Membership, event: AuditEvent) -> None:
    def build(transaction: Transaction) -> None:
        transaction.save(
            _group_item(group), condition=GroupItem.pk.does_not_exist(), on_fail=ConcurrentUpdate()
        )
        transaction.save(
            membership_item(founder),
            condition=MembershipItem.pk.does_not_exist(),
            on_fail=ConcurrentUpdate(),
        )
        record_in(transaction, event)

    transact(build)


def get_group(group_id: str, *, consistent: bool = False) -> Group | None:
    try:
        item = GroupItem.get(keys.group_pk(group_id), keys.META, consistent_read=consistent)
    except GroupItem.DoesNotExist:
        return None
    return _group(item)


def get_groups(group_ids: Iterable[str]) -> dict[str, Group]:
    """Batch read: one BatchGetItem per 100 groups."""
    wanted = [(keys.group_pk(group_id), keys.META) for group_id in set(group_ids)]
    return {item.group_id: _group(item) for item in GroupItem.batch_get(wanted)}


def list_listed_groups(limit: int, cursor: str | None) -> Page[Group]:
    listing = Listing("directory", ("gsi1pk", keys.GROUPS_DIRECTORY))
    start = decode_cursor(listing, cursor)
    results = GroupItem.gsi1.query(
        keys.GROUPS_DIRECTORY, limit=limit, page_size=limit, last_evaluated_key=start
    )
    items = [_group(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


def update_group(before: Group, after: Group, event: AuditEvent) -> None:
    """Write the group's settings if nobody changed them meanwhile, with the audit event."""
    item = GroupItem(keys.group_pk(before.id), keys.META)
    actions = [
        GroupItem.name.set(after.name),
        GroupItem.description.set(after.description),
        GroupItem.listed.set(after.listed),
        GroupItem.join_policy.set(after.join_policy.value),
    ]
    if after.listed:
        actions += [
            GroupItem.gsi1pk.set(keys.GROUPS_DIRECTORY),
            GroupItem.gsi1sk.set(keys.directory_sk(after.name, after.id)),
        ]
    else:
        actions += [GroupItem.gsi1pk.remove(), GroupItem.gsi1sk.remove()]
    unchanged = (
        (GroupItem.name == before.name)
        & (GroupItem.description == before.description)
        & (GroupItem.listed == before.listed)
        & (GroupItem.join_policy == before.join_policy.value)
    )

    def build(transaction: Transaction) -> None:
        transaction.update(item, actions, condition=unchanged, on_fail=ConcurrentUpdate())
        still_admin(transaction, event)
        record_in(transaction, event)

    transact(build)
