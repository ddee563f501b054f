"""Who the caller is towards a group, a consultation, a debate or a comment, and what the
permission table lets them do there.

A group: the group and the caller's membership (and their profile, when asked), one
BatchGetItem. A consultation, a debate or a comment: ONE read (store/access.py, two round
trips) gives the resource and everything the caller holds in it (roles in the host and
accepted partners, grant, a block by the host, and their ballot marker, reaction or
profile when asked for), and ONE type carries it to
ballots, comments, debates and consultations alike. Every decision is the table's
(`domain/permissions.py`): this module only says which standings the caller holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.domain import clock
from chalicelib.domain.ballots import Marker
from chalicelib.domain.consultations import standings_of
from chalicelib.domain.deliberation import Comment
from chalicelib.domain.errors import (
    Blocked,
    CommentNotFound,
    ConsultationClosed,
    ConsultationNotFound,
    DebateNotFound,
    Forbidden,
    GroupNotFound,
    NotFound,
    NotOpen,
)
from chalicelib.domain.groups import Group, Membership
from chalicelib.domain.ids import looks_like_id, split_comment_id, split_debate_id
from chalicelib.domain.model import Caller, Consultation, ConsultationStatus, Debate
from chalicelib.domain.permissions import Action, allows, authorize
from chalicelib.domain.profiles import Profile, shown_name
from chalicelib.domain.roles import Outsider, Relation, Role, Standing
from chalicelib.store import access as store
from chalicelib.store import groups as group_store

# ---------------------------------------------------------------- a group


@dataclass(frozen=True)
class GroupAccess:
    group: Group
    membership: Membership | None
    standing: Standing
    profile: Profile | None = None  # the caller's, when asked for
    following: bool | None = None  # whether the caller follows it, when asked for

    @property
    def role(self) -> Role | None:
        """The caller's role in the group; None for anyone who is not a member."""
        return self.membership.role if self.membership else None

    def require(self, action: Action) -> None:
        authorize(action, self.standing, self.group.visibility, not_found=GroupNotFound)


def standing(caller: Caller | None, membership: Membership | None) -> Standing:
    if membership is not None:
        return membership.role
    return Outsider.SIGNED_IN if caller is not None else Outsider.ANONYMOUS


def group_access(
    group_id: str,
    caller: Caller | None,
    action: Action,
    *,
    consistent: bool = False,
    profile: bool = False,
    follow: bool = False,
) -> GroupAccess:
    """The group, the caller's membership and standing (and their profile if `profile`, in
    the same round trip), once `action` is allowed.

    `consistent` reads are for changes: decisions about roles use the latest state.
    """
    if not looks_like_id(group_id):
        raise GroupNotFound()
    if caller is None:
        found = store.GroupFound(group_store.get_group(group_id, consistent=consistent))
    else:
        found = store.read_group(
            group_id, caller.id, profile=profile, follow=follow, consistent=consistent
        )
    if found.group is None:
        raise GroupNotFound()
    membership = found.membership
    access = GroupAccess(
        found.group, membership, standing(caller, membership), found.profile, found.following
    )
    access.require(action)
    return access


# ---------------------------------------------------------------- a consultation and its debates


def comment_standings(
    consultation: Consultation,
    caller: Caller | None,
    roles: Mapping[str, Role],
    grant: Role | None,
    comment: Comment,
) -> frozenset[Standing]:
    """What the caller holds towards a comment: CREATOR is its author alone (whoever they
    are, a resident taking part in a public consultation included), and a moderator of the
    accepted partner association the author speaks for holds AUTHOR_GROUP_MODERATOR.
    `roles` are the caller's in the host and accepted partners."""
    held = set(standings_of(consultation, caller, roles, grant))
    if caller is not None and caller.id == comment.author_id:
        held.add(Relation.CREATOR)
    group = comment.author_group
    if group in consultation.accepted_partners and roles.get(group, Role.OBSERVER).at_least(
        Role.MODERATOR
    ):
        held.add(Relation.AUTHOR_GROUP_MODERATOR)
    return frozenset(held)


@dataclass(frozen=True, kw_only=True)
class ConsultationAccess:
    """A consultation seen by one caller: what they hold in it, and so what they may do."""

    consultation: Consultation
    caller: Caller | None
    roles: Mapping[str, Role] = field(default_factory=dict)  # host and accepted partners
    grant: Role | None = None
    blocked: bool = False  # by the host's moderators, now
    standings: frozenset[Standing]  # towards the consultation (a debate: its creator counts)
    host: Group | None = None  # the host association, when asked for
    profile: Profile | None = None  # the caller's, when asked for

    @property
    def missing(self) -> type[NotFound]:
        return ConsultationNotFound

    def can(self, action: Action) -> bool:
        return allows(action, self.standings, self.consultation.context)

    def require(self, action: Action) -> None:
        authorize(action, self.standings, self.consultation.context, not_found=self.missing)

    @property
    def status(self) -> ConsultationStatus:
        return self.consultation.status_at(clock.now())

    @property
    def closed(self) -> bool:
        return self.status is ConsultationStatus.CLOSED

    @property
    def caller_name(self) -> str:
        """The name to write beside what the caller writes now: the one they chose (read
        when the access was asked `profile=True`), else their token's."""
        assert self.caller is not None
        return shown_name(self.caller, self.profile)

    def with_debate(self, debate: Debate, marker: Marker | None = None) -> DebateAccess:
        """One of its debates, seen by the same caller (whose ballot `marker` was read with
        it): the debate's creator counts as a creator too, as in `debate_access`."""
        consultation = self.consultation
        creators = (consultation.created_by, debate.created_by)
        return DebateAccess(
            consultation=consultation,
            caller=self.caller,
            roles=self.roles,
            grant=self.grant,
            blocked=self.blocked,
            standings=standings_of(consultation, self.caller, self.roles, self.grant, creators),
            debate=debate,
            marker=marker,
            profile=self.profile,
        )


@dataclass(frozen=True, kw_only=True)
class DebateAccess(ConsultationAccess):
    """A debate (and maybe one of its comments) seen by one caller, with their ballot marker
    or their reaction to the comment when they were asked for."""

    debate: Debate
    comment: Comment | None = None
    marker: Marker | None = None
    reacted: bool = False

    @property
    def missing(self) -> type[NotFound]:
        return CommentNotFound if self.comment is not None else DebateNotFound

    def towards(self, comment: Comment) -> frozenset[Standing]:
        return comment_standings(self.consultation, self.caller, self.roles, self.grant, comment)

    def may(self, action: Action, comment: Comment) -> bool:
        """Whether the table lets the caller act on `comment` (whose debate they read)."""
        return allows(action, self.towards(comment), self.consultation.context)

    def may_moderate(self, comment: Comment) -> bool:
        return self.may(Action.COMMENT_MODERATE, comment)

    def require_on(self, action: Action, comment: Comment) -> None:
        """They read the comment already: a refusal is 403."""
        if not self.may(action, comment):
            raise Forbidden()

    def take_part(self, action: Action) -> None:
        """Deliberation: published and not closed, not blocked, and allowed to take part."""
        if self.closed:
            raise ConsultationClosed("comments")
        if self.status is ConsultationStatus.DRAFT:  # as for ballots
            raise NotOpen()
        if self.blocked:
            raise Blocked()
        self.require(action)

    def live_comment(self) -> Comment:
        """The comment, unless deleted: a deleted comment is a placeholder, nothing more
        happens to it."""
        if self.comment is None or self.comment.deleted:
            raise CommentNotFound()
        return self.comment


def consultation_access(
    consultation_id: str,
    caller: Caller | None,
    action: Action | None,
    *,
    consistent: bool = False,
    host: bool = False,
    profile: bool = False,
) -> ConsultationAccess:
    """The consultation and the caller's standings in it, once `action` is allowed (any
    `action`: None, for a caller judged otherwise), with its host association if `host`
    and the caller's profile if `profile`. Two round trips; one without a caller (unless
    `host`)."""
    found = (
        store.read(
            consultation_id,
            caller.id if caller else None,
            host=host,
            profile=profile,
            consistent=consistent,
        )
        if looks_like_id(consultation_id)
        else store.Found(None)
    )
    if found.consultation is None:
        raise ConsultationNotFound()
    consultation = found.consultation
    access = ConsultationAccess(
        consultation=consultation,
        caller=caller,
        roles=found.roles,
        grant=found.grant,
        blocked=_blocked(found),
        standings=standings_of(
            consultation, caller, found.roles, found.grant, (consultation.created_by,)
        ),
        host=found.host,
        profile=found.profile,
    )
    if action is not None:
        access.require(action)
    return access


def debate_access(
    debate_id: str,
    caller: Caller | None,
    action: Action = Action.DEBATE_READ,
    *,
    consistent: bool = False,
    marker: bool = False,
    profile: bool = False,
) -> DebateAccess:
    """The debate, its consultation and the caller's standings (the debate's creator and
    the consultation's count as creator), with their ballot marker if `marker` and their
    profile if `profile`, once they may read it and `action` is allowed. Two round trips;
    one without a caller."""
    ids = split_debate_id(debate_id)
    if ids is None:
        raise DebateNotFound()
    access = _debate_access(
        ids, caller, DebateNotFound, marker=marker, profile=profile, consistent=consistent
    )
    access.require(action)
    return access


def comment_access(
    comment_id: str, caller: Caller | None, *, consistent: bool = False
) -> DebateAccess:
    """The comment with its debate, its consultation, the caller's standings towards the
    debate and whether they reacted to the comment, once they may read it. Two round trips."""
    ids = split_comment_id(comment_id)
    parts = split_debate_id(ids[0]) if ids else None
    if parts is None:
        raise CommentNotFound()
    return _debate_access(
        parts, caller, CommentNotFound, comment_id=comment_id, consistent=consistent
    )


def _debate_access(
    ids: tuple[str, str],
    caller: Caller | None,
    missing: type[NotFound],
    *,
    marker: bool = False,
    profile: bool = False,
    comment_id: str | None = None,
    consistent: bool = False,
) -> DebateAccess:
    """The debate (`ids`: its consultation's, its own within it), with the caller's marker or
    a comment when asked, and the caller's standings towards it, once they may read it."""
    found = store.read(
        ids[0],
        caller.id if caller else None,
        debate_local_id=ids[1],
        marker=marker,
        profile=profile,
        comment_id=comment_id,
        consistent=consistent,
    )
    if found.consultation is None or found.debate is None:
        raise missing()
    consultation, debate = found.consultation, found.debate
    creators = (consultation.created_by, debate.created_by)
    access = DebateAccess(
        consultation=consultation,
        caller=caller,
        roles=found.roles,
        grant=found.grant,
        blocked=_blocked(found),
        standings=standings_of(consultation, caller, found.roles, found.grant, creators),
        debate=debate,
        comment=found.comment,
        marker=found.marker,
        reacted=found.reacted,
        profile=found.profile,
    )
    access.require(Action.DEBATE_READ)
    return access


def _blocked(found: store.Found) -> bool:
    return found.block is not None and found.block.active_at(clock.now())
