"""Reactions and flags in the table: one item per person and comment, whose key makes
each unique. They are written inside the comment's own transaction (`comments.save`).
"""

from __future__ import annotations

from chalicelib.domain import clock
from chalicelib.domain.errors import AlreadyFlagged, ConcurrentUpdate
from chalicelib.store import keys
from chalicelib.store.models.comments import FlagItem, ReactionItem
from chalicelib.store.table import Transaction, get_many


def reaction_key(comment_id: str, user_id: str) -> tuple[str, str]:
    return keys.comment_pk(comment_id), keys.reaction_sk(user_id)


def reacted(comment_ids: list[str], user_id: str) -> set[str]:
    """Which of these comments the user reacted to: one BatchGetItem."""
    if not comment_ids:
        return set()
    wanted = {reaction_key(c, user_id): c for c in comment_ids}
    found = get_many(list(wanted), consistent=False)
    return {wanted[key] for key in found}


def add_reaction(transaction: Transaction, comment_id: str, user_id: str) -> None:
    reaction = ReactionItem(
        *reaction_key(comment_id, user_id), reacted_at=clock.to_iso(clock.now())
    )
    reaction.owned_by(user_id)
    transaction.save(
        reaction,
        condition=ReactionItem.pk.does_not_exist(),
        on_fail=ConcurrentUpdate(),
    )


def remove_reaction(transaction: Transaction, comment_id: str, user_id: str) -> None:
    transaction.delete(
        ReactionItem(*reaction_key(comment_id, user_id)),
        condition=ReactionItem.pk.exists(),
        on_fail=ConcurrentUpdate(),
    )


def add_flag(transaction: Transaction, comment_id: str, user_id: str, reason: str) -> None:
    flag = FlagItem(
        keys.comment_pk(comment_id),
        keys.flag_sk(user_id),
        reason=reason,
        flagged_at=clock.to_iso(clock.now()),
    )
    flag.owned_by(user_id)
    transaction.save(
        flag,
        condition=FlagItem.pk.does_not_exist(),
        on_fail=AlreadyFlagged(),
    )
