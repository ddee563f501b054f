"""Group roles and the standing of a caller towards a group."""

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
    """A caller who holds no role in the group."""

    ANONYMOUS = "anonymous"  # no token
    SIGNED_IN = "signed_in"  # a valid token, not a member


Standing = Role | Outsider

STANDINGS: tuple[Standing, ...] = (Outsider.ANONYMOUS, Outsider.SIGNED_IN, *Role)
