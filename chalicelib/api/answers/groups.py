"""What /v1/groups, /v1/me and /v1/invitations answer: associations, memberships, join
requests, invitations and the audit log, each built from its domain object."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import AliasChoices, Field

from chalicelib.api.answers import Answer, Page, PersonOut, Timestamp, absent_unless
from chalicelib.domain.groups import Group, Invitation, InvitationStatus, JoinPolicy, JoinRequest
from chalicelib.domain.model import AuditEvent, Caller, Consultation
from chalicelib.domain.profiles import Language, Profile, shown_name
from chalicelib.domain.roles import Role

# Memberships, join requests and grants are identified by their user's id.
USER_ID = AliasChoices("id", "user_id")

# ---------------------------------------------------------------- associations


class GroupOut(Answer):
    """An association."""

    id: str
    name: str
    description: str
    listed: bool = Field(
        description="Listed associations appear in the directory (GET /v1/groups) and anyone "
        "may read them; an unlisted one is visible to its members only."
    )
    join_policy: JoinPolicy = Field(
        description="How people join: `invite` with an invitation code only, `request` by "
        "asking an admin (POST .../join answers 202), `open` at once as participant."
    )
    created_at: Timestamp
    member_count: int = Field(description="How many members it has, every role counted.")
    my_role: Role | None = Field(
        description="The caller's role in the association; null when they are not a member, "
        "are anonymous, and always in the directory."
    )
    following: bool | None = Field(
        default=None,
        description="Whether the caller follows the association's public consultations "
        "(PUT/DELETE .../follow); null when anonymous, and in the directory and the answers "
        "of changes.",
    )


class GroupPage(Page[GroupOut]):
    """Listed associations, by name."""


# ---------------------------------------------------------------- members and joining


class MembershipOut(Answer):
    """A member of an association, with their role."""

    id: str = Field(
        description="The member's user id (the token's subject).", validation_alias=USER_ID
    )
    group_id: str
    name: str = Field(description="The member's display name when they joined.")
    role: Role
    joined_at: Timestamp


class MemberPage(Page[MembershipOut]):
    """An association's members, by user id."""


class JoinRequestOut(Answer):
    """Someone asking to join an association whose join policy is `request`."""

    id: str = Field(description="The user id of who asks to join.", validation_alias=USER_ID)
    group_id: str
    name: str = Field(description="Their display name.")
    status: Literal["pending"] = Field(
        description="Always `pending`: approved or rejected requests are no longer listed."
    )
    requested_at: Timestamp

    @classmethod
    def pending(cls, request: JoinRequest) -> Self:
        return cls.of(request, status="pending")


class JoinRequestPage(Page[JoinRequestOut]):
    """The requests to join waiting for an admin, by user id."""


# ---------------------------------------------------------------- invitations


class InvitationOut(Answer):
    """An invitation code: whoever holds it may join with its role, while it is usable."""

    code: str = Field(description="The secret code to share: /v1/invitations/{code}.")
    group_id: str
    role: Role = Field(description="The role given to whoever accepts it.")
    max_uses: int | None = Field(description="How many people may accept it; null: no limit.")
    uses: int = Field(description="How many have accepted it so far.")
    expires_at: Timestamp
    created_at: Timestamp
    email: str = absent_unless(
        "The address the link was sent to, when an admin named one: to its admins only."
    )

    @classmethod
    def for_admins(cls, invitation: Invitation, **computed: Any) -> Self:
        if invitation.email:
            computed["email"] = invitation.email
        return cls.of(invitation, **computed)


class ListedInvitationOut(InvitationOut):
    """An invitation in its association's list, for its admins."""

    created_by: PersonOut = Field(description="Who created it, named as they were then.")
    status: Literal["usable", "expired", "used_up", "void", "revoked"] = Field(
        description="What the code does now: `usable` admits; `expired` and `used_up` no "
        "longer do; `void` when its creator no longer holds the role it gives (removed, or "
        "demoted below it): it admits nobody unless they regain that role. `revoked` only "
        "for a moment after a revocation (the list is an index that follows shortly)."
    )

    @classmethod
    def listed(cls, invitation: Invitation, status: InvitationStatus) -> Self:
        creator = PersonOut(id=invitation.created_by, name=invitation.created_by_name)
        return cls.for_admins(invitation, created_by=creator, status=status)


class InvitationPage(Page[ListedInvitationOut]):
    """An association's invitations, newest first; revoked ones are not listed."""


class InvitationPreviewOut(InvitationOut):
    """An invitation, with the name of the association it leads to."""

    group_name: str


class InvitationAcceptanceOut(MembershipOut):
    """The caller's membership after accepting an invitation, and the association's name."""

    group_name: str


# ---------------------------------------------------------------- the caller


class MyGroupOut(Answer):
    """An association the caller belongs to."""

    id: str
    name: str
    role: Role = Field(description="The caller's role in it.")
    member_count: int = Field(description="How many members it has, every role counted.")


class MyGrantOut(Answer):
    """A consultation the caller was given a role in by its host's admins (a grant)."""

    consultation_id: str
    title: str
    role: Role = Field(description="The role the grant gives in this consultation.")


class ProfileOut(Answer):
    """The caller as the Hub knows them: their token's identity and their own choices."""

    id: str = Field(description="The token's subject: the caller's user id.")
    display_name: str = Field(
        description="The name shown beside what they write from now on: the one they chose "
        "(PATCH /v1/me), else their token's name, else their user id. Memberships, "
        "invitations and audit entries keep the token's name of the moment."
    )
    email: str | None = Field(
        description="The token's email, only when the identity provider verified it; else null."
    )
    email_verified: bool
    identity_verified: bool
    locale: Language | None = Field(
        description="The language they chose (PATCH /v1/me); null when they chose none. "
        "Error messages follow the request's Accept-Language, not this."
    )

    @classmethod
    def of_profile(cls, caller: Caller, profile: Profile | None, **more: Any) -> Self:
        return cls.of(
            caller,
            display_name=shown_name(caller, profile),
            email=caller.verified_email,
            locale=profile.locale if profile else None,
            **more,
        )


class MeOut(ProfileOut):
    """The caller, their associations and the consultations they were given a role in."""

    name: str = Field(
        deprecated=True,
        description="Deprecated: `display_name`, under the name `GET /v1/me` gave it before "
        "issue 14; to be removed once clients have moved.",
    )
    groups: list[MyGroupOut] = Field(description="By name.")
    grants: list[MyGrantOut] = Field(
        description="By title; only consultations the caller can open (a draft shows to "
        "granted authors and admins only)."
    )

    @classmethod
    def of_me(
        cls,
        caller: Caller,
        profile: Profile | None,
        groups: list[tuple[Role, Group]],
        grants: list[tuple[Role, Consultation]],
    ) -> Self:
        return cls.of_profile(
            caller,
            profile,
            name=shown_name(caller, profile),
            groups=[MyGroupOut.of(group, role=role) for role, group in groups],
            grants=[MyGrantOut.of(c, consultation_id=c.id, role=role) for role, c in grants],
        )


# ---------------------------------------------------------------- audit log

AuditAction = Literal[
    "group_created",
    "group_updated",
    "invitation_created",
    "invitation_revoked",
    "member_joined",
    "member_role_changed",
    "member_left",
    "member_erased",
    "member_removed",
    "join_request_rejected",
    "member_blocked",
    "member_unblocked",
    "consultation_created",
    "consultation_updated",
    "consultation_published",
    "consultation_opened",
    "consultation_closed",
    "consultation_finalised",
    "partner_invited",
    "partner_accepted",
    "partner_withdrawn",
    "grant_set",
    "grant_removed",
    "debate_created",
    "debate_updated",
    "debate_addendum_added",
    "tally_mismatch",
    "comment_deleted",
    "comment_hidden",
    "comment_auto_hidden",
    "comment_restored",
    "proxy_given",
    "proxy_revoked",
    "proxy_declined",
    "proxy_used",
]


class AuditActorOut(Answer):
    """Who did it: a user, or the Hub itself (`hub-scheduler` for scheduled changes,
    `hub-moderation` for comments hidden automatically)."""

    id: str
    name: str


class AuditEventOut(Answer):
    """One entry of an association's audit log: who did what to whom."""

    id: str
    at: Timestamp
    action: AuditAction
    actor: AuditActorOut
    subject_id: str | None = Field(
        description="The user the action was about (the member joined, removed, blocked, "
        "the comment's author...); null when it was about no one in particular."
    )
    details: dict[str, Any] = Field(
        description="What changed, by action: e.g. `{field: {from, to}}` for group_updated, "
        "consultation_updated and debate_updated, "
        "`{from, to}` for member_role_changed, `{via, role}` for member_joined."
    )

    @classmethod
    def of_event(cls, event: AuditEvent) -> Self:
        return cls.of(event, actor=AuditActorOut(id=event.actor_id, name=event.actor_name))


class AuditEventPage(Page[AuditEventOut]):
    """An association's audit log, newest first."""
