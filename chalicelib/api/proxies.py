"""/v1/consultations/{id}/proxy and /v1/me/proxies: proxies (procurations)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.proxies import HeldProxyPage, ProxyOut
from chalicelib.api.http import Answered, Paging, route
from chalicelib.api.schemas import HeldProxiesQuery, ProxyBody
from chalicelib.domain.errors import (
    Blocked,
    ConcurrentUpdate,
    ConsultationClosed,
    ConsultationNotFound,
    NotEligible,
    NotOpen,
    ProxiesNotAllowed,
    ProxyLimit,
    ProxyNotFound,
    ProxyUsed,
)
from chalicelib.domain.model import Caller
from chalicelib.services import proxies

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/consultations/{consultation_id}/proxy",
    methods=["PUT"],
    body=ProxyBody,
    answers={200: ProxyOut, 201: ProxyOut},
    errors=(
        ConsultationNotFound,
        ProxiesNotAllowed,
        ConsultationClosed,
        NotOpen,
        Blocked,
        NotEligible,
        ProxyLimit,
        ProxyUsed,
        ConcurrentUpdate,
    ),
)
def give_proxy(caller: Caller, consultation_id: str, body: ProxyBody) -> Answered:
    """Give your proxy for this consultation to `holder` (those who may take part, where
    it allows proxies, until it closes).

    The holder may then vote for you (a ballot with `"for": your id`); your own ballot
    replaces theirs, except in a secret debate. 201 the first time; 200 to replace it
    (until used: 409 `proxy_used`) or for the same holder again. The holder must be
    someone else who may take part (422, field `holder`) and hold fewer than
    `max_per_holder` proxies here (409 `proxy_limit`)."""
    given = proxies.give(caller, consultation_id, body.holder)
    return Answered(201 if given.created else 200, ProxyOut.of_proxy(given.proxy))


@route(
    blueprint,
    "/consultations/{consultation_id}/proxy",
    methods=["GET"],
    answers={200: ProxyOut},
    errors=(ConsultationNotFound, ProxyNotFound),
)
def get_proxy(caller: Caller, consultation_id: str) -> ProxyOut:
    """The proxy you gave for this consultation (404 `proxy_not_found` if none)."""
    return ProxyOut.of_proxy(proxies.given(caller, consultation_id))


@route(
    blueprint,
    "/consultations/{consultation_id}/proxy",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, ProxyNotFound, ProxyUsed, ConsultationClosed, ConcurrentUpdate),
)
def revoke_proxy(caller: Caller, consultation_id: str) -> None:
    """Revoke the proxy you gave for this consultation, until its holder has voted with it
    (409 `proxy_used`) or the consultation closes."""
    proxies.revoke(caller, consultation_id)


@route(
    blueprint,
    "/me/proxies/{consultation_id}/{giver_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, ProxyNotFound, ProxyUsed, ConsultationClosed, ConcurrentUpdate),
)
def decline_proxy(caller: Caller, consultation_id: str, giver_id: str) -> None:
    """Give back the proxy `giver_id` gave you, until you vote with it (409 `proxy_used`):
    its place is free again."""
    proxies.decline(caller, consultation_id, giver_id)


@route(
    blueprint,
    "/me/proxies",
    methods=["GET"],
    query=HeldProxiesQuery,
    paged=True,
    answers={200: HeldProxyPage},
)
def list_held_proxies(caller: Caller, query: HeldProxiesQuery, paging: Paging) -> HeldProxyPage:
    """The proxies you hold, newest first; `?consultation_id=` for one consultation's."""
    page = proxies.held(caller, query.consultation_id, paging.limit, paging.cursor)
    items = [ProxyOut.of_proxy(p, consultation_title=p.consultation_title) for p in page.items]
    return HeldProxyPage(items=items, next=page.next)
