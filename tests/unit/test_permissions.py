"""The permission table, cell by cell, against the product's rules written out by hand.

Each line: action, contexts, `|`, then every standing allowed there; every standing not
named is refused. Shorthands: `members` = observer participant author moderator admin;
`partners` and `grants` = the five roles of each kind; `x+` = role x and above.
"""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.errors import Forbidden, GroupNotFound, NotEligible, NotFound
from chalicelib.domain.groups import GroupVisibility
from chalicelib.domain.model import ConsultationContext
from chalicelib.domain.permissions import (
    CONSULTATION_ACTIONS,
    GROUP_ACTIONS,
    PERMISSIONS,
    Action,
    authorize,
    is_allowed,
)
from chalicelib.domain.roles import (
    CONSULTATION_STANDINGS,
    GROUP_STANDINGS,
    GrantRole,
    Outsider,
    PartnerRole,
    Relation,
    Role,
)

GROUP_RULES = """
group.read            listed    | anonymous signed_in members
group.read            unlisted  | members
group.update          *         | admin
group.join            listed    | signed_in
group.join            unlisted  |
group.leave           *         | members
members.list          *         | members
member.set_role       *         | admin
member.remove         *         | admin
invitation.create     *         | admin
join_requests.review  *         | admin
audit.read            *         | admin
consultation.create   *         | author+
partnership.accept    *         | admin
moderation.queue      *         | moderator+
blocks.manage         *         | moderator+
"""

CONSULTATION_RULES = """
consultation.read     draft             | creator admin grant:author+
consultation.read     restricted        | creator members grants
consultation.read     members           | creator members partners grants
consultation.read     public:*          | everyone
consultation.update   *                 | creator admin grant:admin
consultation.publish  draft             | creator admin grant:admin
consultation.publish  published         |
partners.manage       *                 | admin
grants.manage         *                 | admin
debate.create         draft             | creator admin grant:author+
debate.create         restricted        | creator author+ grant:author+
debate.create         members public:*  | creator author+ partner:author+ grant:author+
debate.read           draft             | creator admin grant:author+
debate.read           restricted        | creator members grants
debate.read           members           | creator members partners grants
debate.read           public:*          | everyone
debate.update         *                 | creator admin grant:admin
consultation.close   draft             |
consultation.close   published         | admin
debate.participate    draft             |
debate.participate    restricted        | participant+ grant:participant+
debate.participate    members public:members | participant+ partner:participant+ grant:participant+
debate.participate    public:signed_in  | signed_in verified participant+ partner:participant+ grant:participant+
debate.participate    public:verified   | verified participant+ partner:participant+ grant:participant+
comment.create        draft             |
comment.create        restricted        | participant+ grant:participant+
comment.create        members public:members | participant+ partner:participant+ grant:participant+
comment.create        public:signed_in  | signed_in verified participant+ partner:participant+ grant:participant+
comment.create        public:verified   | verified participant+ partner:participant+ grant:participant+
comment.react         draft             |
comment.react         restricted        | participant+ grant:participant+
comment.react         members public:members | participant+ partner:participant+ grant:participant+
comment.react         public:signed_in  | signed_in verified participant+ partner:participant+ grant:participant+
comment.react         public:verified   | verified participant+ partner:participant+ grant:participant+
comment.flag          draft             |
comment.flag          restricted        | participant+ grant:participant+
comment.flag          members public:members | participant+ partner:participant+ grant:participant+
comment.flag          public:signed_in  | signed_in verified participant+ partner:participant+ grant:participant+
comment.flag          public:verified   | verified participant+ partner:participant+ grant:participant+
comment.edit          draft             |
comment.edit          published         | creator
comment.delete        draft             |
comment.delete        restricted        | creator moderator+ grant:moderator+
comment.delete        members public:*  | creator moderator+ grant:moderator+ author_group_moderator
comment.moderate      draft             |
comment.moderate      restricted        | moderator+ grant:moderator+
comment.moderate      members public:*  | moderator+ grant:moderator+ author_group_moderator
"""

ROLE_NAMES = [r.value for r in Role]


def expand_standing(word: str) -> set[str]:
    prefix, _, role = word.rpartition(":")
    if word == "everyone":
        return {s.value for s in CONSULTATION_STANDINGS}
    if word == "members":
        return set(ROLE_NAMES)
    if word in ("partners", "grants"):
        return {f"{word[:-1]}:{r}" for r in ROLE_NAMES}
    if role.endswith("+"):
        above = ROLE_NAMES[ROLE_NAMES.index(role[:-1]) :]
        return {f"{prefix}:{r}" if prefix else r for r in above}
    return {word}


def expand_context(word: str, kind: str) -> list[str]:
    group = [v.value for v in GroupVisibility]
    consultation = [c.value for c in ConsultationContext]
    if word == "*":
        return group if kind == "group" else consultation
    if word == "public:*":
        return [c for c in consultation if c.startswith("public:")]
    if word == "published":
        return [c for c in consultation if c != "draft"]
    return [word]


def parse(rules: str, kind: str) -> dict[tuple[str, str], set[str]]:
    allowed: dict[tuple[str, str], set[str]] = {}
    for line in rules.strip().splitlines():
        head, _, tail = line.partition("|")
        action, *context_words = head.split()
        contexts = [c for word in context_words for c in expand_context(word, kind)]
        standings = set().union(*(expand_standing(w) for w in tail.split()))
        for context in contexts:
            assert (action, context) not in allowed, f"{action} {context} written twice"
            allowed[(action, context)] = standings
    return allowed


def cells():
    for kind, rules, actions, standings in (
        ("group", GROUP_RULES, GROUP_ACTIONS, GROUP_STANDINGS),
        ("consultation", CONSULTATION_RULES, CONSULTATION_ACTIONS, CONSULTATION_STANDINGS),
    ):
        written = parse(rules, kind)
        for action in sorted(actions):
            for context in expand_context("*", kind):
                assert (action.value, context) in written, f"no rule for {action} {context}"
                for standing in standings:
                    yield action, context, standing, standing.value in written[(action, context)]


CELLS = list(cells())


def test_every_action_is_a_group_or_a_consultation_action_with_a_complete_row():
    assert set(Action) == GROUP_ACTIONS | CONSULTATION_ACTIONS
    assert not GROUP_ACTIONS & CONSULTATION_ACTIONS
    assert set(PERMISSIONS) == set(Action)
    assert len(CELLS) == len(GROUP_ACTIONS) * 2 * len(GROUP_STANDINGS) + len(
        CONSULTATION_ACTIONS
    ) * len(ConsultationContext) * len(CONSULTATION_STANDINGS)


@pytest.mark.parametrize(
    ("action", "context", "standing", "allowed"),
    CELLS,
    ids=[f"{a.value}-{c}-{s.value}" for a, c, s, _ in CELLS],
)
def test_cell(action, context, standing, allowed):
    assert is_allowed(action, standing, context) is allowed


def test_higher_roles_can_do_everything_lower_roles_can():
    for kinds in (Role, PartnerRole, GrantRole):
        ordered = list(kinds)
        for action, rules in PERMISSIONS.items():
            for context, allowed in rules.items():
                for low, high in itertools.pairwise(ordered):
                    if low in allowed:
                        assert high in allowed, (action, context, low, high)


def test_a_caller_holding_several_standings_gets_the_union():
    held = [Outsider.SIGNED_IN, GrantRole.AUTHOR]
    authorize(Action.DEBATE_CREATE, held, ConsultationContext.RESTRICTED)
    with pytest.raises(NotFound):
        authorize(Action.DEBATE_CREATE, [Outsider.SIGNED_IN], ConsultationContext.RESTRICTED)


def test_an_invisible_resource_is_not_found_rather_than_forbidden():
    with pytest.raises(GroupNotFound):
        authorize(Action.AUDIT_READ, Outsider.SIGNED_IN, "unlisted", not_found=GroupNotFound)
    with pytest.raises(NotFound):
        authorize(Action.CONSULTATION_UPDATE, [Role.PARTICIPANT], ConsultationContext.DRAFT)


def test_a_visible_resource_refuses_with_forbidden():
    with pytest.raises(Forbidden):
        authorize(Action.AUDIT_READ, Role.PARTICIPANT, "listed", not_found=GroupNotFound)
    with pytest.raises(Forbidden):
        authorize(Action.GRANTS_MANAGE, [Relation.CREATOR], ConsultationContext.MEMBERS)


@pytest.mark.parametrize(
    "action",
    [Action.PARTICIPATE, Action.COMMENT_CREATE, Action.COMMENT_REACT, Action.COMMENT_FLAG],
)
def test_taking_part_refused_to_someone_who_sees_the_debate_is_not_eligible_whatever_the_act(
    action,
):
    # An observer reads a members' consultation but takes part in none of it: one cause, one
    # code, for a ballot as for a comment, a reaction or a flag.
    with pytest.raises(NotEligible) as refused:
        authorize(action, [Role.OBSERVER], ConsultationContext.MEMBERS)
    assert (refused.value.status, refused.value.code) == (403, "not_eligible")


def test_any_other_refusal_to_someone_who_sees_the_resource_is_forbidden_not_not_eligible():
    with pytest.raises(Forbidden) as refused:
        authorize(Action.COMMENT_MODERATE, [Role.PARTICIPANT], ConsultationContext.MEMBERS)
    assert refused.value.code == "forbidden"
