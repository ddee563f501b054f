"""/v1/groups: associations, their members, join requests, invitations and audit log."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.groups import (
    AuditEventOut,
    AuditEventPage,
    GroupOut,
    GroupPage,
    InvitationOut,
    InvitationPage,
    JoinRequestOut,
    JoinRequestPage,
    ListedInvitationOut,
    MemberPage,
    MembershipOut,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import Answered, Paging, route
from chalicelib.api.schemas import GroupCreate, GroupUpdate, InvitationCreate, RoleChange
from chalicelib.domain.errors import (
    AlreadyMember,
    ConcurrentUpdate,
    Forbidden,
    GroupNotFound,
    InvitationEmailLimit,
    InvitationNotFound,
    InviteOnly,
    JoinRequestNotFound,
    LastAdmin,
    MemberNotFound,
)
from chalicelib.domain.model import Caller
from chalicelib.services import audit, groups, invitations, join_requests, memberships

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/groups",
    methods=["POST"],
    body=GroupCreate,
    answers={201: GroupOut},
    errors=(ConcurrentUpdate,),
)
def create_group(caller: Caller, body: GroupCreate) -> GroupOut:
    """Found an association (anyone signed in); the founder becomes its first admin."""
    group, founder = groups.create(caller, **body.model_dump())
    return GroupOut.of(group, my_role=founder.role)


@route(
    blueprint, "/groups", methods=["GET"], auth=Auth.OPTIONAL, paged=True, answers={200: GroupPage}
)
def list_groups(caller: Caller | None, paging: Paging) -> GroupPage:
    """The directory of listed associations, by name (anyone, even without a token).

    `my_role` is always null here: read an association to learn your role in it, or GET
    /v1/me for all of yours."""
    del caller  # the same directory for everyone; a token, if sent, must still be valid
    result = groups.directory(paging.limit, paging.cursor)
    return GroupPage.of(result, items=[GroupOut.of(g, my_role=None) for g in result.items])


@route(
    blueprint,
    "/groups/{group_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: GroupOut},
    errors=(GroupNotFound,),
)
def get_group(caller: Caller | None, group_id: str) -> GroupOut:
    """Read an association (anyone if it is listed; its members only if it is not).

    An unlisted association is `group_not_found` to everyone but its members."""
    access = groups.get(caller, group_id)
    return GroupOut.of(access.group, my_role=access.role, following=access.following)


@route(
    blueprint,
    "/groups/{group_id}",
    methods=["PATCH"],
    body=GroupUpdate,
    answers={200: GroupOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def update_group(caller: Caller, group_id: str, body: GroupUpdate) -> GroupOut:
    """Change an association's name, description, listing or join policy (admins).

    Send only the fields to change. Each change is recorded in the audit log; a change that
    changes nothing records nothing."""
    changes = groups.GroupChanges(**body.model_dump(exclude_unset=True))
    access = groups.update(caller, group_id, changes)
    return GroupOut.of(access.group, my_role=access.role)


@route(
    blueprint,
    "/groups/{group_id}/members",
    methods=["GET"],
    paged=True,
    answers={200: MemberPage},
    errors=(GroupNotFound, Forbidden),
)
def list_members(caller: Caller, group_id: str, paging: Paging) -> MemberPage:
    """List an association's members and their roles (its members)."""
    result = memberships.list_members(caller, group_id, paging.limit, paging.cursor)
    return MemberPage.of(result, items=[MembershipOut.of(m) for m in result.items])


@route(
    blueprint,
    "/groups/{group_id}/members/{user_id}",
    methods=["PUT"],
    body=RoleChange,
    answers={200: MembershipOut},
    errors=(GroupNotFound, Forbidden, MemberNotFound, LastAdmin, ConcurrentUpdate),
)
def set_member_role(caller: Caller, group_id: str, user_id: str, body: RoleChange) -> MembershipOut:
    """Give a member another role (admins).

    The last admin cannot be demoted (`last_admin`): name another admin first."""
    return MembershipOut.of(memberships.set_role(caller, group_id, user_id, body.role))


@route(
    blueprint,
    "/groups/{group_id}/members/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, MemberNotFound, LastAdmin, ConcurrentUpdate),
)
def remove_member(caller: Caller, group_id: str, user_id: str) -> None:
    """Remove a member (admins), or leave the association (your own user id, any member).

    The last admin can neither be removed nor leave (`last_admin`)."""
    memberships.remove(caller, group_id, user_id)


@route(
    blueprint,
    "/groups/{group_id}/join",
    methods=["POST"],
    answers={201: MembershipOut, 202: JoinRequestOut},
    errors=(GroupNotFound, AlreadyMember, InviteOnly, ConcurrentUpdate),
)
def join_group(caller: Caller, group_id: str) -> Answered:
    """Join a listed association (anyone signed in who is not a member yet).

    An `open` association admits you at once as participant (201, your membership); one
    whose policy is `request` records your request for its admins (202, the request; asking
    again answers the same request); an `invite` one refuses (`invite_only`)."""
    outcome = join_requests.join(caller, group_id)
    if outcome.membership is not None:
        return Answered(201, MembershipOut.of(outcome.membership))
    assert outcome.request is not None
    return Answered(202, JoinRequestOut.pending(outcome.request))


@route(
    blueprint,
    "/groups/{group_id}/join-requests",
    methods=["GET"],
    paged=True,
    answers={200: JoinRequestPage},
    errors=(GroupNotFound, Forbidden),
)
def list_join_requests(caller: Caller, group_id: str, paging: Paging) -> JoinRequestPage:
    """List the pending requests to join an association (admins)."""
    result = join_requests.join_requests(caller, group_id, paging.limit, paging.cursor)
    return JoinRequestPage.of(result, items=[JoinRequestOut.pending(r) for r in result.items])


@route(
    blueprint,
    "/groups/{group_id}/join-requests/{user_id}/approve",
    methods=["POST"],
    answers={201: MembershipOut},
    errors=(GroupNotFound, Forbidden, JoinRequestNotFound, AlreadyMember, ConcurrentUpdate),
)
def approve_join_request(caller: Caller, group_id: str, user_id: str) -> MembershipOut:
    """Admit someone who asked to join, as participant (admins)."""
    return MembershipOut.of(join_requests.approve_join_request(caller, group_id, user_id))


@route(
    blueprint,
    "/groups/{group_id}/join-requests/{user_id}/reject",
    methods=["POST"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, JoinRequestNotFound, ConcurrentUpdate),
)
def reject_join_request(caller: Caller, group_id: str, user_id: str) -> None:
    """Turn down a request to join (admins)."""
    join_requests.reject_join_request(caller, group_id, user_id)


@route(
    blueprint,
    "/groups/{group_id}/invitations",
    methods=["POST"],
    body=InvitationCreate,
    answers={201: InvitationOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate, InvitationEmailLimit),
)
def create_invitation(caller: Caller, group_id: str, body: InvitationCreate) -> InvitationOut:
    """Create an invitation code that admits whoever holds it with a role (admins).

    It is valid for `expires_in_hours` (default: a week), for `max_uses` people (default:
    no limit), until an admin revokes it, and only while its creator still holds the role
    it gives. Share its `code`: /v1/invitations/{code}; or name an `email`, and the Hub
    sends the link there (the address is shown to the association's admins only). One
    person may email so many invitations a day (HUB_INVITATION_EMAILS_PER_DAY, 20 by
    default), whichever associations they invite to: over it, 429 `invitation_email_limit`."""
    return InvitationOut.for_admins(invitations.create(caller, group_id, **body.model_dump()))


@route(
    blueprint,
    "/groups/{group_id}/invitations",
    methods=["GET"],
    paged=True,
    answers={200: InvitationPage},
    errors=(GroupNotFound, Forbidden),
)
def list_invitations(caller: Caller, group_id: str, paging: Paging) -> InvitationPage:
    """List an association's invitations, newest first, with their creator, uses, expiry
    and `status` (admins). Revoked invitations are not listed."""
    result = invitations.list_for_group(caller, group_id, paging.limit, paging.cursor)
    items = [ListedInvitationOut.listed(i.invitation, i.status) for i in result.items]
    return InvitationPage.of(result, items=items)


@route(
    blueprint,
    "/groups/{group_id}/invitations/{code}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, InvitationNotFound, ConcurrentUpdate),
)
def revoke_invitation(caller: Caller, group_id: str, code: str) -> None:
    """Revoke an invitation (admins): from now on it admits nobody (`invitation_revoked`).
    Recorded in the audit log; revoking it again changes nothing."""
    invitations.revoke(caller, group_id, code)


@route(
    blueprint,
    "/groups/{group_id}/audit",
    methods=["GET"],
    paged=True,
    answers={200: AuditEventPage},
    errors=(GroupNotFound, Forbidden),
)
def audit_log(caller: Caller, group_id: str, paging: Paging) -> AuditEventPage:
    """Read an association's audit log, newest first (admins)."""
    result = audit.audit_log(caller, group_id, paging.limit, paging.cursor)
    return AuditEventPage.of(result, items=[AuditEventOut.of_event(e) for e in result.items])
