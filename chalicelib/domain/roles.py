"""Roles, and the standings a caller can hold towards a group or a consultation.

A caller may hold several standings at once (a member of the host group who also holds a
grant, say): the permission table allows an action when any of them allows it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in a group, lowest to highest. Each role can do what those below can."""

    OBSERVER = "observer"
    PARTICIPANT = "participant"
    AUTHOR = "author"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {role: rank for rank, role in enumerate(Role)}


class Outsider(StrEnum):
    """A caller who holds no role in the group or consultation."""

    ANONYMOUS = "anonymous"  # no token
    SIGNED_IN = "signed_in"  # a valid token
    VERIFIED = "verified"  # a valid token with email_verified or identity_verified


class PartnerRole(StrEnum):
    """A member of an accepted partner group of a consultation, with their own group role."""

    OBSERVER = "partner:observer"
    PARTICIPANT = "partner:participant"
    AUTHOR = "partner:author"
    MODERATOR = "partner:moderator"
    ADMIN = "partner:admin"

    @classmethod
    def of(cls, role: Role) -> PartnerRole:
        return cls(f"partner:{role.value}")


class GrantRole(StrEnum):
    """Someone given a role in one consultation by the host's admins (a grant)."""

    OBSERVER = "grant:observer"
    PARTICIPANT = "grant:participant"
    AUTHOR = "grant:author"
    MODERATOR = "grant:moderator"
    ADMIN = "grant:admin"

    @classmethod
    def of(cls, role: Role) -> GrantRole:
        return cls(f"grant:{role.value}")


class Relation(StrEnum):
    """A standing that comes from the resource itself."""

    CREATOR = "creator"  # who created the consultation (or the debate); a comment's author
    # Towards a comment: a moderator (or admin) of the accepted partner association its
    # author speaks for. A partner's moderators look after their own members' comments.
    AUTHOR_GROUP_MODERATOR = "author_group_moderator"


Standing = Role | Outsider | PartnerRole | GrantRole | Relation

GROUP_STANDINGS: tuple[Standing, ...] = (Outsider.ANONYMOUS, Outsider.SIGNED_IN, *Role)
CONSULTATION_STANDINGS: tuple[Standing, ...] = (
    *Outsider,
    *Role,
    *PartnerRole,
    *GrantRole,
    *Relation,
)
