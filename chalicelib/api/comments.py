"""/v1/debates/{id}/comments, /v1/comments/{id} and moderation."""

from __future__ import annotations

from typing import Any, Literal, get_args

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, Field

from chalicelib.api import representations as show
from chalicelib.api.answers import absent_unless
from chalicelib.api.answers.deliberation import (
    BlockOut,
    CommentOut,
    CommentPage,
    FlagOut,
    ModeratedCommentOut,
    ModerationQueuePage,
    ReactionOut,
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
from chalicelib.api.schemas import (
    BlockRequest,
    CommentCreate,
    CommentEdit,
    FlagRequest,
    HideRequest,
)
from chalicelib.domain.errors import (
    AlreadyFlagged,
    Blocked,
    BlockNotFound,
    CommentHidden,
    CommentNotFound,
    ConcurrentUpdate,
    ConsultationClosed,
    DebateNotFound,
    Forbidden,
    GroupNotFound,
    OwnComment,
    invalid,
)
from chalicelib.domain.model import Caller, Comment, Stance
from chalicelib.services import comments, moderation, reactions
from chalicelib.services.access import DebateAccess

blueprint = Blueprint(__name__)
Sort = Literal["top", "new", "old"]
SORTS: tuple[str, ...] = get_args(Sort)


class CommentListing(BaseModel):
    """The query of a debate's comment listing."""

    sort: Sort = Field(
        default="top",
        description="`top`: most reactions first; `new`: newest first; `old`: oldest first.",
    )
    stance: Stance = absent_unless("Only the arguments of this stance.")


def request() -> Request:
    return blueprint.current_request


def view(
    access: DebateAccess, comment: Comment, caller: Caller | None, reacted: bool
) -> dict[str, Any]:
    if access.may_moderate(comment):
        return show.moderated_comment(comment) | {"reacted": reacted}
    full = caller is not None and caller.id == comment.author_id
    return show.comment(comment, reacted=reacted, full=full)


def listing_params() -> tuple[str, Stance | None]:
    params = request().query_params or {}
    sort = params.get("sort", "top")
    if sort not in SORTS:
        raise invalid("sort", "unsupported.sort")
    stance = params.get("stance")
    if stance is not None and stance not in {s.value for s in Stance}:
        raise invalid("stance", "unsupported.stance")
    return sort, Stance(stance) if stance else None


@route(
    blueprint,
    "/debates/{debate_id}/comments",
    methods=["POST"],
    body=CommentCreate,
    answers={201: CommentOut},
    errors=(
        DebateNotFound,
        Forbidden,
        ConsultationClosed,
        Blocked,
        CommentHidden,
        ConcurrentUpdate,
    ),
)
def create_comment(debate_id: str) -> Response:
    """Write an argument, or reply to one (those who may take part, until it closes).

    Replies are one level deep: `parent_id` names an argument of the same debate (else 422
    naming `parent_id`), not hidden (409 `comment_hidden` while it is under review).
    Blocked people are refused (409 `blocked`)."""
    caller = require_caller(request())
    body = parse_body(request(), CommentCreate)
    access, comment = comments.create(caller, debate_id, **body.model_dump())
    return created(view(access, comment, caller, reacted=False))


@route(
    blueprint,
    "/debates/{debate_id}/comments",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    query=CommentListing,
    paged=True,
    answers={200: CommentPage},
    errors=(DebateNotFound,),
)
def list_comments(debate_id: str) -> dict[str, Any]:
    """A debate's arguments (not their replies), by reactions or by time, optionally of one
    stance (anyone who sees the debate)."""
    caller = optional_caller(request())
    sort, stance = listing_params()
    limit, cursor = paging(request())
    access, result, mine = comments.list_comments(
        caller, debate_id, sort=sort, stance=stance, limit=limit, cursor=cursor
    )
    return page([view(access, c, caller, c.id in mine) for c in result.items], result.next)


@route(
    blueprint,
    "/comments/{comment_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: CommentOut},
    errors=(CommentNotFound,),
)
def get_comment(comment_id: str) -> dict[str, Any]:
    """One comment (anyone who sees its debate); its moderators also see its flags and
    earlier versions."""
    caller = optional_caller(request())
    access = comments.get(caller, comment_id)
    assert access.comment is not None
    return view(access, access.comment, caller, access.reacted)


@route(
    blueprint,
    "/comments/{comment_id}/replies",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    paged=True,
    answers={200: CommentPage},
    errors=(CommentNotFound,),
)
def list_replies(comment_id: str) -> dict[str, Any]:
    """The replies to an argument, oldest first (anyone who sees its debate)."""
    caller = optional_caller(request())
    access, result, mine = comments.list_replies(caller, comment_id, *paging(request()))
    return page([view(access, c, caller, c.id in mine) for c in result.items], result.next)


@route(
    blueprint,
    "/comments/{comment_id}",
    methods=["PATCH"],
    body=CommentEdit,
    answers={200: CommentOut},
    errors=(
        CommentNotFound,
        Forbidden,
        ConsultationClosed,
        Blocked,
        CommentHidden,
        ConcurrentUpdate,
    ),
)
def edit_comment(comment_id: str) -> dict[str, Any]:
    """Change your comment's text, until the consultation closes (its author only).

    The earlier text is kept for moderators; a deleted comment cannot be edited (404). A
    blocked author cannot edit (409 `blocked`); nor can the author of a comment a moderator
    hid, until it is restored (409 `comment_hidden`)."""
    caller = require_caller(request())
    body = parse_body(request(), CommentEdit)
    access, comment = comments.edit(caller, comment_id, body.body)
    return view(access, comment, caller, access.reacted)


@route(
    blueprint,
    "/comments/{comment_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(CommentNotFound, Forbidden, CommentHidden, ConcurrentUpdate),
)
def delete_comment(comment_id: str) -> Response:
    """Delete a comment (its author, or its moderators).

    Its thread keeps a placeholder without author or text; deleting it again changes
    nothing. A hidden comment is its moderators' to delete: its author is refused until it
    is restored (409 `comment_hidden`)."""
    comments.delete(require_caller(request()), comment_id)
    return no_content()


@route(
    blueprint,
    "/comments/{comment_id}/reaction",
    methods=["PUT"],
    answers={200: ReactionOut, 201: ReactionOut},
    errors=(
        CommentNotFound,
        Forbidden,
        ConsultationClosed,
        Blocked,
        OwnComment,
        CommentHidden,
        ConcurrentUpdate,
    ),
)
def react(comment_id: str) -> Response:
    """React to someone else's comment, until the consultation closes (those who may take
    part), unless it is hidden under review (409 `comment_hidden`).

    One reaction per person: 201 when added, 200 when it was already there."""
    added = reactions.react(require_caller(request()), comment_id)
    body = {"comment_id": comment_id, "reacted": True}
    return Response(body=body, status_code=201 if added else 200)


@route(
    blueprint,
    "/comments/{comment_id}/reaction",
    methods=["DELETE"],
    answers={204: None},
    errors=(CommentNotFound, Forbidden, ConsultationClosed, Blocked, ConcurrentUpdate),
)
def unreact(comment_id: str) -> Response:
    """Take back your reaction to a comment, until the consultation closes (those who may
    take part); without one, nothing changes."""
    reactions.unreact(require_caller(request()), comment_id)
    return no_content()


@route(
    blueprint,
    "/comments/{comment_id}/flags",
    methods=["POST"],
    body=FlagRequest,
    answers={201: FlagOut},
    errors=(
        CommentNotFound,
        Forbidden,
        ConsultationClosed,
        Blocked,
        OwnComment,
        AlreadyFlagged,
        ConcurrentUpdate,
    ),
)
def flag(comment_id: str) -> Response:
    """Flag someone else's comment for the moderators, until the consultation closes (those
    who may take part; once per person).

    The comment joins the moderation queue; enough flags hide it until a moderator
    reviews it."""
    caller = require_caller(request())
    body = parse_body(request(), FlagRequest)
    reactions.flag(caller, comment_id, body.reason)
    return created({"comment_id": comment_id, "reason": body.reason.value})


@route(
    blueprint,
    "/comments/{comment_id}/hide",
    methods=["POST"],
    body=HideRequest,
    answers={200: ModeratedCommentOut},
    errors=(CommentNotFound, Forbidden, ConcurrentUpdate),
)
def hide(comment_id: str) -> dict[str, Any]:
    """Hide a comment, with a reason shown in its place (its moderators: the host's, granted
    ones, or a partner's for its own members' comments)."""
    caller = require_caller(request())
    body = parse_body(request(), HideRequest)
    return show.moderated_comment(moderation.hide(caller, comment_id, body.reason))


@route(
    blueprint,
    "/comments/{comment_id}/restore",
    methods=["POST"],
    answers={200: ModeratedCommentOut},
    errors=(CommentNotFound, Forbidden, ConcurrentUpdate),
)
def restore(comment_id: str) -> dict[str, Any]:
    """Review a comment and keep it: shown again, its flags cleared, out of the moderation
    queue (its moderators)."""
    return show.moderated_comment(moderation.restore(require_caller(request()), comment_id))


@route(
    blueprint,
    "/groups/{group_id}/moderation",
    methods=["GET"],
    paged=True,
    answers={200: ModerationQueuePage},
    errors=(GroupNotFound, Forbidden),
)
def moderation_queue(group_id: str) -> dict[str, Any]:
    """The comments waiting for an association's moderators: flagged or hidden, not yet
    reviewed (its moderators and admins).

    Only those the reader could open and moderate directly: not a restricted consultation's
    outside their audience, not a partner consultation's once the partnership is withdrawn.
    A page holds at most `limit` and may hold fewer, even none, while `next` is given:
    follow `next` until it is null."""
    caller = require_caller(request())
    result = moderation.moderation_queue(caller, group_id, *paging(request()))
    return page([show.moderated_comment(c) for c in result.items], result.next)


@route(
    blueprint,
    "/groups/{group_id}/blocks/{user_id}",
    methods=["PUT"],
    body=BlockRequest,
    answers={200: BlockOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def block(group_id: str, user_id: str) -> dict[str, Any]:
    """Block someone from taking part in the association's consultations, for good or
    `until` a date (its moderators and admins).

    A blocked person may still read, but not vote, comment, react or flag. Blocking again
    replaces the reason and the date. A block reaches only below the blocker: moderators
    block authors and those under them (and non-members), admins moderators too; nobody
    blocks an admin or themselves (403)."""
    caller = require_caller(request())
    body = parse_body(request(), BlockRequest)
    return show.block(moderation.set_block(caller, group_id, user_id, body.reason, body.until))


@route(
    blueprint,
    "/groups/{group_id}/blocks/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, BlockNotFound, ConcurrentUpdate),
)
def unblock(group_id: str, user_id: str) -> Response:
    """Lift a block (the association's moderators and admins, for those below them: a
    blocked moderator cannot lift their own block)."""
    moderation.remove_block(require_caller(request()), group_id, user_id)
    return no_content()
