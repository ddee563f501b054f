"""Emails as people read them (chalicelib/mail/render.py): every kind in French and English,
its links, what strangers' words can and cannot do to it."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from html.parser import HTMLParser

import pytest

from chalicelib.domain.notifications import Event, Kind
from chalicelib.mail import render
from chalicelib.mail.render import (
    Email,
    digest_email,
    invitation_email,
    notification_email,
)
from chalicelib.mail.send import mime_message

WEB = "https://hub.example.org"
TOKEN = "tok-EN_123"
AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
FULL = {
    "group_name": "Les Amis du Parc",
    "host_name": "Quartier Nord",
    "consultation_id": "c00000000001",
    "consultation_title": "Budget participatif 2027",
    "debate_id": "d00000000001",
    "debate_title": "Pistes cyclables",
    "comment_id": "k00000000001",
    "actor_name": "Alice Martin",
    "reason": "Propos injurieux",
    "code": "inv-CODE-0123456789abcdef",
    "closes_at": "2026-12-05T18:00:00Z",
    "user_id": "u-bob",
}
# Where each kind leads, with every datum known.
LINKS = {
    Kind.INVITATION: "/invitations/inv-CODE-0123456789abcdef",
    Kind.JOIN_REQUESTED: "/groups/g00000000001/requests",
    Kind.JOIN_APPROVED: "/groups/g00000000001",
    Kind.JOIN_DECLINED: "/groups/g00000000001",
    Kind.CONSULTATION_OPENED: "/consultations/c00000000001",
    Kind.CLOSING_SOON: "/consultations/c00000000001",
    Kind.RESULTS: "/consultations/c00000000001",
    Kind.REPLY: "/debates/d00000000001",
    Kind.COMMENT_HIDDEN: "/debates/d00000000001",
    Kind.COMMENT_RESTORED: "/debates/d00000000001",
    Kind.PARTNER_INVITATION: "/groups/g00000000001/partner-invitations",
    Kind.FLAGS_WAITING: "/groups/g00000000001/moderation",
}
NOTIFIED = [kind for kind in Kind if kind is not Kind.INVITATION]


def event(kind: Kind, data: dict[str, str] | None = None, group: str | None = "g00000000001"):
    return Event(
        id=f"e-{kind}", kind=kind, at=AT, group_id=group, data=FULL if data is None else data
    )


def email_of(kind: Kind, locale: str | None = "fr", data: dict[str, str] | None = None) -> Email:
    if kind is Kind.INVITATION:
        return invitation_email(event(kind, data), "bob@example.org", locale, web_url=WEB)
    return notification_email(
        event(kind, data), "bob@example.org", locale, web_url=WEB, unsubscribe_token=TOKEN
    )


class Page(HTMLParser):
    """What a reader (or a screen reader) finds in an HTML part."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.text: list[str] = []
        self._href: str | None = None
        self._words: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "a":
            self._href, self._words = attributes.get("href"), []
        self.sources += [v for k, v in attrs if k in ("src", "srcset", "background", "style")]

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._words).strip()))
            self._href = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href is not None:
            self._words.append(data)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_its_subject_text_and_html_with_its_link_in_both_languages(kind, locale):
    email = email_of(kind, locale)
    page = Page(email.html)

    assert email.subject and email.to == "bob@example.org"
    assert page.lang == locale
    hrefs = [href for href, _ in page.links]
    assert WEB + LINKS[kind] in hrefs
    assert WEB + LINKS[kind] in email.text
    assert all(words for _, words in page.links), "every link says where it goes"
    assert email.subject in page.text  # the <title>
    assert not {"script", "img", "link", "style", "iframe", "form"} & set(page.tags)
    assert page.sources == []


@pytest.mark.parametrize("kind", NOTIFIED)
def test_a_notification_links_to_preferences_and_to_its_unsubscribe_page(kind):
    email = email_of(kind, "en")
    hrefs = [href for href, _ in Page(email.html).links]

    assert f"{WEB}/me" in hrefs
    assert f"{WEB}/unsubscribe?token={TOKEN}" in hrefs
    assert f"{WEB}/unsubscribe?token={TOKEN}" in email.text
    assert email.headers == {
        "List-Unsubscribe": f"<{WEB}/v1/unsubscribe?token={TOKEN}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_the_two_languages_say_different_words_for_each_kind():
    for kind in Kind:
        french, english = email_of(kind, "fr"), email_of(kind, "en")
        assert french.subject != english.subject, kind
        assert french.text != english.text, kind


def test_the_email_names_what_happened_to_whom_with_titles_and_names():
    email = email_of(Kind.CONSULTATION_OPENED, "fr")

    assert email.subject == "Nouvelle consultation\u00a0: «\u00a0Budget participatif 2027\u00a0»"
    assert "Les Amis du Parc" in email.text
    assert "Elle se termine le 5 décembre 2026 à 18:00 UTC." in email.text
    assert "It closes on 5 December 2026 at 18:00 UTC." in email_of(Kind.CLOSING_SOON, "en").text
    assert "Alice Martin" in email_of(Kind.REPLY, "en").subject


@pytest.mark.parametrize("kind", [Kind.COMMENT_HIDDEN, Kind.COMMENT_RESTORED])
def test_a_moderation_email_gives_the_moderators_reason(kind):
    email = email_of(kind, "en", {**FULL, "reason": "Off topic\nsee the rules"})

    assert "> Off topic\n> see the rules" in email.text
    assert "Off topic" in "".join(Page(email.html).text)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_reads_well_without_any_data(kind, locale):
    email = email_of(kind, locale, data={})

    for part in (email.subject, email.text, email.html):
        assert "{" not in part and "}" not in part
        assert "“”" not in part and "«\u00a0\u00a0»" not in part and "None" not in part
    assert re.search(r"\s[.,:]", email.subject.replace("\u00a0:", "")) is None
    assert Page(email.html).links, "it still leads somewhere"


def test_a_missing_id_leads_to_the_notifications_page_rather_than_a_broken_link():
    email = notification_email(
        event(Kind.RESULTS, {}, group=None), "b@x.org", "en", web_url=WEB, unsubscribe_token="t"
    )

    assert (f"{WEB}/me/notifications", "See the results") in Page(email.html).links


def test_ids_are_escaped_in_links():
    email = email_of(Kind.RESULTS, "en", {"consultation_id": "../admin?x=1#"})

    assert f"{WEB}/consultations/..%2Fadmin%3Fx%3D1%23" in email.text


@pytest.mark.parametrize("kind", list(Kind))
def test_a_script_in_a_title_or_name_is_only_text_in_the_html(kind):
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    data = {
        **FULL,
        **{
            k: hostile
            for k in (
                "group_name",
                "consultation_title",
                "debate_title",
                "actor_name",
                "reason",
                "host_name",
            )
        },
    }
    email = email_of(kind, "en", data)
    page = Page(email.html)

    assert "script" not in page.tags and "img" not in page.tags
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert page.sources == []
    # In the text part it is only characters, shown as written.
    assert "<script>alert('x')</script>" in email.text or kind is Kind.FLAGS_WAITING


def test_a_quote_in_a_title_cannot_leave_an_attribute():
    email = email_of(
        Kind.RESULTS,
        "en",
        {"consultation_id": 'c" onclick="x', "consultation_title": '"><a href="//evil">'},
    )
    page = Page(email.html)

    assert all(not href.startswith("//evil") for href, _ in page.links)
    assert "onclick" not in {name for name in page.tags}


@pytest.mark.parametrize("kind", list(Kind))
def test_line_breaks_in_a_title_never_reach_a_header(kind):
    hostile = "Budget\r\nBcc: everyone@example.org\r\n\r\n<b>body</b>\u2028x\x85y"
    data = {
        k: hostile
        for k in ("group_name", "consultation_title", "debate_title", "actor_name", "host_name")
    }
    email = email_of(kind, "en", data)

    assert not re.search(r"[\r\n\x85\u2028\u2029]", email.subject)
    for name, value in email.headers.items():
        assert not re.search(r"[\r\n]", name + value)
    sent = message_from_bytes(
        mime_message(email, "Hub <hub@hub.example.org>"), policy=default_policy
    )
    assert sent["Bcc"] is None
    assert list(sent.keys()).count("Subject") == 1
    assert "\n" not in str(sent["Subject"])


def test_bidi_overrides_in_a_name_are_dropped():
    email = email_of(Kind.REPLY, "en", {"actor_name": "Alice\u202egnp.exe"})

    assert "\u202e" not in email.subject + email.text + email.html


def test_a_very_long_title_is_cut_in_the_subject():
    email = email_of(Kind.RESULTS, "en", {**FULL, "consultation_title": "word " * 200})

    assert len(email.subject) <= render.MAX_SUBJECT_CHARS
    assert "…" in email.subject


def test_an_address_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        notification_email(
            event(Kind.RESULTS), "a@b.org\r\nBcc: c@d.org", "en", web_url=WEB, unsubscribe_token="t"
        )


@pytest.mark.parametrize(
    ("asked", "written_in"),
    [
        (None, "fr"),
        ("fr", "fr"),
        ("en", "en"),
        ("en-GB", "en"),
        ("FR_ca", "fr"),
        ("de", "fr"),
        ("", "fr"),
    ],
)
def test_the_language_is_the_recipients_or_the_default(asked, written_in):
    assert Page(email_of(Kind.RESULTS, asked).html).lang == written_in


def test_an_invitation_says_why_this_address_got_it_and_has_no_unsubscribe():
    email = email_of(Kind.INVITATION, "en")
    hrefs = [href for href, _ in Page(email.html).links]

    assert email.headers == {}
    assert "bob@example.org" in email.text
    assert "Alice Martin invited this address" in email.text
    assert not any("unsubscribe" in href for href in hrefs)
    assert email.subject == "Alice Martin invites you to join Les Amis du Parc on the Hub"


def test_a_digest_lists_the_days_events_by_association_with_their_links():
    other = {"group_name": "Vélo Club", "consultation_id": "c2", "consultation_title": "Parcours"}
    events = [
        Event("e-0", Kind.RESULTS, AT.replace(hour=1), None, {}),
        event(Kind.REPLY),
        Event("e-2", Kind.CONSULTATION_OPENED, AT.replace(hour=11), "g2", other),
        event(Kind.FLAGS_WAITING),
    ]
    email = digest_email(events, "bob@example.org", "fr", web_url=WEB, unsubscribe_token=TOKEN)
    page = Page(email.html)
    hrefs = [href for href, _ in page.links]

    assert email.subject == "Votre journée sur le Hub\u00a0: 4 notifications"
    assert page.lang == "fr"
    assert page.tags.count("h1") == 1
    assert page.tags.count("h2") == 3  # Les Amis du Parc, Vélo Club, then the rest
    assert email.text.index("Les Amis du Parc") < email.text.index("Vélo Club")
    assert email.text.index("Vélo Club") < email.text.index("Ailleurs sur le Hub")
    for link in (
        LINKS[Kind.REPLY],
        LINKS[Kind.FLAGS_WAITING],
        "/consultations/c2",
        "/me/notifications",
    ):
        assert WEB + link in hrefs
    assert f"{WEB}/unsubscribe?token={TOKEN}" in hrefs
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_digest_of_one_event_says_notification_in_the_singular():
    one = digest_email([event(Kind.REPLY)], "b@x.org", "en", web_url=WEB, unsubscribe_token="t")

    assert one.subject == "Your day on the Hub: 1 notification"


# The catalogues ----------------------------------------------------------------------------


def strings(tree: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(tree, str):
        return [(path, tree)]
    if isinstance(tree, list):
        return [s for i, item in enumerate(tree) for s in strings(item, f"{path}[{i}]")]
    return [s for key, item in tree.items() for s in strings(item, f"{path}.{key}")]


def shape(tree: object) -> object:
    if isinstance(tree, dict):
        return {key: shape(item) for key, item in tree.items()}
    if isinstance(tree, list):
        return [shape(item) for item in tree]
    return sorted({n for _, n, _, _ in string.Formatter().parse(tree) if n})


def test_both_catalogues_say_the_same_things_with_the_same_placeholders():
    assert shape(render.catalogue("fr")) == shape(render.catalogue("en"))
    assert set(render.catalogue("en")["kinds"]) == {kind.value for kind in Kind}


def test_french_puts_a_non_breaking_space_before_double_punctuation_and_inside_quotes():
    for path, text in strings(render.catalogue("fr")):
        assert not re.search(r"[^\u00a0][:;?!»]", text), path
        assert not re.search(r"«[^\u00a0]", text), path
        assert "'" not in text, f"{path}: the apostrophe is \u2019"


@pytest.mark.parametrize("kind", list(Kind))
def test_data_that_is_not_a_string_counts_as_missing(kind):
    odd = dict.fromkeys(FULL, None) | {"closes_at": "not a date", "consultation_id": 12}
    email = email_of(kind, "en", odd)

    assert "None" not in email.text and "/consultations/12" not in email.text
    assert "not a date" not in email.text and "It closes" not in email.text
