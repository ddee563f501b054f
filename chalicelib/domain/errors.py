"""Every refusal the Hub can answer, with its stable code and HTTP status.

Services raise these; the API layer turns them into
`{"error": {"code": ..., "message": ..., "details"?: [...]}}`. Codes never change once
published: clients switch on them.
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    status: int = 400
    code: str = "bad_request"
    message: str = "The request cannot be served."
    retry_after: int | None = None  # seconds, sent as Retry-After

    def __init__(self, message: str | None = None, *, details: list[dict[str, Any]] | None = None):
        self.message = message or type(self).message
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


class MalformedJson(HubError):
    status, code, message = 400, "malformed_json", "The request body is not valid JSON."


class DuplicateKey(MalformedJson):
    code = "duplicate_key"
    message = "The request body names the same key twice in an object."


class InvalidCursor(HubError):
    status, code, message = 400, "invalid_cursor", "The pagination cursor is not valid here."


class Unauthenticated(HubError):
    status, code, message = 401, "unauthenticated", "A valid bearer token is required."


class Forbidden(HubError):
    status, code, message = 403, "forbidden", "Your role does not allow this."


class InviteOnly(HubError):
    status, code, message = 403, "invite_only", "This association admits members by invitation."


class NotFound(HubError):
    status, code, message = 404, "not_found", "Nothing was found at this address."


class GroupNotFound(NotFound):
    code, message = "group_not_found", "No such association, or it is not visible to you."


class MemberNotFound(NotFound):
    code, message = "member_not_found", "This person is not a member of the association."


class InvitationNotFound(NotFound):
    code, message = "invitation_not_found", "No invitation has this code."


class JoinRequestNotFound(NotFound):
    code, message = "join_request_not_found", "No pending request to join from this person."


class ConsultationNotFound(NotFound):
    code, message = "consultation_not_found", "No such consultation, or it is not visible to you."


class DebateNotFound(NotFound):
    code, message = "debate_not_found", "No such debate, or it is not visible to you."


class PartnershipNotFound(NotFound):
    code = "partnership_not_found"
    message = "This association is not a partner of the consultation."


class GrantNotFound(NotFound):
    code, message = "grant_not_found", "This person holds no grant in the consultation."


class MethodNotAllowed(HubError):
    status, code, message = 405, "method_not_allowed", "This method is not allowed here."


class Conflict(HubError):
    status, code, message = 409, "conflict", "The request conflicts with the current state."


class ConcurrentUpdate(Conflict):
    code, message = "concurrent_update", "Someone else changed this at the same time; retry."


class LastAdmin(Conflict):
    code = "last_admin"
    message = "An association needs at least one admin: name another admin first."


class AlreadyMember(Conflict):
    code, message = "already_member", "You are already a member of this association."


class AlreadyPublished(Conflict):
    code, message = "already_published", "This consultation is already published."


class ConsultationLocked(Conflict):
    code = "consultation_locked"
    message = "Once published, only the description may change and the closing date be extended."


class ConsultationClosed(Conflict):
    code, message = "consultation_closed", "This consultation is closed."


class DebateLocked(Conflict):
    code = "debate_locked"
    message = (
        "The consultation opens (or is open): the debate's question and decision can no "
        "longer change; add an addendum instead."
    )


class TooManyAddenda(Conflict):
    code, message = "too_many_addenda", "This debate holds as many addenda as it may."


class InvitationExpired(HubError):
    status, code, message = 410, "invitation_expired", "This invitation has expired or is used up."


class InvitationRevoked(HubError):
    status, code = 410, "invitation_revoked"
    message = "This invitation was withdrawn, or whoever made it no longer holds its role."


class UnsupportedMediaType(HubError):
    status, code, message = 415, "unsupported_media_type", "Send the body as application/json."


class ValidationFailed(HubError):
    status, code, message = 422, "validation_failed", "Some fields are not valid."


class DatabaseBusy(HubError):
    status, code, message = 503, "busy", "The database is busy; please retry."
    retry_after = 1


class AuthUnavailable(HubError):
    status, code = 503, "auth_unavailable"
    message = "Tokens cannot be checked right now; try again in a moment."


class InvalidBallot(ValidationFailed):
    code, message = "invalid_ballot", "This ballot is not valid."


class NotEligible(Forbidden):
    code = "not_eligible"
    message = "You may not take part in this consultation."


class ResultsHidden(Forbidden):
    code, message = "results_hidden", "The results are not visible yet."


class NotOpen(Conflict):
    code, message = "not_open", "This consultation is not open for ballots."


class AlreadyVoted(Conflict):
    code = "already_voted"
    message = "You have already voted, and this ballot cannot be changed."


class BallotNotFound(NotFound):
    code, message = "ballot_not_found", "You have cast no ballot in this debate."


class ReceiptNotFound(NotFound):
    code, message = "receipt_not_found", "No ballot was counted under this receipt."


class NotSecret(Conflict):
    code, message = "not_secret", "This debate's ballots are not secret: it has no receipts."


class InternalError(HubError):
    status, code, message = 500, "internal_error", "Something went wrong on our side."


class CommentNotFound(NotFound):
    code, message = "comment_not_found", "No such comment, or it is not visible to you."


class Blocked(Conflict):
    code = "blocked"
    message = "A moderator has blocked you from taking part in this association's consultations."


class CommentHidden(Conflict):
    code = "comment_hidden"
    message = "A moderator hid this comment for review: it cannot change until it is restored."


class OwnComment(Conflict):
    code, message = "own_comment", "You cannot react to or flag your own comment."


class AlreadyFlagged(Conflict):
    code, message = "already_flagged", "You have already flagged this comment."


class BlockNotFound(NotFound):
    code, message = "block_not_found", "This person is not blocked."
