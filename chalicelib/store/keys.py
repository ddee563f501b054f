"""Key builders: the one source of truth for how items are addressed (see docs/data.md)."""

from __future__ import annotations

import hashlib

META = "META"
GROUPS_DIRECTORY = "GROUPS"


def group_pk(group_id: str) -> str:
    return f"GROUP#{group_id}"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


MEMBER_PREFIX = "MEMBER#"


def join_request_sk(user_id: str) -> str:
    return f"REQUEST#{user_id}"


JOIN_REQUEST_PREFIX = "REQUEST#"


def user_pk(user_id: str) -> str:
    """A user's partition in gsi1: their memberships (`GROUP#g`) and grants (`GRANT#c`);
    in the table itself: their profile (`PROFILE`)."""
    return f"USER#{user_id}"


PROFILE = "PROFILE"  # sk of a user's profile, in the table's `USER#u` partition


def owner_pk(user_id: str) -> str:
    """A person's partition in the `owner` index: every item they wrote or that is about
    them (ballot markers, comments, reactions, flags, join requests, invitations they
    created, audit entries they made, blocks of them): what an export reads and an erasure
    rewrites, by Query, never by Scan (docs/privacy.md)."""
    return f"OWNER#{user_id}"


def owner_sk(kind: str, pk: str, sk: str) -> str:
    """An owned item's sort key in its owner's partition: its kind first (a kind's items
    are one `begins_with`), then its own key."""
    return f"{kind}#{pk}#{sk}"


def subject_pk(user_id: str) -> str:
    """gsi1 partition of the audit entries whose subject is this person (their role was
    changed, they were removed or blocked): an erasure pseudonymises those too."""
    return f"SUBJECT#{user_id}"


USER_MEMBERSHIP_PREFIX = "GROUP#"  # gsi1sk of a membership in its user's partition


def directory_sk(name: str, group_id: str) -> str:
    """Listed groups sort by name, case-insensitively; the id keeps equal names apart."""
    return f"{name.casefold()}#{group_id}"


def invitation_pk(code: str) -> str:
    return f"INVITE#{code}"


def group_invitations_pk(group_id: str) -> str:
    """gsi1 partition of a group's invitations (until revoked or deleted by TTL)."""
    return f"INVITES#{group_id}"


def group_invitation_sk(created_at_iso: str, code: str) -> str:
    """Newest first is a backwards Query."""
    return f"{created_at_iso}#{code}"


def audit_pk(group_id: str) -> str:
    return f"AUDIT#{group_id}"


def audit_sk(at_iso: str, event_id: str) -> str:
    return f"EVENT#{at_iso}#{event_id}"


AUDIT_PREFIX = "EVENT#"


PUBLIC_CONSULTATIONS = "PUBLIC"


def consultation_pk(consultation_id: str) -> str:
    return f"CONSULT#{consultation_id}"


def consultation_link_sk(created_at_iso: str, consultation_id: str) -> str:
    """Newest first is a backwards Query of the group's partition."""
    return f"CONSULT#{created_at_iso}#{consultation_id}"


CONSULTATION_LINK_PREFIX = "CONSULT#"


def partner_invitation_sk(created_at_iso: str, consultation_id: str) -> str:
    """In the invited group's partition while a partnership is pending: its admins' list."""
    return f"PARTNERINV#{created_at_iso}#{consultation_id}"


PARTNER_INVITATION_PREFIX = "PARTNERINV#"


def public_sk(published_at_iso: str, consultation_id: str) -> str:
    return f"{published_at_iso}#{consultation_id}"


def grant_sk(user_id: str) -> str:
    return f"GRANT#{user_id}"


GRANT_PREFIX = "GRANT#"


def user_grant_sk(consultation_id: str) -> str:
    return f"GRANT#{consultation_id}"


def proxy_sk(giver_id: str) -> str:
    """In the consultation's partition: the proxy `giver_id` gave for it (one at most)."""
    return f"PROXY#{giver_id}"


PROXY_PREFIX = "PROXY#"


def proxy_holder_sk(holder_id: str) -> str:
    """In the consultation's partition: how many of its proxies `holder_id` holds."""
    return f"PROXYHOLDER#{holder_id}"


def held_proxies_pk(holder_id: str) -> str:
    """gsi1 partition of the proxies a person holds, in every consultation."""
    return f"PROXIES#{holder_id}"


def held_proxy_sk(given_at_iso: str, consultation_id: str, giver_id: str) -> str:
    """Newest first is a backwards Query of the holder's partition."""
    return f"{given_at_iso}#{consultation_id}#{giver_id}"


def debate_sk(local_id: str) -> str:
    return f"DEBATE#{local_id}"


DEBATE_PREFIX = "DEBATE#"


def ballot_pk(debate_id: str, shard: int) -> str:
    return f"BALLOTS#{debate_id}#{shard}"


BALLOTS_PREFIX = "BALLOTS#"


def voter_sk(user_id: str) -> str:
    return f"VOTER#{user_id}"


VOTER_PREFIX = "VOTER#"


def secret_ballot_sk(receipt: str) -> str:
    return f"BALLOT#{receipt}"


SECRET_BALLOT_PREFIX = "BALLOT#"


def tally_pk(debate_id: str) -> str:
    return f"TALLY#{debate_id}"


DUE = "DUE"  # the due index's one partition: transitions are few, whatever the table's size


def result_sk(debate_id: str) -> str:
    return f"RESULT#{debate_id}"


RESULT_PREFIX = "RESULT#"


def comments_pk(debate_id: str) -> str:
    return f"COMMENTS#{debate_id}"


def comment_sk(path: str) -> str:
    """`path`: the comment's local id, or `<parent local id>#<local id>` for a reply."""
    parent, _, local = path.rpartition("#")
    return f"R#{parent}#{local}" if parent else f"T#{local}"


TOP_LEVEL_PREFIX = "T#"
REPLY_PREFIX = "R#"  # every reply's, whatever its parent: sorts before the arguments'
COMMENT_COUNTS = "COUNTS"


def replies_prefix(parent_local: str) -> str:
    return f"R#{parent_local}#"


def top_pk(debate_id: str) -> str:
    return f"TOP#{debate_id}"


def top_sk(reactions: int, local: str) -> str:
    """Most reactions first is a backwards Query; equal counts, newest first."""
    return f"{reactions:010d}#{local}"


def comment_pk(comment_id: str) -> str:
    return f"COMMENT#{comment_id}"


def reaction_sk(user_id: str) -> str:
    return f"REACT#{user_id}"


def flag_sk(user_id: str) -> str:
    return f"FLAG#{user_id}"


def queue_pk(group_id: str) -> str:
    return f"MODQ#{group_id}"


def queue_sk(comment_id: str) -> str:
    return f"COMMENT#{comment_id}"


def block_sk(user_id: str) -> str:
    return f"BLOCK#{user_id}"


def idempotency_pk(user_id: str, key: str) -> str:
    """One caller's Idempotency-Key: the key is hashed (any printable ASCII, up to 255
    characters, kept out of the table), and the caller's id keeps one user's keys, and the
    answers stored under them, apart from everyone else's."""
    digest = hashlib.sha256(key.encode("ascii")).hexdigest()
    return f"IDEMPOTENCY#{user_id}#{digest}"


# Notifications (chalicelib/domain/notifications.py, store/notifications.py).


def notifications_pk(user_id: str) -> str:
    """A person's notifications (`N#<event id>`, newest first is a backwards Query) and the
    markers of what was sent to them (`SENT#<event id>#<channel>`)."""
    return f"NOTIFS#{user_id}"


NOTIFICATION_PREFIX = "N#"


def notification_sk(event_id: str) -> str:
    return f"{NOTIFICATION_PREFIX}{event_id}"


def delivery_sk(event_id: str, channel: str) -> str:
    return f"SENT#{event_id}#{channel}"


NOTIFY = "NOTIFY"  # sk, in `USER#u`: how to reach them, their choices, what they have read


def followers_pk(group_id: str) -> str:
    return f"FOLLOWERS#{group_id}"


def follower_sk(user_id: str) -> str:
    return f"USER#{user_id}"


FOLLOWER_PREFIX = "USER#"


def user_follow_sk(group_id: str) -> str:
    """gsi1sk of a follow in its user's partition (`USER#u`), beside memberships and grants."""
    return f"FOLLOW#{group_id}"


USER_FOLLOW_PREFIX = "FOLLOW#"

# Daily digests: entries spread over shards (by the recipient), so that a digest for
# 100,000 people is no hot partition; the digest job reads each shard of one day.
DIGEST_SHARDS = 16


def digest_pk(day: str, shard: int) -> str:
    """`day`: YYYY-MM-DD (UTC), the day whose digest the entry goes in."""
    return f"DIGEST#{day}#{shard}"


def digest_shard(user_id: str) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16) % DIGEST_SHARDS


def digest_sk(user_id: str, event_id: str) -> str:
    return f"{user_id}#{event_id}"


def invitation_emails_sk(day: str) -> str:
    """In `USER#u`: how many emailed invitations they created on `day` (YYYY-MM-DD, UTC)."""
    return f"INVITEMAILS#{day}"


REMINDERS = "REMIND"  # the due index's partition of reminders (closing soon), apart from DUE


def reminder_sk(kind: str) -> str:
    """In the consultation's partition: one reminder of each kind."""
    return f"REMINDER#{kind}"
