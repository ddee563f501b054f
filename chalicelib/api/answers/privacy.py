"""What the privacy routes answer: a person's export (GET /v1/me/export) and an erasure
still running (DELETE /v1/me, 202).

The export's sections are built by the models below but documented in the contract as
lists of objects with their keys named (the contract is served at every cold start of a
client generator: its size is kept under 150 KB)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field

from chalicelib.api.answers import Answer, Timestamp, absent_unless
from chalicelib.api.answers.deliberation import VoteChoice, _Marks
from chalicelib.api.answers.proxies import ProxyOut
from chalicelib.domain.ballots import shown_ballot
from chalicelib.domain.deliberation import FlagReason, Stance
from chalicelib.domain.notifications import Kind
from chalicelib.domain.privacy import EXPORT_FORMAT
from chalicelib.domain.roles import Role

if TYPE_CHECKING:  # what the privacy service returns; only read here
    from chalicelib.services.privacy import Export


class ExportProfileOut(Answer):
    display_name: str | None
    locale: str | None
    updated_at: Timestamp | None


class ExportReachabilityOut(Answer):
    email: str | None
    email_verified: bool
    locale: str | None


class ExportMembershipOut(Answer):
    group_id: str
    group_name: str = Field(description="Its name now; empty if it is gone.")
    role: Role
    joined_at: Timestamp


class ExportGrantOut(Answer):
    consultation_id: str
    role: Role
    granted_at: Timestamp


class ExportFollowOut(Answer):
    group_id: str
    followed_at: Timestamp


class ExportInvitationOut(Answer):
    code: str
    group_id: str
    role: Role
    created_at: Timestamp
    expires_at: Timestamp
    uses: int
    max_uses: int | None
    email: str | None
    revoked_at: Timestamp | None


class ExportJoinRequestOut(Answer):
    group_id: str
    requested_at: Timestamp


class ExportVersionOut(Answer):
    body: str
    written_at: Timestamp


class ExportCommentOut(Answer):
    id: str
    debate_id: str
    parent_id: str | None
    stance: Stance
    body: str
    history: list[ExportVersionOut] = Field(description="Earlier versions, oldest first.")
    created_at: Timestamp
    edited_at: Timestamp | None
    hidden: bool
    deleted: bool


class ExportReactionOut(Answer):
    comment_id: str
    reacted_at: Timestamp


class ExportFlagOut(Answer):
    comment_id: str
    reason: FlagReason
    flagged_at: Timestamp


class ExportBallotOut(_Marks):
    """A ballot: its choice as the ballot routes show it; for a secret ballot only that, and
    when, they voted."""

    debate_id: str
    secret: bool
    cast_at: Timestamp
    changed_at: Timestamp | None = absent_unless("Ballots that are not secret.")
    choice: VoteChoice = absent_unless("Votes that are not secret: the choice.")
    choices: list[str] = absent_unless("Polls that are not secret: the option ids chosen.")
    sign: Literal[True] = absent_unless("Petitions that are not secret: signed.")


class ExportNotificationOut(Answer):
    id: str
    kind: Kind
    at: Timestamp
    group_id: str | None
    data: dict[str, str]
    read: bool


class ExportBlockOut(Answer):
    group_id: str
    reason: str
    until: Timestamp | None
    blocked_at: Timestamp


class ExportAuditEntryOut(Answer):
    group_id: str
    action: str
    at: Timestamp
    subject_id: str | None
    details: dict[str, Any]


Section = list[dict[str, Any]]


def _dumped(models: list[Answer]) -> Section:
    return [model.model_dump(mode="json", exclude_unset=True) for model in models]


class ExportOut(Answer):
    """Everything the Hub holds about the caller: each section's keys are in docs/api.md,
    "Your data: export and erasure"."""

    format: Literal["hub-export-1"]
    generated_at: Timestamp
    user_id: str
    profile: dict[str, Any] | None
    reachability: dict[str, Any] | None
    preferences: dict[str, str]
    read_before: str | None
    memberships: Section
    grants: Section
    follows: Section
    invitations_created: Section
    join_requests: Section
    comments: Section
    reactions: Section
    flags: Section
    ballots: Section
    notifications: Section
    blocks: Section
    audit_entries: Section
    proxies_given: Section
    proxies_held: Section

    @classmethod
    def of_export(cls, export: Export) -> Self:
        ballots = []
        for ballot in export.ballots:
            marker, debate = ballot.marker, ballot.debate
            if marker.ballot is None:
                ballots.append(ExportBallotOut.of(marker, secret=True))
            else:
                shown = shown_ballot(debate.function, marker.ballot) if debate else {}
                ballots.append(
                    ExportBallotOut.of(marker, secret=False, changed_at=marker.changed_at, **shown)
                )
        profile = ExportProfileOut.of(export.profile) if export.profile else None
        reachable = ExportReachabilityOut.of(export.reachability) if export.reachability else None
        return cls.of(
            export,
            format=EXPORT_FORMAT,
            profile=profile.model_dump(mode="json") if profile else None,
            reachability=reachable.model_dump(mode="json") if reachable else None,
            memberships=_dumped(
                [ExportMembershipOut.of(m, group_name=name) for m, name in export.memberships]
            ),
            grants=_dumped([ExportGrantOut.model_validate(g) for g in export.grants]),
            follows=_dumped([ExportFollowOut.model_validate(f) for f in export.follows]),
            invitations_created=_dumped(
                [ExportInvitationOut.of(i) for i in export.invitations_created]
            ),
            join_requests=_dumped([ExportJoinRequestOut.of(r) for r in export.join_requests]),
            comments=_dumped([ExportCommentOut.of(c) for c in export.comments]),
            reactions=_dumped([ExportReactionOut.model_validate(r) for r in export.reactions]),
            flags=_dumped([ExportFlagOut.model_validate(f) for f in export.flags]),
            ballots=_dumped(ballots),
            notifications=_dumped([ExportNotificationOut.of(n) for n in export.notifications]),
            blocks=_dumped([ExportBlockOut.of(b) for b in export.blocks]),
            audit_entries=_dumped([ExportAuditEntryOut.of(e) for e in export.audit_entries]),
            proxies_given=_dumped([ProxyOut.of_proxy(p) for p in export.proxies_given]),
            proxies_held=_dumped([ProxyOut.of_proxy(p) for p in export.proxies_held]),
        )


class ErasingOut(Answer):
    """Call again to go on."""

    status: Literal["erasing"]
