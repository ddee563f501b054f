"""/v1/groups: associations, their members, join requests, invitations and audit log."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import representations as show
from chalicelib.api.answers.groups import (
    AuditEventPage,
    GroupOut,
    GroupPage,
    InvitationOut,
    InvitationPage,
    JoinRequestOut,
    JoinRequestPage,
    MemberPage,
    MembershipOut,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import (
    created,
    no_content,
    optional_caller,
    page,
    paging,
    parse_body,
    require_caller,
    route,
)
from chalicelib.api.schemas import GroupCreate, GroupUpdate, InvitationCreate, RoleChange
from chalicelib.domain.errors import (
    AlreadyMember,
    ConcurrentUpdate,
    Forbidden,
    GroupNotFound,
    InvitationNotFound,
    InviteOnly,
    JoinRequestNotFound,
    LastAdmin,
    MemberNotFound,
)
from chalicelib.services import audit, groups, invitations, join_requests, memberships

blueprint = Blueprint(__name__)
request = lambda: blueprint.current_request  # noqa: E731


@route(
    blueprint,
    "/groups",
    methods=["POST"],
    body=GroupCreate,
    answers={201: GroupOut},
    errors=(ConcurrentUpdate,),
)
def create_group() -> Response:
    """Found an association (anyone signed in); the founder becomes its first admin."""
    caller = require_caller(request())
    body = parse_body(request(), GroupCreate)
    group, founder = groups.create(caller, **body.model_dump())
    return created(show.group(group, founder.role))


@route(
    blueprint, "/groups", methods=["GET"], auth=Auth.OPTIONAL, paged=True, answers={200: GroupPage}
)
def list_groups() -> dict[str, Any]:
    """The directory of listed associations, by name (anyone, even without a token).

    `my_role` is always null here: read an association to learn your role in it, or GET
    /v1/me for all of yours."""
    optional_caller(request())  # a token, if sent, must be valid
    result = groups.directory(*paging(request()))
    return page([show.group(group) for group in result.items], result.next)


@route(
    blueprint,
    "/groups/{group_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: GroupOut},
    errors=(GroupNotFound,),
)
def get_group(group_id: str) -> dict[str, Any]:
    """Read an association (anyone if it is listed; its members only if it is not).

    An unlisted association is `group_not_found` to everyone but its members."""
    access = groups.get(optional_caller(request()), group_id)
    return show.group(access.group, access.membership.role if access.membership else None)


@route(
    blueprint,
    "/groups/{group_id}",
    methods=["PATCH"],
    body=GroupUpdate,
    answers={200: GroupOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def update_group(group_id: str) -> dict[str, Any]:
    """Change an association's name, description, listing or join policy (admins).

    Send only the fields to change. Each change is recorded in the audit log; a change that
    changes nothing records nothing."""
    caller = require_caller(request())
    body = parse_body(request(), GroupUpdate)
    changes = groups.GroupChanges(**body.model_dump(exclude_unset=True))
    access = groups.update(caller, group_id, changes)
    return show.group(access.group, access.membership.role if access.membership else None)


@route(
    blueprint,
    "/groups/{group_id}/members",
    methods=["GET"],
    paged=True,
    answers={200: MemberPage},
    errors=(GroupNotFound, Forbidden),
)
def list_members(group_id: str) -> dict[str, Any]:
    """List an association's members and their roles (its members)."""
    caller = require_caller(request())
    result = memberships.list_members(caller, group_id, *paging(request()))
    return page([show.membership(m) for m in result.items], result.next)


@route(
    blueprint,
    "/groups/{group_id}/members/{user_id}",
    methods=["PUT"],
    body=RoleChange,
    answers={200: MembershipOut},
    errors=(GroupNotFound, Forbidden, MemberNotFound, LastAdmin, ConcurrentUpdate),
)
def set_member_role(group_id: str, user_id: str) -> dict[str, Any]:
    """Give a member another role (admins).

    The last admin cannot be demoted (`last_admin`): name another admin first."""
    caller = require_caller(request())
    body = parse_body(request(), RoleChange)
    return show.membership(memberships.set_role(caller, group_id, user_id, body.role))


@route(
    blueprint,
    "/groups/{group_id}/members/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, MemberNotFound, LastAdmin, ConcurrentUpdate),
)
def remove_member(group_id: str, user_id: str) -> Response:
    """Remove a member (admins), or leave the association (your own user id, any member).

    The last admin can neither be removed nor leave (`last_admin`)."""
    memberships.remove(require_caller(request()), group_id, user_id)
    return no_content()


@route(
    blueprint,
    "/groups/{group_id}/join",
    methods=["POST"],
    answers={201: MembershipOut, 202: JoinRequestOut},
    errors=(GroupNotFound, AlreadyMember, InviteOnly, ConcurrentUpdate),
)
def join_group(group_id: str) -> Response:
    """Join a listed association (anyone signed in who is not a member yet).

    An `open` association admits you at once as participant (201, your membership); one
    whose policy is `request` records your request for its admins (202, the request; asking
    again answers the same request); an `invite` one refuses (`invite_only`)."""
    outcome = join_requests.join(require_caller(request()), group_id)
    if outcome.membership is not None:
        return created(show.membership(outcome.membership))
    assert outcome.request is not None
    return Response(body=show.join_request(outcome.request), status_code=202)


@route(
    blueprint,
    "/groups/{group_id}/join-requests",
    methods=["GET"],
    paged=True,
    answers={200: JoinRequestPage},
    errors=(GroupNotFound, Forbidden),
)
def list_join_requests(group_id: str) -> dict[str, Any]:
    """List the pending requests to join an association (admins)."""
    caller = require_caller(request())
    result = join_requests.join_requests(caller, group_id, *paging(request()))
    return page([show.join_request(r) for r in result.items], result.next)


@route(
    blueprint,
    "/groups/{group_id}/join-requests/{user_id}/approve",
    methods=["POST"],
    answers={201: MembershipOut},
    errors=(GroupNotFound, Forbidden, JoinRequestNotFound, AlreadyMember, ConcurrentUpdate),
)
def approve_join_request(group_id: str, user_id: str) -> Response:
    """Admit someone who asked to join, as participant (admins)."""
    caller = require_caller(request())
    return created(show.membership(join_requests.approve_join_request(caller, group_id, user_id)))


@route(
    blueprint,
    "/groups/{group_id}/join-requests/{user_id}/reject",
    methods=["POST"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, JoinRequestNotFound, ConcurrentUpdate),
)
def reject_join_request(group_id: str, user_id: str) -> Response:
    """Turn down a request to join (admins)."""
    join_requests.reject_join_request(require_caller(request()), group_id, user_id)
    return no_content()


@route(
    blueprint,
    "/groups/{group_id}/invitations",
    methods=["POST"],
    body=InvitationCreate,
    answers={201: InvitationOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def create_invitation(group_id: str) -> Response:
    """Create an invitation code that admits whoever holds it with a role (admins).

    It is valid for `expires_in_hours` (default: a week), for `max_uses` people (default:
    no limit), until an admin revokes it, and only while its creator still holds the role
    it gives. Share its `code`: /v1/invitations/{code}."""
    caller = require_caller(request())
    body = parse_body(request(), InvitationCreate)
    invitation = invitations.create(caller, group_id, **body.model_dump())
    return created(show.invitation(invitation))


@route(
    blueprint,
    "/groups/{group_id}/invitations",
    methods=["GET"],
    paged=True,
    answers={200: InvitationPage},
    errors=(GroupNotFound, Forbidden),
)
def list_invitations(group_id: str) -> dict[str, Any]:
    """List an association's invitations, newest first, with their creator, uses, expiry
    and `status` (admins). Revoked invitations are not listed."""
    caller = require_caller(request())
    result = invitations.list_for_group(caller, group_id, *paging(request()))
    return page(
        [show.listed_invitation(i.invitation, i.status.value) for i in result.items], result.next
    )


@route(
    blueprint,
    "/groups/{group_id}/invitations/{code}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, InvitationNotFound, ConcurrentUpdate),
)
def revoke_invitation(group_id: str, code: str) -> Response:
    """Revoke an invitation (admins): from now on it admits nobody (`invitation_revoked`).
    Recorded in the audit log; revoking it again changes nothing."""
    invitations.revoke(require_caller(request()), group_id, code)
    return no_content()


@route(
    blueprint,
    "/groups/{group_id}/audit",
    methods=["GET"],
    paged=True,
    answers={200: AuditEventPage},
    errors=(GroupNotFound, Forbidden),
)
def audit_log(group_id: str) -> dict[str, Any]:
    """Read an association's audit log, newest first (admins)."""
    caller = require_caller(request())
    result = audit.audit_log(caller, group_id, *paging(request()))
    return page([show.audit_event(event) for event in result.items], result.next)
