"""Request bodies, validated by pydantic (and, later, the source of the OpenAPI schemas).

Unknown fields are refused, so a typo ("join_polcy") is a clear 422, not silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from chalicelib.api.locale import refused_detail
from chalicelib.domain import decisions, text
from chalicelib.domain.ballots import VOTE_CHOICES
from chalicelib.domain.deliberation import FlagReason, Stance
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.groups import JoinPolicy
from chalicelib.domain.model import (
    ConsultationVisibility,
    DecisionFunction,
    FunctionType,
    Participation,
    ResultsVisibility,
)
from chalicelib.domain.profiles import Language
from chalicelib.domain.roles import Role

# ---------------------------------------------------------------- texts

# The rules of what people may write live in chalicelib/domain/text.py; these types apply
# them to every field of their kind, with field-level 422s naming the field.


def _text_rule(rule: Callable[[str], str]) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return rule(value)
        except text.TextRefused as refused:
            raise refused_detail(refused.key) from None

    return AfterValidator(check)


def _drop_nul(value: object) -> object:
    return text.without_nul(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class _Described:
    """Adds a description to a text type's JSON Schema (the rules a pattern cannot say)."""

    description: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.setdefault("description", self.description)
        return schema


def Name(max_length: int) -> Any:
    """One visible line: a group's name, a title, a poll option."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        _text_rule(text.single_line),
        _Described(
            "One line of visible text: no control, line-separator or bidi-control characters."
        ),
    ]


def Text(max_length: int, *, strip: bool = True, required: bool = False) -> Any:
    """A longer text (description, comment, reason): lines kept, NUL dropped; `required`
    texts must show something."""
    # The constraints first, so that they are the string's own (a too long text is
    # `string_too_long`, counted in characters); dropping NUL wraps them, and runs before.
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=strip, min_length=1 if required else None, max_length=max_length
        ),
        BeforeValidator(_drop_nul),
        _text_rule(text.visible_multi_line if required else text.multi_line),
    ]


GroupName = Name(100)
Description = Text(2000)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class GroupCreate(Strict):
    name: GroupName
    description: Description = ""
    listed: bool = True
    join_policy: JoinPolicy = JoinPolicy.INVITE


def _not_null(value: object) -> object:
    """For PATCH bodies: a field sent as null is an error, not "no change"."""
    if value is None:
        raise refused_detail("null")
    return value


def _patch_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """What a PATCH body accepts, as the validators enforce it: at least one field, and null
    only where it means something (`nullable`)."""
    schema["minProperties"] = 1
    nullable = getattr(model, "nullable", frozenset())
    for name, field in schema["properties"].items():
        field.pop("default", None)
        options = field.get("anyOf", [])
        if name not in nullable and {"type": "null"} in options:
            options.remove({"type": "null"})
            if len(options) == 1:
                field.update(field.pop("anyOf")[0])


def _fields(body: BaseModel) -> str:
    return ", ".join(type(body).model_fields)


class Patch(Strict):
    """A PATCH body: the fields sent change, the others stay; null is refused unless the
    field is `nullable` (where null means something, e.g. "no opening date")."""

    model_config = ConfigDict(
        extra="forbid", strict=True, defer_build=True, json_schema_extra=_patch_schema
    )
    nullable: ClassVar[frozenset[str]] = frozenset()


class GroupUpdate(Patch):
    name: GroupName | None = None
    description: Description | None = None
    listed: bool | None = None
    join_policy: JoinPolicy | None = None

    _no_nulls = field_validator("name", "description", "listed", "join_policy")(_not_null)

    @model_validator(mode="after")
    def _something_to_change(self) -> GroupUpdate:
        if not self.model_fields_set:
            raise refused_detail("value_error.nothing_to_change", fields=_fields(self))
        return self


class RoleChange(Strict):
    role: Role


def _email_address(value: str) -> str:
    """An address the notifier can write to: one `@`, a local part of at most 64
    characters, a domain of dot-separated labels (lower-cased), nothing invisible."""
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not 1 <= len(local) <= 64
        or len(labels) < 2
        or any(not label or len(label) > 63 for label in labels)
        or any(c.isspace() or not c.isprintable() or c in '<>",;:@()[]' for c in domain)
        or any(c.isspace() or not c.isprintable() or c in '<>",;:@()[]' for c in local)
    ):
        raise refused_detail("invalid.email")
    return f"{local}@{domain.lower()}"


EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_email_address),
]


class InvitationCreate(Strict):
    role: Role = Role.PARTICIPANT
    max_uses: int | None = Field(default=None, ge=1, le=10_000)
    expires_in_hours: int | None = Field(default=None, ge=1, le=90 * 24)
    email: EmailAddress | None = Field(
        default=None,
        description="Send the invitation's link to this address (its domain is lower-cased). "
        "Shown to the association's admins only.",
    )


# ---------------------------------------------------------------- the caller

DisplayName = Name(80)


class MeUpdate(Patch):
    """The caller's choices: the fields sent change, the others stay. `display_name` null
    goes back to the token's name; `locale` null: no preferred language."""

    display_name: DisplayName | None = None
    locale: Language | None = None
    nullable: ClassVar[frozenset[str]] = frozenset({"display_name", "locale"})

    @model_validator(mode="after")
    def _something_to_change(self) -> MeUpdate:
        if not self.model_fields_set:
            raise refused_detail("value_error.nothing_to_change", fields=_fields(self))
        return self

    def changes(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in self.model_fields_set}


# ---------------------------------------------------------------- consultations

Title = Name(200)
LongText = Text(10_000)
Markdown = Text(20_000, strip=False)


def _utc_ms(moment: datetime | None) -> datetime | None:
    """Stored times are UTC, to the millisecond."""
    if moment is None:
        return None
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 is past the calendar's end in UTC
        raise refused_detail("out_of_range.date") from None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


Moment = Annotated[AwareDatetime, AfterValidator(_utc_ms)]


def _unique_roles(roles: list[Role] | None) -> list[Role] | None:
    if roles is not None and len(set(roles)) != len(roles):
        raise refused_detail("duplicate.role")
    return roles


Audience = Annotated[list[Role], Field(min_length=1, max_length=5), AfterValidator(_unique_roles)]


class ProxiesSetting(Strict):
    """Whether members may give their proxy (procuration) for the consultation, and how
    many one person may hold in it. Sent whole: a key left out takes its default."""

    allowed: bool = False
    max_per_holder: Annotated[int, Field(ge=1, le=5)] = 1


class ConsultationCreate(Strict):
    title: Title
    description: LongText = ""
    visibility: ConsultationVisibility
    audience: Audience | None = None
    participation: Participation | None = None
    opens_at: Moment | None = None
    closes_at: Moment
    proxies: ProxiesSetting | None = None


class ConsultationUpdate(Patch):
    title: Title | None = None
    description: LongText | None = None
    visibility: ConsultationVisibility | None = None
    audience: Audience | None = None
    participation: Participation | None = None
    opens_at: Moment | None = None  # null: opens when published
    closes_at: Moment | None = None
    proxies: ProxiesSetting | None = None  # until it opens

    nullable = frozenset({"opens_at"})

    _no_nulls = field_validator(
        "title", "description", "visibility", "audience", "participation", "closes_at", "proxies"
    )(_not_null)

    @model_validator(mode="after")
    def _something_to_change(self) -> ConsultationUpdate:
        if not self.model_fields_set:
            raise refused_detail("value_error.nothing_to_change", fields=_fields(self))
        return self


Reason = Text(500, required=True)


class CloseRequest(Strict):
    reason: Reason


class PartnerInvite(Strict):
    group_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


# ---------------------------------------------------------------- debates

OptionLabel = Name(200)
# The bounds are the domain's (chalicelib/domain/decisions.py), declared here for the
# OpenAPI document; the rules between fields are the domain's alone.
Quorum = Annotated[int, Field(ge=decisions.MIN_QUORUM, le=decisions.MAX_QUORUM)]


class _Decision(Strict):
    secret: bool = False
    results_visibility: ResultsVisibility = ResultsVisibility.AFTER_CLOSE
    allow_change: bool | None = None  # default: true, false when secret
    quorum: Quorum | None = None


class NoDecision(Strict):
    type: Literal["none"]


class VoteDecision(_Decision):
    type: Literal["vote"]
    threshold: Annotated[float, Field(gt=0, le=1)] | None = None


Options = Annotated[
    list[OptionLabel], Field(min_length=decisions.MIN_OPTIONS, max_length=decisions.MAX_OPTIONS)
]
Grade = Literal[decisions.GRADES]  # type: ignore[valid-type]


class PollDecision(_Decision):
    type: Literal["poll"]
    options: Options
    min_choices: Annotated[int, Field(ge=1)] = 1
    max_choices: Annotated[int, Field(ge=1)] | None = None  # default: min_choices


class RankedDecision(_Decision):
    type: Literal["ranked"]
    options: Options
    max_ranks: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="How many options a ballot may rank; unset: all of them."
    )


class MajorityJudgmentDecision(_Decision):
    type: Literal["majority_judgment"]
    options: Options
    grades: (
        Annotated[
            list[Grade],
            Field(min_length=decisions.MIN_GRADES, max_length=len(decisions.GRADES)),
        ]
        | None
    ) = Field(
        default=None,
        description="The grade scale, best first: some of the seven grades, in their order; "
        "unset: all seven.",
    )


class ScoreDecision(_Decision):
    type: Literal["score"]
    options: Options
    max_score: Annotated[int, Field(ge=1, le=decisions.MAX_SCORE)] = Field(
        default=decisions.DEFAULT_MAX_SCORE, description="The highest score; the lowest is 0."
    )


class DotDecision(_Decision):
    type: Literal["dot"]
    options: Options
    points_per_voter: Annotated[int, Field(ge=1, le=decisions.MAX_POINTS)] = Field(
        default=decisions.DEFAULT_POINTS, description="The points each voter spreads."
    )


class PetitionDecision(Strict):
    type: Literal["petition"]
    goal: Quorum | None = None
    results_visibility: ResultsVisibility = ResultsVisibility.LIVE
    allow_change: bool = True  # a signature may be withdrawn


Decisions = (
    NoDecision
    | VoteDecision
    | PollDecision
    | PetitionDecision
    | RankedDecision
    | MajorityJudgmentDecision
    | ScoreDecision
    | DotDecision
)
Decision = Annotated[Decisions, Field(discriminator="type")]


def to_function(decision: Decisions) -> DecisionFunction:
    """The domain's decision function for the JSON `function`. The domain checks its rules;
    its refusals name the field as the body does (`function.poll.max_choices`)."""
    settings = decision.model_dump(exclude={"type"})
    try:
        return decisions.decision_function(FunctionType(decision.type), **settings)
    except ValidationFailed as refused:
        prefix = f"function.{decision.type}."
        raise ValidationFailed(
            details=[replace(d, field=prefix + d.field) for d in refused.details or ()]
        ) from None


class DebateCreate(Strict):
    title: Title
    body: Markdown = ""
    function: Decision = Field(default_factory=lambda: NoDecision(type="none"))
    show_turnout: bool | None = Field(
        default=None,
        description="Whether readers see how many ballots were cast while it is open; "
        "unset: when the consultation is public.",
    )


class DebateUpdate(Patch):
    title: Title | None = None
    body: Markdown | None = None
    function: Decision | None = None
    show_turnout: bool | None = None

    _no_nulls = field_validator("title", "body", "function", "show_turnout")(_not_null)

    @model_validator(mode="after")
    def _something_to_change(self) -> DebateUpdate:
        if not self.model_fields_set:
            raise refused_detail("value_error.nothing_to_change", fields=_fields(self))
        return self


AddendumBody = Text(2000, required=True)


class AddendumCreate(Strict):
    body: AddendumBody


# ---------------------------------------------------------------- ballots

ShortKey = Annotated[str, StringConstraints(min_length=1, max_length=32)]


# A marked ballot's field is a named schema (a client generator makes one model of each,
# rather than one per place an inline map appears).


class Grades(RootModel[Annotated[dict[ShortKey, Grade], Field(max_length=decisions.MAX_OPTIONS)]]):
    """A majority judgment's ballot: each option's grade, by option id."""

    model_config = ConfigDict(strict=True)


class Scores(RootModel[Annotated[dict[ShortKey, int], Field(max_length=decisions.MAX_OPTIONS)]]):
    """A score ballot: each option's score, by option id."""

    model_config = ConfigDict(strict=True)


class Points(RootModel[Annotated[dict[ShortKey, int], Field(max_length=decisions.MAX_OPTIONS)]]):
    """A dot vote's ballot: the points given, by option id."""

    model_config = ConfigDict(strict=True)


UserRef = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ProxyBody(Strict):
    """`{"holder": user id}`: to whom the caller gives their proxy for the consultation."""

    holder: UserRef


class BallotQuery(BaseModel):
    """`?for=` a giver: the ballot the caller cast for them with their proxy."""

    for_: UserRef | None = Field(
        default=None, alias="for", description="A giver whose proxy you hold."
    )


class HeldProxiesQuery(BaseModel):
    """`?consultation_id=`: only the proxies held for that consultation."""

    consultation_id: UserRef | None = Field(default=None, description="One consultation's.")


class BallotBody(Strict):
    """`{"choice": "yes"}` (vote), `{"choices": ["o1"]}` (poll), `{"sign": true}`
    (petition), `{"ranking": ["o2", "o1"]}` (ranked), `{"grades": {"o1": "bien", ...}}`
    (majority judgment), `{"scores": {"o1": 4, ...}}` (score) or `{"points": {"o1": 3,
    ...}}` (dot); `receipt` optionally names a secret ballot's receipt (22-64 of A-Z a-z 0-9 - _,
    made from at least 128 random bits), so that a retried request keeps the receipt the
    client already holds."""

    choice: ShortKey | None = None
    choices: Annotated[list[ShortKey], Field(max_length=20)] | None = None
    sign: bool | None = None
    ranking: Annotated[list[ShortKey], Field(max_length=decisions.MAX_OPTIONS)] | None = None
    grades: Grades | None = None
    scores: Scores | None = None
    points: Points | None = None
    receipt: (
        Annotated[str, StringConstraints(min_length=22, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
        | None
    ) = None
    for_: UserRef | None = Field(default=None, alias="for", description="A proxy's giver.")

    # Which field each decision takes; the debate's decision says which applies
    # (chalicelib/domain/ballots.py refuses any other, 422 `invalid_ballot`).
    _SHAPES: ClassVar[dict[str, tuple[str, str]]] = {
        "VoteBallot": ("choice", "A vote: yes, no or abstain."),
        "PollBallot": ("choices", "A poll: the ids of the options chosen."),
        "PetitionBallot": ("sign", "A petition: `true` signs it."),
        "RankedBallot": ("ranking", "A ranked choice: option ids, best first (no repeats)."),
        "MajorityJudgmentBallot": (
            "grades",
            "A majority judgment: every option's grade, by option id.",
        ),
        "ScoreBallot": ("scores", "A score: every option's score (0 to max_score), by id."),
        "DotBallot": ("points", "A dot vote: points by option id, points_per_voter in all."),
    }

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """`oneOf` the shapes a ballot takes, each with its one field and an optional
        receipt: what a client may send, as exactly as a schema can say it without the
        debate."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        fields = {name: _without_null(prop) for name, prop in schema.pop("properties").items()}
        fields["choice"] = {"type": "string", "enum": list(VOTE_CHOICES)}
        fields["sign"]["const"] = True
        schema.pop("additionalProperties", None)
        schema["oneOf"] = [
            {
                "title": title,
                "description": description,
                "type": "object",
                "properties": {
                    field: fields[field],
                    "receipt": fields["receipt"],
                    "for": fields["for"],
                },
                "required": [field],
                "additionalProperties": False,
            }
            for title, (field, description) in cls._SHAPES.items()
        ]
        return schema


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without its `null` option (and so its null default)."""
    prop = {key: value for key, value in prop.items() if key not in ("default", "title")}
    options = [option for option in prop.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        prop.update(options[0])
    elif options:
        prop["anyOf"] = options
    return prop


# ---------------------------------------------------------------- deliberation

CommentBody = Text(5000, required=True)


class CommentCreate(Strict):
    body: CommentBody
    stance: Stance = Stance.NEUTRAL
    parent_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class CommentEdit(Strict):
    body: CommentBody


class FlagRequest(Strict):
    reason: FlagReason


class HideRequest(Strict):
    reason: Reason


class BlockRequest(Strict):
    reason: Reason
    until: Moment | None = None
