"""What the consultation and debate routes answer: consultations, their partner associations
and grants, debates with their decision function and comment counts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import AliasChoices, Field

from chalicelib.api.answers import Answer, Page, PersonOut, Timestamp
from chalicelib.api.answers.deliberation import BallotOut, CanVoteOut, Grade
from chalicelib.domain.ballots import describe
from chalicelib.domain.groups import Group
from chalicelib.domain.model import (
    Addendum,
    Consultation,
    ConsultationStatus,
    ConsultationVisibility,
    Debate,
    Participation,
    PartnerStatus,
    ResultsVisibility,
)
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role

if TYPE_CHECKING:  # what the services return; only read here
    from chalicelib.services.access import ConsultationAccess
    from chalicelib.services.debates import DebateSeen

# ---------------------------------------------------------------- consultations


class ConsultationPartnerOut(Answer):
    """An association invited to share the consultation with its members."""

    group_id: str
    status: PartnerStatus = Field(
        description="`pending` until one of its admins accepts; then its members are inside "
        "(unless the consultation is restricted)."
    )


class ConsultationHostOut(Answer):
    """The association that hosts a consultation, as it is named now."""

    id: str
    name: str


# What a consultation's `my_permissions` may name, and the action of the role table each is.
PERMISSIONS = {
    "update": Action.CONSULTATION_UPDATE,
    "publish": Action.CONSULTATION_PUBLISH,
    "close": Action.CONSULTATION_CLOSE,
    "add_debates": Action.DEBATE_CREATE,
    "update_debates": Action.DEBATE_UPDATE,
    "manage_partners": Action.PARTNERS_MANAGE,
    "manage_grants": Action.GRANTS_MANAGE,
}
ConsultationPermission = Literal[tuple(PERMISSIONS)]  # type: ignore[valid-type]


class ProxiesOut(Answer):
    """Whether members may give their proxy for this consultation (PUT
    /v1/consultations/{id}/proxy), and how many proxies one person may hold in it."""

    allowed: bool
    max_per_holder: int = Field(description="1 to 5.")


class ConsultationOut(Answer):
    """A consultation: a question an association puts to its members (and its partners'),
    through one or more debates, between two dates. Every answer carrying consultations
    (one, or a list) carries their host's name and their debate count: a list renders
    without a request per item."""

    id: str
    group_id: str = Field(description="The host association (also `group.id`).")
    group: ConsultationHostOut = Field(description="The host association and its name.")
    title: str
    description: str
    visibility: ConsultationVisibility = Field(
        description="`restricted`: the `audience` roles of the host, and grants; `members`: "
        "members of the host and of accepted partners; `public`: anyone reads, "
        "`participation` says who takes part."
    )
    audience: list[Role] = Field(
        description="The host roles a restricted consultation admits (its admins always); "
        "empty otherwise."
    )
    participation: Participation = Field(
        description="Who takes part in a public consultation: members (of the host and its "
        "partners), anyone signed in, or anyone with a verified email or identity. "
        "`members` for any other visibility."
    )
    status: ConsultationStatus = Field(
        description="From the dates, at the moment of the answer: `draft` until published, "
        "`scheduled` until `opens_at`, `open` until `closes_at` (or an early close), then "
        "`closed`."
    )
    opens_at: Timestamp | None = Field(description="Null: it opens when published.")
    closes_at: Timestamp = Field(
        description="When ballots stop, or stopped: the scheduled closing, or the moment an "
        "admin closed it early (then equal to `closed_at`)."
    )
    scheduled_closes_at: Timestamp = Field(
        description="The closing date as scheduled (what PATCH `closes_at` sets); equal to "
        "`closes_at` unless it was closed early."
    )
    published_at: Timestamp | None = Field(description="Null while a draft.")
    closed_at: Timestamp | None = Field(
        description="When an admin closed it early; null otherwise."
    )
    finalised_at: Timestamp | None = Field(
        description="When its final results were counted, a grace period after it closed; "
        "null until then."
    )
    created_at: Timestamp
    created_by: str = Field(description="The user id of its creator (also `author.id`).")
    author: PersonOut = Field(description="Its creator, named as they were when they created it.")
    partners: list[ConsultationPartnerOut] = Field(
        description="Partner associations by id: those that accepted; to those who manage "
        "its partners (in an answer about this one consultation), the invited too."
    )
    debate_count: int = Field(description="How many debates it holds.")
    proxies: ProxiesOut = Field(
        description="Proxies (procurations): set on creation, changed until it opens."
    )
    my_permissions: list[ConsultationPermission] | None = Field(
        default=None,
        description="What your roles (as host or partner member, by grant, as its creator) "
        "let you do to it at its stage: `update` it, `publish` it (a draft), `close` it "
        "(once published), `add_debates`, `update_debates` (any of them; a debate's own "
        "creator may change theirs too), `manage_partners`, `manage_grants`. The dates still "
        "decide (closing one still scheduled is refused). Given where one consultation is "
        "answered; null in pages.",
    )

    @classmethod
    def at(
        cls,
        consultation: Consultation,
        now: datetime,
        host: Group,
        access: ConsultationAccess | None = None,
    ) -> Self:
        """The consultation with its status at `now` and its host association (`host`), and
        what the caller of `access` may do to it when given."""
        managing = access is not None and access.can(Action.PARTNERS_MANAGE)
        partners = [  # an invitation waiting is the host's admins' business only
            ConsultationPartnerOut(group_id=group_id, status=status)
            for group_id, status in sorted(consultation.partners.items())
            if managing or status is PartnerStatus.ACCEPTED
        ]
        return cls.of(
            consultation,
            group=ConsultationHostOut(id=host.id, name=host.name),
            status=consultation.status_at(now),
            closes_at=consultation.ends_at,
            scheduled_closes_at=consultation.closes_at,
            author=PersonOut(id=consultation.created_by, name=consultation.created_by_name),
            partners=partners,
            my_permissions=None
            if access is None
            else [name for name, action in PERMISSIONS.items() if access.can(action)],
        )


class ConsultationPage(Page[ConsultationOut]):
    """A page of consultations, newest first. It may hold fewer than `limit` (those the
    caller may not see, or no longer current, are left out) and still have a `next`."""


class PartnershipOut(Answer):
    """An association's partnership in a consultation."""

    consultation_id: str
    group_id: str = Field(description="The partner association.")
    status: PartnerStatus = Field(
        description="`pending` until one of the partner's admins accepts, then `accepted`."
    )


class GrantOut(Answer):
    """One person's role in one consultation, given by the host's admins, whether or not
    they belong to the host association."""

    id: str = Field(
        description="The user id of the person granted the role.",
        validation_alias=AliasChoices("id", "user_id"),
    )
    consultation_id: str
    role: Role
    granted_at: Timestamp
    granted_by: str = Field(description="The user id of the admin who gave the role.")


class GrantPage(Page[GrantOut]):
    """A page of a consultation's grants."""


# ---------------------------------------------------------------- debates


class NoDecisionOut(Answer):
    """A debate for discussion only: no ballot."""

    type: Literal["none"]


class BallotRulesOut(Answer):
    """What a vote and a poll share: how ballots are kept, shown and counted."""

    secret: bool = Field(
        description="Secret ballots are stored without the voter; each voter gets a receipt."
    )
    results_visibility: ResultsVisibility = Field(
        description="When participants see the counts: live, once they voted, or once closed."
    )
    allow_change: bool = Field(description="Whether a ballot may be changed while open.")
    quorum: int | None = Field(description="The ballots needed for the outcome to count.")


# A decision's keys come in the order the domain describes it (chalicelib/domain/ballots.py,
# `describe`): `type` and what is its own first, then the rules. Fields of the base listed
# last come first, hence `(BallotRulesOut, _Vote)`.


class _Vote(Answer):
    type: Literal["vote"]


class VoteDecisionOut(BallotRulesOut, _Vote):
    """A yes / no / abstain vote."""

    threshold: float | None = Field(
        description="The share of yes among yes and no needed to pass (0 to 1); null: a "
        "simple majority."
    )


class PollOptionOut(Answer):
    id: str = Field(description="What a ballot names in `choices`: o1, o2, …")
    label: str


class _Poll(Answer):
    type: Literal["poll"]
    options: list[PollOptionOut]
    min_choices: int
    max_choices: int


class PollDecisionOut(BallotRulesOut, _Poll):
    """A choice among options, single or multiple."""


class PetitionDecisionOut(Answer):
    """A petition: participants sign it."""

    type: Literal["petition"]
    goal: int | None = Field(description="The signatures it aims for; null: none.")
    results_visibility: ResultsVisibility = Field(
        description="When participants see the count: live, once they signed, or once closed."
    )
    allow_change: bool = Field(description="Whether a signature may be withdrawn while open.")


class _Ranked(Answer):
    type: Literal["ranked"]
    options: list[PollOptionOut]
    max_ranks: int | None = Field(description="How many options a ballot may rank; null: all.")


class RankedDecisionOut(BallotRulesOut, _Ranked):
    """A ranked choice: voters rank options, best first; decided by instant runoff."""


class _Judgment(Answer):
    type: Literal["majority_judgment"]
    options: list[PollOptionOut]
    grades: list[Grade] = Field(
        description="The grade scale, best first (labels: excellent Excellent / Excellent, "
        "tres_bien Very good / Très bien, bien Good / Bien, assez_bien Fairly good / Assez "
        "bien, passable Passable / Passable, insuffisant Poor / Insuffisant, a_rejeter "
        "Reject / À rejeter)."
    )


class MajorityJudgmentDecisionOut(BallotRulesOut, _Judgment):
    """A majority judgment: voters grade every option; the best majority grade wins."""


class _Score(Answer):
    type: Literal["score"]
    options: list[PollOptionOut]
    max_score: int = Field(description="The highest score; the lowest is 0.")


class ScoreDecisionOut(BallotRulesOut, _Score):
    """A score vote: voters score every option; the best mean wins."""


class _Dot(Answer):
    type: Literal["dot"]
    options: list[PollOptionOut]
    points_per_voter: int = Field(description="The points each voter spreads over the options.")


class DotDecisionOut(BallotRulesOut, _Dot):
    """A dot vote: voters spread their points; the most points win."""


DecisionOut = Annotated[
    NoDecisionOut
    | VoteDecisionOut
    | PollDecisionOut
    | PetitionDecisionOut
    | RankedDecisionOut
    | MajorityJudgmentDecisionOut
    | ScoreDecisionOut
    | DotDecisionOut,
    Field(discriminator="type"),
]


class CommentCountsOut(Answer):
    """How many comments the debate holds (arguments and replies, deleted ones aside), per
    stance."""

    pro: int
    con: int
    neutral: int


class AddendumOut(Answer):
    """A correction or precision added under a debate once its question was frozen: it
    never changes the question."""

    body: str = Field(description="Markdown, up to 2,000 characters.")
    author: PersonOut = Field(description="Who added it, named as they were then.")
    added_at: Timestamp

    @classmethod
    def of_addendum(cls, addendum: Addendum) -> Self:
        author = PersonOut(id=addendum.author_id, name=addendum.author_name)
        return cls.of(addendum, author=author)


class DebateOut(Answer):
    """A debate of a consultation: a text to discuss and, optionally, a decision to take
    (vote, poll or petition). It inherits its consultation's status and dates. Its title,
    body and function are frozen from a minute before the consultation opens: what people
    vote on is what they read; corrections come as addenda."""

    id: str
    consultation_id: str
    title: str
    body: str = Field(description="Markdown.")
    function: DecisionOut = Field(description="What the debate decides, and how.")
    status: ConsultationStatus = Field(description="The consultation's status.")
    opens_at: Timestamp | None = Field(
        description="The consultation's opening: its `opens_at`, else when it was published; "
        "null for a draft that opens on publication."
    )
    closes_at: Timestamp = Field(
        description="The consultation's `closes_at`: when ballots stop, or stopped (its "
        "early close, if an admin closed it early)."
    )
    scheduled_closes_at: Timestamp = Field(
        description="The consultation's closing date as scheduled; equal to `closes_at` "
        "unless it was closed early."
    )
    created_at: Timestamp
    created_by: str = Field(description="The user id of its creator (also `author.id`).")
    author: PersonOut = Field(description="Its creator, named as they were when they created it.")
    updated_at: Timestamp | None = Field(
        description="Its last change of title, body or function; null if never changed."
    )
    addenda: list[AddendumOut] = Field(
        description="Corrections added under the question once it was frozen, oldest first."
    )
    comments: CommentCountsOut
    show_turnout: bool = Field(
        description="Whether its turnout shows while it is open (set on creation; by default "
        "when its consultation is public)."
    )
    turnout: int | None = Field(
        description="How many ballots were cast so far (never their split), from the running "
        "tally, which follows ballots within seconds. Shown once the consultation opens "
        "when `show_turnout`, or whenever the caller may see its results; else null, as "
        "for a debate without decision. A petition's signatures are its result: they show "
        "only when its results do, whatever `show_turnout`."
    )
    proxies_allowed: bool = Field(
        description="Whether its consultation lets members give their proxy (its `proxies`)."
    )
    my_ballot: BallotOut | None = Field(
        description="The caller's own ballot, as `GET /v1/debates/{debate_id}/ballot` answers "
        "it; null if they cast none, or without a token."
    )
    can_vote: CanVoteOut

    @classmethod
    def seen(cls, seen: DebateSeen, now: datetime) -> Self:
        """The debate as its reader sees it (services/debates.py): with their ballot,
        whether they may vote, and its turnout when shown to them."""
        debate, marker = seen.debate, seen.access.marker
        return cls.at(
            debate,
            seen.access.consultation,
            now,
            seen.comments,
            turnout=seen.turnout,
            my_ballot=BallotOut.of_marker(marker, debate.function) if marker else None,
            can_vote=CanVoteOut.of_refusal(seen.refusal),
        )

    @classmethod
    def at(
        cls,
        debate: Debate,
        parent: Consultation,
        now: datetime,
        comments: dict[str, int],
        **reader: Any,
    ) -> Self:
        """The debate at `now`, with its consultation's status and dates, its comment
        counts per stance, and what `reader` says of the caller (see `seen`)."""
        return cls.of(
            debate,
            function=describe(debate.function),
            status=parent.status_at(now),
            opens_at=parent.opens_at or parent.published_at,
            closes_at=parent.ends_at,
            scheduled_closes_at=parent.closes_at,
            author=PersonOut(id=debate.created_by, name=debate.created_by_name),
            addenda=[AddendumOut.of_addendum(addendum) for addendum in debate.addenda],
            comments=comments,
            proxies_allowed=parent.proxies.allowed,
            **reader,
        )


class DebatePage(Page[DebateOut]):
    """A page of a consultation's debates, oldest first."""
