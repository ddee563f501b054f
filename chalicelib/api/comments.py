"""/v1/debates/{id}/comments, /v1/comments/{id} and moderation."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

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
from chalicelib.api.schemas import (
    BlockRequest,
    CommentCreate,
    CommentEdit,
    FlagRequest,
    HideRequest,
)
from chalicelib.domain.consultations import invalid
from chalicelib.domain.model import Caller, Comment, Stance
from chalicelib.services import comments
from chalicelib.services.comments import Seat

blueprint = Blueprint(__name__)
SORTS = ("top", "new", "old")


def request() -> Request:
    return blueprint.current_request


def view(access: Seat, comment: Comment, caller: Caller | None, reacted: bool) -> dict[str, Any]:
    if access.may_moderate(comment):
        return show.moderated_comment(comment) | {"reacted": reacted}
    full = caller is not None and caller.id == comment.author_id
    return show.comment(comment, reacted=reacted, full=full)


def listing_params() -> tuple[str, Stance | None]:
    params = request().query_params or {}
    sort = params.get("sort", "top")
    if sort not in SORTS:
        raise invalid("sort", "unsupported", "sort is top, new or old")
    stance = params.get("stance")
    if stance is not None and stance not in {s.value for s in Stance}:
        raise invalid("stance", "unsupported", "stance is pro, con or neutral")
    return sort, Stance(stance) if stance else None


@route(blueprint, "/debates/{debate_id}/comments", methods=["POST"])
def create_comment(debate_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), CommentCreate)
    access, comment = comments.create(caller, debate_id, **body.model_dump())
    return created(view(access, comment, caller, reacted=False))


@route(blueprint, "/debates/{debate_id}/comments", methods=["GET"])
def list_comments(debate_id: str) -> dict[str, Any]:
    caller = optional_caller(request())
    sort, stance = listing_params()
    limit, cursor = paging(request())
    access, result, mine = comments.list_comments(
        caller, debate_id, sort=sort, stance=stance, limit=limit, cursor=cursor
    )
    return page([view(access, c, caller, c.id in mine) for c in result.items], result.next)


@route(blueprint, "/comments/{comment_id}", methods=["GET"])
def get_comment(comment_id: str) -> dict[str, Any]:
    caller = optional_caller(request())
    access = comments.get(caller, comment_id)
    assert access.comment is not None
    return view(access, access.comment, caller, access.reacted)


@route(blueprint, "/comments/{comment_id}/replies", methods=["GET"])
def list_replies(comment_id: str) -> dict[str, Any]:
    caller = optional_caller(request())
    access, result, mine = comments.list_replies(caller, comment_id, *paging(request()))
    return page([view(access, c, caller, c.id in mine) for c in result.items], result.next)


@route(blueprint, "/comments/{comment_id}", methods=["PATCH"])
def edit_comment(comment_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), CommentEdit)
    access, comment = comments.edit(caller, comment_id, body.body)
    return view(access, comment, caller, access.reacted)


@route(blueprint, "/comments/{comment_id}", methods=["DELETE"])
def delete_comment(comment_id: str) -> Response:
    comments.delete(require_caller(request()), comment_id)
    return no_content()


@route(blueprint, "/comments/{comment_id}/reaction", methods=["PUT"])
def react(comment_id: str) -> Response:
    added = comments.react(require_caller(request()), comment_id)
    body = {"comment_id": comment_id, "reacted": True}
    return Response(body=body, status_code=201 if added else 200)


@route(blueprint, "/comments/{comment_id}/reaction", methods=["DELETE"])
def unreact(comment_id: str) -> Response:
    comments.unreact(require_caller(request()), comment_id)
    return no_content()


@route(blueprint, "/comments/{comment_id}/flags", methods=["POST"])
def flag(comment_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), FlagRequest)
    comments.flag(caller, comment_id, body.reason)
    return created({"comment_id": comment_id, "reason": body.reason.value})


@route(blueprint, "/comments/{comment_id}/hide", methods=["POST"])
def hide(comment_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), HideRequest)
    return show.moderated_comment(comments.hide(caller, comment_id, body.reason))


@route(blueprint, "/comments/{comment_id}/restore", methods=["POST"])
def restore(comment_id: str) -> dict[str, Any]:
    return show.moderated_comment(comments.restore(require_caller(request()), comment_id))


@route(blueprint, "/groups/{group_id}/moderation", methods=["GET"])
def moderation_queue(group_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    result = comments.moderation_queue(caller, group_id, *paging(request()))
    return page([show.moderated_comment(c) for c in result.items], result.next)


@route(blueprint, "/groups/{group_id}/blocks/{user_id}", methods=["PUT"])
def block(group_id: str, user_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), BlockRequest)
    return show.block(comments.set_block(caller, group_id, user_id, body.reason, body.until))


@route(blueprint, "/groups/{group_id}/blocks/{user_id}", methods=["DELETE"])
def unblock(group_id: str, user_id: str) -> Response:
    comments.remove_block(require_caller(request()), group_id, user_id)
    return no_content()
