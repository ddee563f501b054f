"""Every refusal the Hub can answer: its stable code, its HTTP status, and the field
details a 422 may carry. This is the registry the message catalogues follow.

Services raise these; the API layer turns them into
`{"error": {"code": ..., "message": ..., "details"?: [...]}}`. Codes never change once
published: clients switch on them. The words are not here: each message lives in the
catalogues (chalicelib/messages/en.json, fr.json) under its code (or `code.variant`, where one
code says several things: `variants`), and a field detail's under its key (`DETAILS`), with
named parameters. tests/unit/test_messages.py proves both catalogues complete for this
registry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib import messages

# ---------------------------------------------------------------- field details

# Every field detail the Hub writes, by key, with the parameters its message takes. The key
# is the code clients see, or `code.variant` where one code has several messages (the
# variant is for the catalogue only: clients see `code`).
DETAILS: dict[str, tuple[str, ...]] = {
    # request syntax: paging, path parameters
    "out_of_range.limit": ("low", "high"),
    "invalid_encoding": (),
    "too_many_bytes": ("size",),
    # texts (chalicelib/domain/text.py)
    "invalid_character": (),
    "control_character": (),
    "bidi_control": (),
    "stacked_marks": (),
    "invisible.name": (),
    "invisible.text": (),
    # request bodies
    "null": (),
    "out_of_range.date": (),
    "duplicate.role": (),
    "value_error.nothing_to_change": ("fields",),
    "invalid.user_id": (),
    "invalid.email": (),
    "invalid.holder": (),
    "invalid.holder_self": (),
    # an empty text (pydantic's string_too_short at min_length 1), said plainly
    "string_too_short.empty": (),
    # consultations (chalicelib/domain/consultations.py)
    "before_opening": (),
    "in_the_past": (),
    "restricted_only": (),
    "missing.audience": (),
    "public_only": (),
    "excludes_you": (),
    "locked": ("field",),
    "locked.closes_at": (),
    "locked.max_per_holder": (),
    "host": (),
    "restricted_partner": (),
    # decision functions (chalicelib/domain/decisions.py)
    "secret_is_final": (),
    "duplicate_option": (),
    "above_options.min_choices": (),
    "above_options.max_choices": (),
    "below_min_choices": (),
    "above_options.max_ranks": (),
    "unknown_grades": ("grades",),
    "grade_order": (),
    # ballots (chalicelib/domain/ballots.py)
    "invalid_ballot.no_ballot": (),
    "invalid_ballot.only": ("kind", "field"),
    "invalid_ballot.choice": (),
    "invalid_ballot.sign": (),
    "invalid_ballot.repeated": (),
    "invalid_ballot.unknown_options": ("options",),
    "invalid_ballot.count": ("low", "high"),
    "invalid_ballot.not_secret": (),
    "invalid_ballot.receipt_format": (),
    "invalid_ballot.receipt_taken": (),
    "invalid_ballot.count_ranks": ("low", "high"),
    "invalid_ballot.unmarked": ("options",),
    "invalid_ballot.grade": ("grades",),
    "invalid_ballot.score": ("high",),
    "invalid_ballot.points": (),
    "invalid_ballot.points_total": ("total", "spent"),
    # comments
    "not_found.parent": (),
    "too_deep": (),
    # notification preferences (chalicelib/services/inbox.py)
    "not_your_group": (),
    # erasing one's account (chalicelib/services/privacy.py): the field is the group's id
    "sole_admin": ("group",),
    # a pydantic error type the Hub does not know (PYDANTIC_TYPES): its code, this message
    "invalid_value": (),
}

# The pydantic error types the request bodies can produce (tests/unit/test_messages.py
# proves it), each a field detail of that code whose message takes these values of the
# error's `ctx`. The domain uses the same codes for the same rules (e.g. `too_short`).
PYDANTIC_TYPES: dict[str, tuple[str, ...]] = {
    "missing": (),
    "extra_forbidden": (),
    "string_type": (),
    "string_too_short": ("min_length",),
    "string_too_long": ("max_length",),
    "string_pattern_mismatch": ("pattern",),
    "int_type": (),
    "int_parsing": (),
    "int_from_float": (),
    "float_type": (),
    "float_parsing": (),
    "finite_number": (),
    "bool_type": (),
    "bool_parsing": (),
    "enum": ("expected",),
    "literal_error": ("expected",),
    "greater_than": ("gt",),
    "greater_than_equal": ("ge",),
    "less_than": ("lt",),
    "less_than_equal": ("le",),
    "too_short": ("min_length", "actual_length"),
    "too_long": ("max_length", "actual_length"),
    "list_type": (),
    "dict_type": (),
    "model_type": (),
    "model_attributes_type": (),
    "datetime_type": (),
    "datetime_parsing": (),
    "datetime_from_date_parsing": (),
    "timezone_aware": (),
    "union_tag_invalid": ("discriminator", "tag", "expected_tags"),
    "union_tag_not_found": ("discriminator",),
}


def detail_code(key: str) -> str:
    """The code clients see for a detail key: the key without its variant."""
    return key.partition(".")[0]


@dataclass(frozen=True)
class Detail:
    """One field a 422 names. `code` is what clients switch on; `key` names the message in
    the catalogues' `details`, and `params` fill its placeholders."""

    field: str
    code: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: str) -> dict[str, str]:
        message = messages.render(locale, "details", self.key, self.params)
        return {"field": self.field, "code": self.code, "message": message}


def detail(field_name: str, key: str, **params: Any) -> Detail:
    """The detail `key` (declared in DETAILS or PYDANTIC_TYPES) on `field_name`, with the
    parameters its message takes."""
    declared = DETAILS.get(key, PYDANTIC_TYPES.get(key))
    if declared is None or set(params) != set(declared):
        raise ValueError(f"detail {key!r} takes {declared}, not {sorted(params)}")
    return Detail(field_name, detail_code(key), key, params)


def invalid(field_name: str, key: str, **params: Any) -> ValidationFailed:
    """422 validation_failed naming one field: `invalid("limit", "out_of_range.limit",
    low=1, high=100)`."""
    return ValidationFailed(details=[detail(field_name, key, **params)])


# ---------------------------------------------------------------- refusals


class HubError(Exception):
    status: int = 400
    code: str = "bad_request"
    # Other messages of the same code, as `code.variant` in the catalogues.
    variants: tuple[str, ...] = ()
    retry_after: int | None = None  # seconds, sent as Retry-After

    def __init__(self, variant: str | None = None, *, details: Sequence[Detail] | None = None):
        if variant is not None and variant not in type(self).variants:
            raise ValueError(f"{type(self).__name__} has no variant {variant!r}")
        self.key = self.code if variant is None else f"{self.code}.{variant}"
        self.details = None if details is None else list(details)
        super().__init__(self.key)

    def body(self, locale: str = "en") -> dict[str, Any]:
        """The answer's body, its words in `locale`."""
        message = messages.render(locale, "errors", self.key)
        error: dict[str, Any] = {"code": self.code, "message": message}
        if self.details is not None:
            error["details"] = [detail.render(locale) for detail in self.details]
        return {"error": error}


def refusals() -> Iterator[type[HubError]]:
    """HubError and every refusal derived from it."""
    pending: list[type[HubError]] = [HubError]
    while pending:
        refusal = pending.pop(0)
        yield refusal
        pending.extend(refusal.__subclasses__())


def message_keys() -> set[str]:
    """The key of every error message: each code, and each `code.variant`."""
    return {
        key
        for refusal in refusals()
        for key in (refusal.code, *(f"{refusal.code}.{v}" for v in refusal.variants))
    }


class MalformedJson(HubError):
    status, code = 400, "malformed_json"


class DuplicateKey(MalformedJson):
    code = "duplicate_key"


class InvalidCursor(HubError):
    status, code = 400, "invalid_cursor"


class BinaryNotAccepted(HubError):
    """A file (the export's zip) asked for by a request that does not accept its type: API
    Gateway, and Chalice, send a binary answer only to a request whose Accept admits it."""

    status, code = 400, "not_acceptable"


class Unauthenticated(HubError):
    status, code = 401, "unauthenticated"


class Forbidden(HubError):
    status, code = 403, "forbidden"


class InviteOnly(HubError):
    status, code = 403, "invite_only"


class NotFound(HubError):
    status, code = 404, "not_found"


class GroupNotFound(NotFound):
    code = "group_not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class UnsubscribeLinkInvalid(NotFound):
    """An unsubscribe link the Hub did not sign (changed, made up, or of a dropped secret)."""

    code = "unsubscribe_link_invalid"


class JoinRequestNotFound(NotFound):
    code = "join_request_not_found"


class ConsultationNotFound(NotFound):
    code = "consultation_not_found"


class DebateNotFound(NotFound):
    code = "debate_not_found"


class PartnershipNotFound(NotFound):
    code = "partnership_not_found"


class GrantNotFound(NotFound):
    code = "grant_not_found"


class MethodNotAllowed(HubError):
    status, code = 405, "method_not_allowed"


class Conflict(HubError):
    status, code = 409, "conflict"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class LastAdmin(Conflict):
    code = "last_admin"
    variants = ("erasure",)  # erasing one's account: the details name the associations


class AlreadyMember(Conflict):
    code = "already_member"


class AlreadyPublished(Conflict):
    code = "already_published"


class ConsultationLocked(Conflict):
    code = "consultation_locked"
    variants = ("closing_date", "max_per_holder")  # moved earlier; proxies' limit lowered


class ConsultationClosed(Conflict):
    code = "consultation_closed"
    variants = ("comments", "ballots")  # comments are read-only; ballots are refused


class DebateLocked(Conflict):
    code = "debate_locked"


class TooManyAddenda(Conflict):
    code = "too_many_addenda"


class InvitationEmailLimit(HubError):
    """The caller created as many emailed invitations today as one person may."""

    status, code = 429, "invitation_email_limit"


class InvitationExpired(HubError):
    status, code = 410, "invitation_expired"


class InvitationRevoked(HubError):
    status, code = 410, "invitation_revoked"


class UnsupportedMediaType(HubError):
    status, code = 415, "unsupported_media_type"


class ValidationFailed(HubError):
    status, code = 422, "validation_failed"


class DatabaseBusy(HubError):
    status, code = 503, "busy"
    retry_after = 1


class AuthUnavailable(HubError):
    status, code = 503, "auth_unavailable"


class InvalidBallot(ValidationFailed):
    code = "invalid_ballot"


class NotEligible(Forbidden):
    code = "not_eligible"


class ResultsHidden(Forbidden):
    code = "results_hidden"
    variants = ("no_decision", "board_closed")


class NotOpen(Conflict):
    code = "not_open"


class AlreadyVoted(Conflict):
    code = "already_voted"
    variants = ("not_withdrawable", "by_giver", "proxy_secret")


class ProxiesNotAllowed(Conflict):
    code = "proxies_not_allowed"


class ProxyLimit(Conflict):
    code = "proxy_limit"


class ProxyUsed(Conflict):
    code = "proxy_used"


class ProxyNotFound(NotFound):
    code = "proxy_not_found"


class NotProxyHolder(Forbidden):
    code = "not_proxy_holder"


class BallotNotFound(NotFound):
    code = "ballot_not_found"


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"


class NotSecret(Conflict):
    code = "not_secret"


class ResultsNotFinal(Conflict):
    """A consultation's results export before the closer wrote every final result."""

    code = "results_not_final"


class NotPublic(Conflict):
    """Open data is published for public consultations only."""

    code = "not_public"


class InternalError(HubError):
    status, code = 500, "internal_error"


class CommentNotFound(NotFound):
    code = "comment_not_found"


class Blocked(Conflict):
    code = "blocked"


class CommentHidden(Conflict):
    code = "comment_hidden"


class OwnComment(Conflict):
    code = "own_comment"


class AlreadyFlagged(Conflict):
    code = "already_flagged"


class BlockNotFound(NotFound):
    code = "block_not_found"


class Throttled(HubError):
    """The stage's rate limits: answered by API Gateway itself (infra/template.yaml, its
    words taken from the catalogue when packaging), never raised by the functions."""

    status, code = 429, "throttled"


# ---------------------------------------------------------------- Idempotency-Key
# (chalicelib/api/idempotency.py; the IETF draft "The Idempotency-Key HTTP Header Field")


class InvalidIdempotencyKey(HubError):
    status, code = 400, "invalid_idempotency_key"


class IdempotencyKeyReused(HubError):
    """The key was used, within its 24 hours, for another request (another body or route)."""

    status, code = 422, "idempotency_key_reused"


class IdempotencyInProgress(Conflict):
    """The first request with this key has not answered yet."""

    code = "idempotency_in_progress"
    retry_after = 1
