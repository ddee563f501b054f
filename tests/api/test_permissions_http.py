"""Every route of a group action of the permission table, through the HTTP layer: each calls
its service and answers as the rules say, with its success status, its refusal's status and
code. (Consultation actions: tests/api/test_consultation_permissions_http.py.)

Every cell (each standing, both visibilities) is walked at the service level, without HTTP
(tests/services/test_permission_cells.py), and every route is asked by every kind of caller
the rules refuse in tests/api/test_attacker_pass.py, which attempts no write the rules allow.
What is left for HTTP is that: each route of a listed group (where every action is
someone's), asked by the first standing the rules let through, answers its success status."""

from __future__ import annotations

import pytest

from chalicelib.domain.groups import GroupVisibility
from chalicelib.domain.permissions import GROUP_ACTIONS, Action
from chalicelib.domain.roles import GROUP_STANDINGS as STANDINGS
from chalicelib.domain.roles import Standing
from tests.api.helpers import add_member, create_group, group_with_every_role
from tests.services.cells import allows


def is_allowed(action: Action, standing: Standing, visibility: GroupVisibility) -> bool:
    return allows(action, [standing], visibility)


def consultation_inviting(as_user, partner_group_id):
    host_admin = as_user("host-admin")
    host = create_group(host_admin, "Host")
    created = host_admin.post(
        f"/v1/groups/{host}/consultations",
        {"title": "Shared", "visibility": "members", "closes_at": "2099-01-01T00:00:00Z"},
    )
    consultation_id = created.data["id"]
    invited = host_admin.post(
        f"/v1/consultations/{consultation_id}/partners", {"group_id": partner_group_id}
    )
    assert invited.status_code == 201, invited.data
    return consultation_id


# action -> (method, path template, body, status when allowed)
ROUTES = {
    Action.GROUP_READ: ("GET", "/v1/groups/{g}", None, 200),
    Action.GROUP_UPDATE: ("PATCH", "/v1/groups/{g}", {"description": "new words"}, 200),
    Action.GROUP_JOIN: ("POST", "/v1/groups/{g}/join", None, 201),
    Action.GROUP_LEAVE: ("DELETE", "/v1/groups/{g}/members/{me}", None, 204),
    Action.MEMBERS_LIST: ("GET", "/v1/groups/{g}/members", None, 200),
    Action.MEMBER_SET_ROLE: ("PUT", "/v1/groups/{g}/members/{target}", {"role": "author"}, 200),
    Action.MEMBER_REMOVE: ("DELETE", "/v1/groups/{g}/members/{target}", None, 204),
    Action.INVITATION_CREATE: ("POST", "/v1/groups/{g}/invitations", {"role": "observer"}, 201),
    Action.JOIN_REQUESTS_REVIEW: ("GET", "/v1/groups/{g}/join-requests", None, 200),
    Action.AUDIT_READ: ("GET", "/v1/groups/{g}/audit", None, 200),
    Action.CONSULTATION_CREATE: (
        "POST",
        "/v1/groups/{g}/consultations",
        {"title": "Budget", "visibility": "members", "closes_at": "2099-01-01T00:00:00Z"},
        201,
    ),
    Action.MODERATION_QUEUE: ("GET", "/v1/groups/{g}/moderation", None, 200),
    Action.BLOCKS_MANAGE: ("PUT", "/v1/groups/{g}/blocks/{target}", {"reason": "insults"}, 200),
    # {c}: a consultation of another association that invited this group as partner.
    Action.PARTNERSHIP_ACCEPT: ("POST", "/v1/consultations/{c}/partners/{g}/accept", None, 201),
}


def test_every_action_has_a_route_here():
    assert set(ROUTES) == GROUP_ACTIONS


@pytest.mark.parametrize("action", sorted(GROUP_ACTIONS), ids=lambda a: a.value)
def test_route_lets_through_whom_the_rules_allow(as_user, action):
    group_id, users = group_with_every_role(as_user, listed=True, join_policy="open")
    if action is Action.GROUP_LEAVE:  # a second admin, so that an admin may leave
        add_member(as_user, users["admin"], group_id, "admin2", "admin")
    # The first standing the rules let through; refusals: tests/services, the attacker pass.
    standing = next(s for s in STANDINGS if is_allowed(action, s, GroupVisibility.LISTED))
    target = f"target-{standing.value}"
    if action in (Action.MEMBER_SET_ROLE, Action.MEMBER_REMOVE):  # someone to act on
        add_member(as_user, users["admin"], group_id, target, "observer")
    consultation_id = None
    if action is Action.PARTNERSHIP_ACCEPT:
        consultation_id = consultation_inviting(as_user, group_id)

    method, template, body, success = ROUTES[action]
    user = users[standing.value]
    path = template.format(g=group_id, c=consultation_id, me=user.sub or "nobody", target=target)
    response = user.request(method, path, body)
    assert response.status_code == success, (standing, response.data)
