"""Sending an email: Amazon SES v2's SendEmail with the raw MIME message, and, locally, a
copy of it in the outbox.

The message is built here (`email.message.EmailMessage`): a multipart/alternative of the
plain text and the HTML, both UTF-8 in quoted-printable (7-bit safe whatever the path),
from `HUB_MAIL_FROM`, with its Date, Message-ID and the email's own headers
(List-Unsubscribe…). SES sends it as it is.

With `HUB_OUTBOX` set (the local stage only), the exact bytes sent are also written to
`<outbox>/<UTC time>-<SES message id>.eml`, through a temporary file renamed into place:
`/dev/outbox` (local/front.py) never reads half a file.

A refusal (SES's, or the endpoint not answering) raises: the caller deletes its delivery
marker and the queue retries. The client is botocore's (not boto3: nothing heavy at
import), made on the first send; locally its endpoint comes from AWS_ENDPOINT_URL_SESV2.
"""

from __future__ import annotations

import os
import tempfile
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from chalicelib.mail.render import Email
from chalicelib.settings import get_settings

_client: Any = None
_client_lock = threading.Lock()


def send(email: Email) -> str:
    """Send `email` through SES; its message id. Raises when SES refuses it."""
    settings = get_settings()
    if not settings.mail_from:
        raise RuntimeError("HUB_MAIL_FROM is not set: the Hub has no sender for its emails")
    raw = mime_message(email, settings.mail_from)
    answer = _sesv2().send_email(
        FromEmailAddress=settings.mail_from,
        Destination={"ToAddresses": [email.to]},
        Content={"Raw": {"Data": raw}},
    )
    message_id = str(answer["MessageId"])
    if settings.outbox:
        write_to_outbox(Path(settings.outbox), message_id, raw)
    return message_id


# SMTP's policy, folding at RFC 5322's hard limit rather than its 78 characters: a header
# with no space to fold at (List-Unsubscribe's URL and its token) would otherwise become an
# RFC 2047 encoded word, which mail clients do not read as a URL.
_POLICY = SMTP.clone(max_line_length=998)


def mime_message(email: Email, sender: str, *, now: datetime | None = None) -> bytes:
    """The email as the bytes sent: multipart/alternative, text then HTML, CRLF line ends.
    A header value holding CR or LF is refused (ValueError), never folded into another."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["MIME-Version"] = "1.0"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    for name, value in email.headers.items():
        if any(c in name + value for c in "\r\n") or name.lower() in _OWN_HEADERS:
            raise ValueError(f"header {name!r} may not be set to this value")
        message[name] = value
    message.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


_OWN_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "content-type"}
)


def write_to_outbox(outbox: Path, message_id: str, raw: bytes) -> Path:
    """`raw` as `<outbox>/<UTC time>-<message id>.eml`, whole or not at all."""
    outbox.mkdir(parents=True, exist_ok=True)
    safe_id = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in message_id)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{safe_id.strip('.') or 'message'}.eml"
    descriptor, temporary = tempfile.mkstemp(dir=outbox, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(raw)
        os.replace(temporary, outbox / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return outbox / name


def _sesv2() -> Any:
    """SES v2's client, made once (botocore's session reads AWS_ENDPOINT_URL_SESV2)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                import botocore.config
                import botocore.session

                # Short timeouts: a send that hangs would hold the whole batch past its
                # Lambda timeout; a failed one is retried by the queue anyway.
                config = botocore.config.Config(
                    connect_timeout=5, read_timeout=15, retries={"mode": "standard"}
                )
                session = botocore.session.get_session()
                _client = session.create_client(
                    "sesv2", region_name=get_settings().region, config=config
                )
    return _client
