"""Sending an email (chalicelib/mail/send.py): SES v2 receives the raw MIME message, the
local outbox keeps a copy of exactly those bytes, and a refusal raises for the caller to
retry. Against moto's SES (mock_aws)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.domain.notifications import Event, Kind
from chalicelib.mail import send as sending
from chalicelib.mail.render import Email, notification_email
from chalicelib.mail.send import send
from chalicelib.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-3"
SENDER = "hub@hub.localhost"


def an_email(title: str = "Budget participatif") -> Email:
    event = Event(
        id="20261202093000000-abc",
        kind=Kind.CONSULTATION_OPENED,
        at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        group_id="g00000000001",
        data={"group_name": "Les Amis", "consultation_id": "c1", "consultation_title": title},
    )
    return notification_email(
        event, "bob@example.org", "fr", web_url="http://127.0.0.1:8000", unsubscribe_token="tok"
    )


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """moto's SES with the Hub's sender verified, and a fresh client for the mail module."""
    monkeypatch.setattr(sending, "_client", None)
    with mock_aws():
        client = botocore.session.get_session().create_client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity=SENDER)
        yield ses_backends[DEFAULT_ACCOUNT_ID][REGION]


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "outbox" / "nested"  # made on the first send
    monkeypatch.setenv("HUB_OUTBOX", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_ses_receives_the_raw_message_from_the_hubs_sender(ses):
    message_id = send(an_email())

    [sent] = ses.sent_messages
    assert sent.id == message_id
    assert sent.source == "Hub <hub@hub.localhost>"
    assert "bob@example.org" in sent.destinations
    message = message_from_bytes(sent.raw_data.encode(), policy=default_policy)
    assert message["Subject"] == "Nouvelle consultation\u00a0: «\u00a0Budget participatif\u00a0»"
    assert message["To"] == "bob@example.org"


def test_the_message_has_a_text_and_an_html_part_in_utf8_and_the_one_click_headers(ses):
    send(an_email("Été <b>vélo</b>"))

    message = message_from_bytes(ses.sent_messages[0].raw_data.encode(), policy=default_policy)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert "«\u00a0Été <b>vélo</b>\u00a0»" in text.get_content()
    assert "Été &lt;b&gt;vélo&lt;/b&gt;" in html.get_content()
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/v1/unsubscribe?token=tok>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"] == "Hub <hub@hub.localhost>"
    assert message["Message-ID"].endswith("@hub.localhost>")
    assert message["Date"] is not None
    # 7-bit on the wire, whatever the words.
    assert ses.sent_messages[0].raw_data.isascii()


def test_without_an_outbox_nothing_is_written(ses, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert get_settings().outbox is None

    send(an_email())

    assert list(tmp_path.rglob("*")) == []


def test_with_an_outbox_the_exact_bytes_sent_are_kept_as_an_eml(ses, outbox):
    message_id = send(an_email())

    [written] = list(outbox.iterdir())
    assert written.name.endswith(f"-{message_id}.eml")
    assert written.read_bytes() == ses.sent_messages[0].raw_data.encode()
    message = message_from_bytes(written.read_bytes(), policy=default_policy)
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_outbox_files_sort_by_time_and_no_temporary_file_stays(ses, outbox):
    first, second = send(an_email("Un")), send(an_email("Deux"))

    names = sorted(path.name for path in outbox.iterdir())
    assert names[0].endswith(f"{first}.eml") and names[1].endswith(f"{second}.eml")
    assert not [name for name in os.listdir(outbox) if name.startswith(".")]


def test_a_refusal_raises_and_writes_nothing(monkeypatch, outbox):
    monkeypatch.setattr(sending, "_client", None)
    # The sender's identity is not verified: SES refuses.
    with mock_aws(), pytest.raises(ClientError) as refused:
        send(an_email())

    assert refused.value.response["Error"]["Code"] == "MessageRejected"
    assert not outbox.exists() or list(outbox.iterdir()) == []


def test_a_header_with_a_line_break_is_refused_before_sending(ses):
    email = an_email()
    forged = Email(email.to, email.subject, email.text, email.html, {"X-Note": "a\r\nBcc: x@y.z"})

    with pytest.raises(ValueError):
        send(forged)
    assert ses.sent_messages == []


def test_an_email_cannot_replace_the_senders_own_headers(ses):
    email = an_email()
    forged = Email(email.to, email.subject, email.text, email.html, {"From": "ceo@bank.example"})

    with pytest.raises(ValueError):
        send(forged)


def test_importing_the_sender_loads_botocore_only_when_sending_and_never_boto3():
    script = (
        "import sys, chalicelib.mail.send, chalicelib.mail.render, chalicelib.mail.unsubscribe; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'moto', 'chalice', 'cryptography')))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.strip() == "[]"


def test_the_unsubscribe_header_reaches_mail_clients_as_a_plain_url_however_long_its_token(ses):
    """RFC 8058: a mail client reads the header's URL as it stands. A long token must not
    make the header an RFC 2047 encoded word (`=?utf-8?q?...`), which no client unwraps
    into a URL."""
    event = Event(
        id="20261202093000000-abc",
        kind=Kind.CONSULTATION_OPENED,
        at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        group_id="g00000000001",
    )
    email = notification_email(
        event,
        "bob@example.org",
        "fr",
        web_url="http://127.0.0.1:8000",
        unsubscribe_token="T" * 120,
    )
    send(email)

    raw = ses.sent_messages[0].raw_data
    link = f"<http://127.0.0.1:8000/v1/unsubscribe?token={'T' * 120}>"
    assert f"\r\nList-Unsubscribe: {link}\r\n" in raw
