"""`/dev/outbox` (local/front.py): the emails the local stack sent, as a developer reads
them in the browser: listed newest first, each with its text and its HTML part."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import botocore.session
import pytest
from moto import mock_aws

from chalicelib.domain.notifications import Event, Kind
from chalicelib.mail import send as sending
from chalicelib.mail.render import notification_email
from chalicelib.mail.send import send
from chalicelib.settings import get_settings
from local import front


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("HUB_OUTBOX", str(folder))
    monkeypatch.setattr(sending, "_client", None)
    get_settings.cache_clear()
    with mock_aws():
        client = botocore.session.get_session().create_client("sesv2", region_name="eu-west-3")
        client.create_email_identity(EmailIdentity="hub@hub.localhost")
        yield folder
    get_settings.cache_clear()


def sent(title: str, to: str = "bob@example.org") -> str:
    event = Event(
        id=f"e-{title}",
        kind=Kind.CONSULTATION_OPENED,
        at=datetime(2026, 12, 2, tzinfo=UTC),
        group_id="g00000000001",
        data={"group_name": "Les Amis", "consultation_id": "c1", "consultation_title": title},
    )
    return send(
        notification_email(event, to, "en", web_url="http://127.0.0.1:8000", unsubscribe_token="t")
    )


def served(target: str):
    found = front.answer("GET", target, {"Host": "127.0.0.1:8000"})
    assert found is not None, f"GET {target} went to the API"
    return found


class Links(HTMLParser):
    def __init__(self, page: bytes):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self.feed(page.decode())

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs)["href"]

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


def test_the_outbox_lists_the_emails_sent_newest_first_with_subject_recipient_and_date(outbox):
    sent("First <one>", "ann@example.org")
    sent("Second", "bob@example.org")

    page = served("/dev/outbox")
    body = page.body.decode()

    assert page.status == 200 and page.content_type == "text/html; charset=utf-8"
    assert page.cache == "no-store"
    assert body.index("Second") < body.index("First &lt;one&gt;")
    assert "ann@example.org" in body and "bob@example.org" in body
    assert "First <one>" not in body
    assert ", 02 Dec 2026" in body or " +0000" in body  # each email's Date header
    assert [href for href, _ in Links(page.body).links if href.startswith("/dev/outbox/")] == [
        f"/dev/outbox/{name}" for name in sorted((p.name for p in outbox.iterdir()), reverse=True)
    ]


def test_one_email_shows_its_headers_its_text_and_links_to_its_html_part(outbox):
    message_id = sent("Budget")
    [name] = [p.name for p in outbox.iterdir()]
    assert message_id in name

    page = served(f"/dev/outbox/{name}").body.decode()
    assert "New consultation: “Budget”" in page
    assert "List-Unsubscribe-Post" in page and "List-Unsubscribe=One-Click" in page
    assert "http://127.0.0.1:8000/consultations/c1" in page  # in the text part
    html = served(f"/dev/outbox/{name}/html")
    assert html.content_type == "text/html; charset=utf-8"
    assert b'<a href="http://127.0.0.1:8000/consultations/c1">Take part</a>' in html.body
    assert "Content-Security-Policy" in html.all_headers()
    assert served(f"/dev/outbox/{name}/raw").body == (outbox / name).read_bytes()


@pytest.mark.parametrize(
    "target",
    [
        "/dev/outbox/nothing.eml",
        "/dev/outbox/%2e%2e%2fsecret.eml",
        "/dev/outbox/x.txt",
        "/dev/outbox/.hidden.eml",
    ],
)
def test_nothing_outside_the_outbox_is_served(outbox, target):
    sent("Budget")
    (outbox.parent / "secret.eml").write_text("Subject: secret\n\nsecret")
    (outbox / "x.txt").write_text("x")
    (outbox / ".hidden.eml").write_text("Subject: hidden\n\nhidden")

    assert served(target).status in (400, 404)


def test_without_an_outbox_the_page_says_so(monkeypatch):
    monkeypatch.delenv("HUB_OUTBOX", raising=False)

    page = served("/dev/outbox")

    assert page.status == 200
    assert "HUB_OUTBOX" in page.body.decode()
