"""What the proxy routes answer (chalicelib/api/proxies.py)."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from chalicelib.api.answers import Answer, Page, PersonOut, Timestamp, absent_unless
from chalicelib.domain.proxies import Proxy


class ProxyOut(Answer):
    """A proxy (procuration): its giver lets its holder vote for them in the debates of
    one consultation."""

    consultation_id: str
    giver: PersonOut = Field(description="Who gave it, named as when they gave it.")
    holder: PersonOut = Field(description="Who holds it, named as when it was given.")
    given_at: Timestamp
    used_at: Timestamp | None = Field(
        description="When its holder first voted with it (then it can no longer be revoked "
        "or replaced); null until then."
    )
    consultation_title: str = absent_unless("In `/me/proxies`: as when the proxy was given.")

    @classmethod
    def of_proxy(cls, proxy: Proxy, **more: object) -> Self:
        return cls.of(
            proxy,
            giver=PersonOut(id=proxy.giver_id, name=proxy.giver_name),
            holder=PersonOut(id=proxy.holder_id, name=proxy.holder_name),
            **more,
        )


class HeldProxyPage(Page[ProxyOut]):
    """The proxies the caller holds, newest first. Filtered to one consultation, a page may
    hold fewer than `limit` and still have a `next`."""
