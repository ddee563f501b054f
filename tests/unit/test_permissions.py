"""The permission table, cell by cell, against the product's rules written out by hand.

Each line: action, group visibility, then one mark per standing in this order:
anonymous, signed-in outsider, observer, participant, author, moderator, admin.
"""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Forbidden, GroupNotFound
from chalicelib.domain.permissions import PERMISSIONS, Action, authorize, is_allowed
from chalicelib.domain.roles import STANDINGS, Outsider, Role

EXPECTED = """
group.read            listed    Y Y Y Y Y Y Y
group.read            unlisted  . . Y Y Y Y Y
group.update          listed    . . . . . . Y
group.update          unlisted  . . . . . . Y
group.join            listed    . Y . . . . .
group.join            unlisted  . . . . . . .
group.leave           listed    . . Y Y Y Y Y
group.leave           unlisted  . . Y Y Y Y Y
members.list          listed    . . Y Y Y Y Y
members.list          unlisted  . . Y Y Y Y Y
member.set_role       listed    . . . . . . Y
member.set_role       unlisted  . . . . . . Y
member.remove         listed    . . . . . . Y
member.remove         unlisted  . . . . . . Y
invitation.create     listed    . . . . . . Y
invitation.create     unlisted  . . . . . . Y
join_requests.review  listed    . . . . . . Y
join_requests.review  unlisted  . . . . . . Y
audit.read            listed    . . . . . . Y
audit.read            unlisted  . . . . . . Y
"""

COLUMNS = (
    Outsider.ANONYMOUS,
    Outsider.SIGNED_IN,
    Role.OBSERVER,
    Role.PARTICIPANT,
    Role.AUTHOR,
    Role.MODERATOR,
    Role.ADMIN,
)


def expected_cells():
    for line in EXPECTED.strip().splitlines():
        action, visibility, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        for standing, mark in zip(COLUMNS, marks, strict=True):
            yield Action(action), visibility, standing, mark == "Y"


CELLS = list(expected_cells())


def test_the_written_rules_cover_every_cell_of_the_table():
    covered = {(action, visibility, standing) for action, visibility, standing, _ in CELLS}
    every = {
        (action, visibility, standing)
        for action in Action
        for visibility in ("listed", "unlisted")
        for standing in STANDINGS
    }
    assert covered == every
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize(
    ("action", "visibility", "standing", "allowed"),
    CELLS,
    ids=[f"{a.value}-{v}-{s.value}" for a, v, s, _ in CELLS],
)
def test_cell(action, visibility, standing, allowed):
    assert is_allowed(action, standing, visibility) is allowed


def test_higher_roles_can_do_everything_lower_roles_can():
    for action, rules in PERMISSIONS.items():
        for visibility, allowed in rules.items():
            for lower in Role:
                for higher in Role:
                    if higher.at_least(lower) and lower in allowed:
                        assert higher in allowed, (action, visibility, lower, higher)


def test_an_invisible_group_is_not_found_rather_than_forbidden():
    with pytest.raises(GroupNotFound):
        authorize(Action.AUDIT_READ, Outsider.SIGNED_IN, "unlisted", not_found=GroupNotFound)


def test_a_visible_group_refuses_with_forbidden():
    with pytest.raises(Forbidden):
        authorize(Action.AUDIT_READ, Role.PARTICIPANT, "listed", not_found=GroupNotFound)
    with pytest.raises(Forbidden):
        authorize(Action.MEMBERS_LIST, Outsider.SIGNED_IN, "listed", not_found=GroupNotFound)


def test_allowed_actions_pass_silently():
    assert authorize(Action.GROUP_UPDATE, Role.ADMIN, "unlisted") is None
