"""Grants (one person's role in one consultation) in the table, and who holds which role
where: a user's roles and grants, read by key or from their partition.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.errors import ConcurrentUpdate, ConsultationNotFound, GrantNotFound
from chalicelib.domain.model import AuditEvent, Grant
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.models import TableMeta
from chalicelib.store.models.consultations import ConsultationItem, GrantItem
from chalicelib.store.models.groups import MembershipItem
from chalicelib.store.table import Page, Transaction, connection, get_many, query_page, transact


def _grant(item: GrantItem) -> Grant:
    return to_domain(item, Grant)


# ---------------------------------------------------------------- grants


def put_grant(grant: Grant, event: AuditEvent) -> None:
    item = to_item(
        grant,
        GrantItem,
        keys.consultation_pk(grant.consultation_id),
        keys.grant_sk(grant.user_id),
        gsi1pk=keys.user_pk(grant.user_id),
        gsi1sk=keys.user_grant_sk(grant.consultation_id),
    )

    def build(transaction: Transaction) -> None:
        transaction.save(item, condition=None, on_fail=ConcurrentUpdate())
        transaction.check(
            ConsultationItem,
            keys.consultation_pk(grant.consultation_id),
            keys.META,
            condition=ConsultationItem.pk.exists(),
            on_fail=ConsultationNotFound(),
        )
        record_in(transaction, event)

    transact(build)


def get_grant(consultation_id: str, user_id: str) -> Grant | None:
    try:
        item = GrantItem.get(keys.consultation_pk(consultation_id), keys.grant_sk(user_id))
    except GrantItem.DoesNotExist:
        return None
    return _grant(item)


def delete_grant(consultation_id: str, user_id: str, event: AuditEvent) -> None:
    item = GrantItem(keys.consultation_pk(consultation_id), keys.grant_sk(user_id))

    def build(transaction: Transaction) -> None:
        transaction.delete(item, condition=GrantItem.pk.exists(), on_fail=GrantNotFound())
        record_in(transaction, event)

    transact(build)


def list_grants(consultation_id: str, limit: int, cursor: str | None) -> Page[Grant]:
    return query_page(
        "grants",
        GrantItem,
        keys.consultation_pk(consultation_id),
        keys.GRANT_PREFIX,
        _grant,
        limit,
        cursor,
    )


# ---------------------------------------------------------------- who is inside


def roles_and_grants(
    user_id: str,
    group_ids: Iterable[str],
    consultation_ids: Iterable[str],
    *,
    consistent: bool = False,
) -> tuple[dict[str, Role], dict[str, Role]]:
    """The user's role in each of these groups and their grant in each of these
    consultations: one BatchGetItem per 100 keys."""
    members = {(keys.group_pk(g), keys.member_sk(user_id)): g for g in sorted(set(group_ids))}
    grants = {
        (keys.consultation_pk(c), keys.grant_sk(user_id)): c for c in sorted(set(consultation_ids))
    }
    found = get_many([*members, *grants], consistent=consistent)
    roles = {
        group_id: Role(MembershipItem.from_raw_data(found[key]).role)
        for key, group_id in members.items()
        if key in found
    }
    granted = {
        consultation_id: Role(GrantItem.from_raw_data(found[key]).role)
        for key, consultation_id in grants.items()
        if key in found
    }
    return roles, granted


def everything_of_user(user_id: str) -> tuple[dict[str, Role], dict[str, Role]]:
    """All the user's group roles and consultation grants: one Query of their partition."""
    roles: dict[str, Role] = {}
    grants: dict[str, Role] = {}
    client = connection().client
    request = {
        "TableName": TableMeta.table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :user",
        "ExpressionAttributeValues": {":user": {"S": keys.user_pk(user_id)}},
    }
    while True:
        response = client.query(**request)
        for item in response.get("Items", []):
            kind = item.get("kind", {}).get("S")
            if kind == "membership":
                roles[item["group_id"]["S"]] = Role(item["role"]["S"])
            elif kind == "grant":
                grants[item["consultation_id"]["S"]] = Role(item["role"]["S"])
        if "LastEvaluatedKey" not in response:
            return roles, grants
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
