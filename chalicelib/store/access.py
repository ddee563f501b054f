"""What the table holds about one caller and one group, or one consultation (or a debate, or
a comment): the ONE read behind every access decision on them (services/access.py).

A group: one BatchGetItem, the group with the caller's membership (and their profile when
asked for: the name they chose, for what they are about to create).

A consultation: two round trips, each one BatchGetItem: first the consultation, with the
debate and the comment when asked for; then, for a signed-in caller, their roles in the
host and in the accepted partners, their grant, a block by the host, and their ballot
marker, reaction and profile (the name they chose, for what they are about to write) when
asked for. The second needs the first (the groups, the debate's ballot partitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.ballots import Marker
from chalicelib.domain.deliberation import Block, Comment
from chalicelib.domain.groups import Group, Membership
from chalicelib.domain.model import Consultation, Debate
from chalicelib.domain.profiles import Profile
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.ballots import marker_from_raw, marker_key
from chalicelib.store.comments import comment_key, counts_from_raw, counts_key
from chalicelib.store.comments import from_raw as comment_from_raw
from chalicelib.store.consultations import consultation_from_raw
from chalicelib.store.debates import debate_from_raw
from chalicelib.store.groups import group_from_raw
from chalicelib.store.memberships import membership_from_raw
from chalicelib.store.models.consultations import GrantItem
from chalicelib.store.moderation import block_from_raw, block_key
from chalicelib.store.profiles import profile_from_raw, profile_key
from chalicelib.store.reactions import reaction_key
from chalicelib.store.table import get_many
from chalicelib.store.tallies import Tally, no_tally, tally_from_raw, tally_key

# ---------------------------------------------------------------- a group


@dataclass(frozen=True)
class GroupFound:
    """What the read of a group found; None where there is nothing, or it was not asked."""

    group: Group | None
    membership: Membership | None = None
    profile: Profile | None = None
    following: bool | None = None


def read_group(
    group_id: str,
    user_id: str,
    *,
    profile: bool = False,
    follow: bool = False,
    consistent: bool = False,
) -> GroupFound:
    """The group, `user_id`'s membership in it, their profile if `profile`, whether they
    follow it if `follow`: one BatchGetItem."""
    group_key = (keys.group_pk(group_id), keys.META)
    member_key = (keys.group_pk(group_id), keys.member_sk(user_id))
    chosen_key = profile_key(user_id)
    follow_key = (keys.followers_pk(group_id), keys.follower_sk(user_id))
    wanted = [group_key, member_key]
    wanted += [chosen_key] if profile else []
    wanted += [follow_key] if follow else []
    found = get_many(wanted, consistent=consistent)
    if group_key not in found:
        return GroupFound(None)
    return GroupFound(
        group_from_raw(found[group_key]),
        membership_from_raw(found[member_key]) if member_key in found else None,
        profile_from_raw(found[chosen_key]) if chosen_key in found else None,
        (follow_key in found) if follow else None,
    )


# ---------------------------------------------------------------- a consultation


@dataclass(frozen=True)
class Found:
    """What the read found; None (or empty) where there is nothing, or it was not asked."""

    consultation: Consultation | None
    debate: Debate | None = None
    comment: Comment | None = None
    roles: dict[str, Role] = field(default_factory=dict)  # in the host and accepted partners
    grant: Role | None = None
    block: Block | None = None  # by the host's moderators, lapsed or not
    marker: Marker | None = None
    reacted: bool = False
    profile: Profile | None = None
    host: Group | None = None  # the host association, when asked for


def read(
    consultation_id: str,
    user_id: str | None,
    *,
    debate_local_id: str | None = None,
    comment_id: str | None = None,
    marker: bool = False,
    profile: bool = False,
    host: bool = False,
    consistent: bool = False,
) -> Found:
    """The consultation (with `debate_local_id`'s debate and `comment_id`'s comment), then
    what the user holds in it, and its host association if `host` (in the same second
    round trip; without a user, a round trip of its own). Stops after the first round trip
    when something asked for is missing, or without a user and `host`."""
    meta = (keys.consultation_pk(consultation_id), keys.META)
    debate_key = (
        (keys.consultation_pk(consultation_id), keys.debate_sk(debate_local_id))
        if debate_local_id is not None
        else None
    )
    wanted = [meta]
    if debate_key is not None:
        wanted.append(debate_key)
    if comment_id is not None:
        wanted.append(comment_key(comment_id))
    found = get_many(wanted, consistent=consistent)
    if any(key not in found for key in wanted):
        return Found(None)
    consultation = consultation_from_raw(found[meta])
    debate = debate_from_raw(found[debate_key]) if debate_key is not None else None
    comment = comment_from_raw(found[comment_key(comment_id)]) if comment_id is not None else None
    host_key = (keys.group_pk(consultation.group_id), keys.META)
    if user_id is None:
        if not host:
            return Found(consultation, debate, comment)
        hosts = get_many([host_key], consistent=consistent)
        return Found(consultation, debate, comment, host=_host(hosts.get(host_key)))

    groups = [consultation.group_id, *consultation.accepted_partners]
    members = {(keys.group_pk(g), keys.member_sk(user_id)): g for g in groups}
    grant_key = (keys.consultation_pk(consultation.id), keys.grant_sk(user_id))
    blocked_key = block_key(consultation.group_id, user_id)
    marked_key = marker_key(debate, user_id) if marker and debate is not None else None
    reacted_key = reaction_key(comment.id, user_id) if comment is not None else None
    chosen_key = profile_key(user_id) if profile else None
    theirs = [*members, grant_key, blocked_key]
    theirs += [key for key in (marked_key, reacted_key, chosen_key) if key is not None]
    if host:
        theirs.append(host_key)
    held = get_many(theirs, consistent=consistent)
    return Found(
        consultation,
        debate,
        comment,
        roles={g: membership_from_raw(held[key]).role for key, g in members.items() if key in held},
        grant=Role(GrantItem.from_raw_data(held[grant_key]).role) if grant_key in held else None,
        block=block_from_raw(held[blocked_key]) if blocked_key in held else None,
        marker=marker_from_raw(held[marked_key]) if marked_key in held else None,
        reacted=reacted_key in held,
        profile=profile_from_raw(held[chosen_key]) if chosen_key in held else None,
        host=_host(held.get(host_key)) if host else None,
    )


# ---------------------------------------------------------------- what a debate shows around it


@dataclass(frozen=True)
class AroundDebate:
    """What a debate's answer shows beside the debate itself."""

    comments: dict[str, int]  # per stance
    tally: Tally | None  # its running tally, when asked
    marker: Marker | None = None  # the reader's ballot marker, when asked


def read_around(
    debates: list[Debate],
    *,
    tallies: set[str],
    voter_id: str | None = None,
    consistent: bool = False,
) -> dict[str, AroundDebate]:
    """For a page of debates, each one's comment counts, the running tallies of `tallies`
    and `voter_id`'s ballot markers, together: one BatchGetItem per 100 keys (its limit), so
    one for a page of up to 33 debates, whoever reads it."""
    wanted: list[tuple[str, str]] = []
    for debate in debates:
        wanted.append(counts_key(debate.id))
        if debate.id in tallies:
            wanted.append(tally_key(debate.id))
        if voter_id is not None:
            wanted.append(marker_key(debate, voter_id))
    found = get_many(wanted, consistent=consistent) if wanted else {}

    def tally(debate: Debate) -> Tally | None:
        if debate.id not in tallies:
            return None
        raw = found.get(tally_key(debate.id))
        return tally_from_raw(raw) if raw is not None else no_tally(debate.id)

    def marker(debate: Debate) -> Marker | None:
        raw = found.get(marker_key(debate, voter_id)) if voter_id is not None else None
        return marker_from_raw(raw) if raw is not None else None

    return {
        debate.id: AroundDebate(
            comments=counts_from_raw(found.get(counts_key(debate.id))),
            tally=tally(debate),
            marker=marker(debate),
        )
        for debate in debates
    }


def _host(raw: dict | None) -> Group | None:
    return group_from_raw(raw) if raw is not None else None
