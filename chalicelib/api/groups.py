"""/v1/groups: associations, their members, join requests, invitations and audit log."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import representations as show
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
from chalicelib.services import groups, invitations, members

blueprint = Blueprint(__name__)
request = lambda: blueprint.current_request  # noqa: E731


@route(blueprint, "/groups", methods=["POST"])
def create_group() -> Response:
    caller = require_caller(request())
    body = parse_body(request(), GroupCreate)
    group, founder = groups.create(caller, **body.model_dump())
    return created(show.group(group, founder.role))


@route(blueprint, "/groups", methods=["GET"])
def list_groups() -> dict[str, Any]:
    optional_caller(request())  # a token, if sent, must be valid
    result = groups.directory(*paging(request()))
    return page([show.group(group) for group in result.items], result.next)


@route(blueprint, "/groups/{group_id}", methods=["GET"])
def get_group(group_id: str) -> dict[str, Any]:
    access = groups.get(optional_caller(request()), group_id)
    return show.group(access.group, access.membership.role if access.membership else None)


@route(blueprint, "/groups/{group_id}", methods=["PATCH"])
def update_group(group_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), GroupUpdate)
    changes = groups.GroupChanges(**body.model_dump(exclude_unset=True))
    access = groups.update(caller, group_id, changes)
    return show.group(access.group, access.membership.role if access.membership else None)


@route(blueprint, "/groups/{group_id}/members", methods=["GET"])
def list_members(group_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    result = members.list_members(caller, group_id, *paging(request()))
    return page([show.membership(m) for m in result.items], result.next)


@route(blueprint, "/groups/{group_id}/members/{user_id}", methods=["PUT"])
def set_member_role(group_id: str, user_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), RoleChange)
    return show.membership(members.set_role(caller, group_id, user_id, body.role))


@route(blueprint, "/groups/{group_id}/members/{user_id}", methods=["DELETE"])
def remove_member(group_id: str, user_id: str) -> Response:
    members.remove(require_caller(request()), group_id, user_id)
    return no_content()


@route(blueprint, "/groups/{group_id}/join", methods=["POST"])
def join_group(group_id: str) -> Response:
    outcome = groups.join(require_caller(request()), group_id)
    if outcome.membership is not None:
        return created(show.membership(outcome.membership))
    assert outcome.request is not None
    return Response(body=show.join_request(outcome.request), status_code=202)


@route(blueprint, "/groups/{group_id}/join-requests", methods=["GET"])
def list_join_requests(group_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    result = groups.join_requests(caller, group_id, *paging(request()))
    return page([show.join_request(r) for r in result.items], result.next)


@route(blueprint, "/groups/{group_id}/join-requests/{user_id}/approve", methods=["POST"])
def approve_join_request(group_id: str, user_id: str) -> Response:
    caller = require_caller(request())
    return created(show.membership(groups.approve_join_request(caller, group_id, user_id)))


@route(blueprint, "/groups/{group_id}/join-requests/{user_id}/reject", methods=["POST"])
def reject_join_request(group_id: str, user_id: str) -> Response:
    groups.reject_join_request(require_caller(request()), group_id, user_id)
    return no_content()


@route(blueprint, "/groups/{group_id}/invitations", methods=["POST"])
def create_invitation(group_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), InvitationCreate)
    invitation = invitations.create(caller, group_id, **body.model_dump())
    return created(show.invitation(invitation))


@route(blueprint, "/groups/{group_id}/audit", methods=["GET"])
def audit_log(group_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    result = groups.audit_log(caller, group_id, *paging(request()))
    return page([show.audit_event(event) for event in result.items], result.next)
