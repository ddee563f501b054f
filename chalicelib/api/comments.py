"""/v1/debates/{id}/comments, /v1/comments/{id} and moderation."""

from __future__ import annotations

from typing import Literal

from chalice import Blueprint
from pydantic import BaseModel, Field

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
from chalicelib.api.http import Answered, Paging, route
from chalicelib.api.schemas import (
    BlockRequest,
    CommentCreate,
    CommentEdit,
    FlagRequest,
    HideRequest,
)
from chalicelib.domain.deliberation import Comment, Stance
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
    NotEligible,
    NotOpen,
    OwnComment,
)
from chalicelib.domain.model import Caller
from chalicelib.services import comments, moderation, reactions
from chalicelib.services.access import DebateAccess

blueprint = Blueprint(__name__)

# What refuses taking part in a debate (arguing, reacting, flagging) to one who reads it:
# services/access.py `take_part`, in its order.
TAKING_PART = (ConsultationClosed, NotOpen, Blocked, NotEligible)
Sort = Literal["top", "new", "old"]


class CommentListing(BaseModel):
    """The query of a debate's comment listing."""

    sort: Sort = Field(
        default="top",
        description="`top`: most reactions first; `new`: newest first; `old`: oldest first.",
    )
    stance: Stance = absent_unless("Only the arguments of this stance.")


def seen(
    access: DebateAccess, comment: Comment, caller: Caller | None, reacted: bool
) -> CommentOut:
    """The comment as this caller sees it: its author reads it whole, its moderators also
    see its flags and earlier versions."""
    return CommentOut.seen_by(
        comment,
        reacted=reacted,
        full=caller is not None and caller.id == comment.author_id,
        moderator=access.may_moderate(comment),
    )


@route(
    blueprint,
    "/debates/{debate_id}/comments",
    methods=["POST"],
    body=CommentCreate,
    answers={201: CommentOut},
    errors=(
        DebateNotFound,
        *TAKING_PART,
        CommentHidden,
        ConcurrentUpdate,
    ),
)
def create_comment(caller: Caller, debate_id: str, body: CommentCreate) -> CommentOut:
    """Write an argument, or reply to one (those who may take part, until it closes).

    Replies are one level deep: `parent_id` names an argument of the same debate (else 422
    naming `parent_id`), not hidden (409 `comment_hidden` while it is under review).
    Blocked people are refused (409 `blocked`)."""
    access, comment = comments.create(caller, debate_id, **body.model_dump())
    return seen(access, comment, caller, reacted=False)


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
def list_comments(
    caller: Caller | None, debate_id: str, query: CommentListing, paging: Paging
) -> CommentPage:
    """A debate's arguments (not their replies), by reactions or by time, optionally of one
    stance (anyone who sees the debate)."""
    access, result, mine = comments.list_comments(
        caller,
        debate_id,
        sort=query.sort,
        stance=query.stance,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    items = [seen(access, c, caller, c.id in mine) for c in result.items]
    return CommentPage.of(result, items=items)


@route(
    blueprint,
    "/comments/{comment_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: CommentOut},
    errors=(CommentNotFound,),
)
def get_comment(caller: Caller | None, comment_id: str) -> CommentOut:
    """One comment (anyone who sees its debate); its moderators also see its flags and
    earlier versions."""
    access = comments.get(caller, comment_id)
    assert access.comment is not None
    return seen(access, access.comment, caller, access.reacted)


@route(
    blueprint,
    "/comments/{comment_id}/replies",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    paged=True,
    answers={200: CommentPage},
    errors=(CommentNotFound,),
)
def list_replies(caller: Caller | None, comment_id: str, paging: Paging) -> CommentPage:
    """The replies to an argument, oldest first (anyone who sees its debate)."""
    access, result, mine = comments.list_replies(caller, comment_id, paging.limit, paging.cursor)
    items = [seen(access, c, caller, c.id in mine) for c in result.items]
    return CommentPage.of(result, items=items)


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
def edit_comment(caller: Caller, comment_id: str, body: CommentEdit) -> CommentOut:
    """Change your comment's text, until the consultation closes (its author only).

    The earlier text is kept for moderators; a deleted comment cannot be edited (404). A
    blocked author cannot edit (409 `blocked`); nor can the author of a comment a moderator
    hid, until it is restored (409 `comment_hidden`)."""
    access, comment = comments.edit(caller, comment_id, body.body)
    return seen(access, comment, caller, access.reacted)


@route(
    blueprint,
    "/comments/{comment_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(CommentNotFound, Forbidden, CommentHidden, ConcurrentUpdate),
)
def delete_comment(caller: Caller, comment_id: str) -> None:
    """Delete a comment (its author, or its moderators).

    Its thread keeps a placeholder without author or text; deleting it again changes
    nothing. A hidden comment is its moderators' to delete: its author is refused until it
    is restored (409 `comment_hidden`)."""
    comments.delete(caller, comment_id)


@route(
    blueprint,
    "/comments/{comment_id}/reaction",
    methods=["PUT"],
    answers={200: ReactionOut, 201: ReactionOut},
    errors=(
        CommentNotFound,
        *TAKING_PART,
        OwnComment,
        CommentHidden,
        ConcurrentUpdate,
    ),
)
def react(caller: Caller, comment_id: str) -> Answered:
    """React to someone else's comment, until the consultation closes (those who may take
    part), unless it is hidden under review (409 `comment_hidden`).

    One reaction per person: 201 when added, 200 when it was already there."""
    added = reactions.react(caller, comment_id)
    return Answered(201 if added else 200, ReactionOut(comment_id=comment_id, reacted=True))


@route(
    blueprint,
    "/comments/{comment_id}/reaction",
    methods=["DELETE"],
    answers={204: None},
    errors=(
        CommentNotFound,
        *TAKING_PART,
        ConcurrentUpdate,
    ),
)
def unreact(caller: Caller, comment_id: str) -> None:
    """Take back your reaction to a comment, until the consultation closes (those who may
    take part); without one, nothing changes."""
    reactions.unreact(caller, comment_id)


@route(
    blueprint,
    "/comments/{comment_id}/flags",
    methods=["POST"],
    body=FlagRequest,
    answers={201: FlagOut},
    errors=(
        CommentNotFound,
        *TAKING_PART,
        OwnComment,
        AlreadyFlagged,
        ConcurrentUpdate,
    ),
)
def flag(caller: Caller, comment_id: str, body: FlagRequest) -> FlagOut:
    """Flag someone else's comment for the moderators, until the consultation closes (those
    who may take part; once per person).

    The comment joins the moderation queue; enough flags hide it until a moderator
    reviews it."""
    reactions.flag(caller, comment_id, body.reason)
    return FlagOut(comment_id=comment_id, reason=body.reason)


@route(
    blueprint,
    "/comments/{comment_id}/hide",
    methods=["POST"],
    body=HideRequest,
    answers={200: ModeratedCommentOut},
    errors=(CommentNotFound, Forbidden, ConcurrentUpdate),
)
def hide(caller: Caller, comment_id: str, body: HideRequest) -> ModeratedCommentOut:
    """Hide a comment, with a reason shown in its place (its moderators: the host's, granted
    ones, or a partner's for its own members' comments)."""
    return ModeratedCommentOut.of_comment(moderation.hide(caller, comment_id, body.reason))


@route(
    blueprint,
    "/comments/{comment_id}/restore",
    methods=["POST"],
    answers={200: ModeratedCommentOut},
    errors=(CommentNotFound, Forbidden, ConcurrentUpdate),
)
def restore(caller: Caller, comment_id: str) -> ModeratedCommentOut:
    """Review a comment and keep it: shown again, its flags cleared, out of the moderation
    queue (its moderators)."""
    return ModeratedCommentOut.of_comment(moderation.restore(caller, comment_id))


@route(
    blueprint,
    "/groups/{group_id}/moderation",
    methods=["GET"],
    paged=True,
    answers={200: ModerationQueuePage},
    errors=(GroupNotFound, Forbidden),
)
def moderation_queue(caller: Caller, group_id: str, paging: Paging) -> ModerationQueuePage:
    """The comments waiting for an association's moderators: flagged or hidden, not yet
    reviewed (its moderators and admins).

    Only those the reader could open and moderate directly: not a restricted consultation's
    outside their audience, not a partner consultation's once the partnership is withdrawn.
    A page holds at most `limit` and may hold fewer, even none, while `next` is given:
    follow `next` until it is null."""
    result = moderation.moderation_queue(caller, group_id, paging.limit, paging.cursor)
    items = [ModeratedCommentOut.of_comment(c) for c in result.items]
    return ModerationQueuePage.of(result, items=items)


@route(
    blueprint,
    "/groups/{group_id}/blocks/{user_id}",
    methods=["PUT"],
    body=BlockRequest,
    answers={200: BlockOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def block(caller: Caller, group_id: str, user_id: str, body: BlockRequest) -> BlockOut:
    """Block someone from taking part in the association's consultations, for good or
    `until` a date (its moderators and admins).

    A blocked person may still read, but not vote, comment, react or flag. Blocking again
    replaces the reason and the date. A block reaches only below the blocker: moderators
    block authors and those under them (and non-members), admins moderators too; nobody
    blocks an admin or themselves (403)."""
    return BlockOut.of(moderation.set_block(caller, group_id, user_id, body.reason, body.until))


@route(
    blueprint,
    "/groups/{group_id}/blocks/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(GroupNotFound, Forbidden, BlockNotFound, ConcurrentUpdate),
)
def unblock(caller: Caller, group_id: str, user_id: str) -> None:
    """Lift a block (the association's moderators and admins, for those below them: a
    blocked moderator cannot lift their own block)."""
    moderation.remove_block(caller, group_id, user_id)
