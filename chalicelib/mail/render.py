"""Emails as people read them: a subject, a plain text and an HTML part, in their language.

Pure Python (no AWS): the pipeline (chalicelib/services/notifications.py) renders, send.py
sends. The words are data, in `chalicelib/messages/mail.<locale>.json`: for each kind a
`subject`, a `lead`, an `action` (the link's words) and a digest `line`. A message is a
list of templates, most precise first; the first whose placeholders the event has is used,
and the last needs none that may be missing: an event without a title or a name still
reads well ("A new consultation is open").

Titles, names and reasons are other people's words: on one line (controls and bidi
overrides removed) wherever they are shown, escaped in the HTML, and never in a header
but the subject, where no CR or LF can reach. The HTML is plain and accessible: its
language, a real link for each action, no image, nothing loaded from anywhere.
"""

from __future__ import annotations

import html
import json
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chalicelib.domain.notifications import Event, Kind
from chalicelib.settings import get_settings

LOCALES = ("en", "fr")
_CATALOGUES = Path(__file__).resolve().parent.parent / "messages"
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
MAX_SUBJECT_CHARS = 200
MAX_TITLE_CHARS = 120  # a title quoted in a subject or a line
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058's List-Unsubscribe-Post value


@dataclass(frozen=True)
class Email:
    """One email to one address. `headers` are extra headers (List-Unsubscribe…): their
    values never hold CR or LF."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def notification_email(
    event: Event, to: str, locale: str | None, *, web_url: str, unsubscribe_token: str
) -> Email:
    """The email telling `to` about one event, with its unsubscribe link (RFC 8058)."""
    words = _Words(_locale(locale))
    values = _values(event, words)
    entry = words.kind(event.kind)
    subject = _short(words.pick(entry["subject"], values), MAX_SUBJECT_CHARS)
    link = event_link(event, web_url)
    paragraphs = [words.pick(entry["lead"], values)]
    if "closes_at" in values and event.kind in (Kind.CONSULTATION_OPENED, Kind.CLOSING_SOON):
        paragraphs.append(words.pick(words.catalogue["closes"], values))
    reason = _reason(event)
    footer = _Footer(words, web_url, unsubscribe_token, words.pick(words.footer["why"], values))
    body = _Body(words.locale, subject)
    for paragraph in paragraphs:
        body.paragraph(paragraph)
    if reason:
        body.quote(words.catalogue["reason"], reason)
    body.link(entry["action"], link)
    footer.write(body)
    return Email(
        to=_address(to),
        subject=subject,
        text=body.text(),
        html=body.html(),
        headers=_unsubscribe_headers(web_url, unsubscribe_token),
    )


def digest_email(
    events: list[Event], to: str, locale: str | None, *, web_url: str, unsubscribe_token: str
) -> Email:
    """One email listing a day's events, by association (in the order each was first
    heard of; what belongs to none last), each a line and its link."""
    words = _Words(_locale(locale))
    count = len(events)
    subject = words.pick(
        words.digest["subject"], {"count": str(count), "count_s": words.plural(count)}
    )
    body = _Body(words.locale, subject)
    body.paragraph(words.pick(words.digest["intro"], {}))
    by_group: dict[str | None, list[Event]] = {}
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        by_group.setdefault(event.group_id, []).append(event)
    # What belongs to no association comes last.
    for group_id, group_events in sorted(by_group.items(), key=lambda item: item[0] is None):
        names = [_one_line(_datum(e, "group_name")) for e in group_events]
        heading = next((name for name in names if name), "") if group_id else ""
        body.heading(heading or words.word("elsewhere"))
        body.items(
            [
                (words.pick(words.kind(e.kind)["line"], _values(e, words)), event_link(e, web_url))
                for e in group_events
            ]
        )
    body.link(words.digest["see_all"], f"{web_url}/me/notifications")
    _Footer(words, web_url, unsubscribe_token, words.pick(words.footer["why"], {})).write(body)
    return Email(
        to=_address(to),
        subject=subject,
        text=body.text(),
        html=body.html(),
        headers=_unsubscribe_headers(web_url, unsubscribe_token),
    )


def invitation_email(event: Event, to: str, locale: str | None, *, web_url: str) -> Email:
    """An invitation to someone who may have no account: its link, and why this address
    received it; no unsubscribe (there is no one to unsubscribe)."""
    words = _Words(_locale(locale))
    values = {**_values(event, words), "to": _one_line(to)}
    entry = words.kind(Kind.INVITATION)
    subject = _short(words.pick(entry["subject"], values), MAX_SUBJECT_CHARS)
    body = _Body(words.locale, subject)
    body.paragraph(words.pick(entry["lead"], values))
    body.link(entry["action"], event_link(event, web_url))
    body.rule()
    body.small(words.pick(words.footer["invitation_why"], values))
    return Email(to=_address(to), subject=subject, text=body.text(), html=body.html(), headers={})


def event_link(event: Event, web_url: str) -> str:
    """The page of the web client an event leads to."""
    group = _path(event.group_id)
    consultation, debate = (
        _path(_datum(event, "consultation_id")),
        _path(_datum(event, "debate_id")),
    )
    code, partner = _path(_datum(event, "code")), _path(_datum(event, "partner_id"))
    match event.kind:
        case Kind.INVITATION if code:
            return f"{web_url}/invitations/{code}"
        case Kind.JOIN_REQUESTED if group:
            return f"{web_url}/groups/{group}/requests"
        case Kind.FLAGS_WAITING if group:
            return f"{web_url}/groups/{group}/moderation"
        case Kind.PARTNER_INVITATION if partner or group:
            return f"{web_url}/groups/{partner or group}/partner-invitations"
        case Kind.REPLY | Kind.COMMENT_HIDDEN | Kind.COMMENT_RESTORED if debate:
            return f"{web_url}/debates/{debate}"
        case Kind.JOIN_APPROVED | Kind.JOIN_DECLINED | Kind.INVITATION if group:
            return f"{web_url}/groups/{group}"
    if consultation and event.kind not in (Kind.JOIN_APPROVED, Kind.JOIN_DECLINED):
        return f"{web_url}/consultations/{consultation}"
    if debate:
        return f"{web_url}/debates/{debate}"
    return f"{web_url}/me/notifications"


# The words ------------------------------------------------------------------------------------


def _locale(locale: str | None) -> str:
    """fr or en: a tag like fr-CA counts as its language; anything else is the default."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else get_settings().default_locale


@cache
def catalogue(locale: str) -> dict[str, Any]:
    """The email catalogue of `locale` (chalicelib/messages/mail.<locale>.json)."""
    if locale not in LOCALES:
        raise ValueError(f"no email catalogue for {locale!r}")
    return json.loads((_CATALOGUES / f"mail.{locale}.json").read_text(encoding="utf-8"))


class _Words:
    def __init__(self, locale: str):
        self.locale = locale
        self.catalogue = catalogue(locale)
        self.footer: dict[str, Any] = self.catalogue["footer"]
        self.digest: dict[str, Any] = self.catalogue["digest"]

    def kind(self, kind: Kind) -> dict[str, Any]:
        return self.catalogue["kinds"][Kind(kind).value]

    def word(self, name: str) -> Any:
        return self.catalogue["words"][name]

    def plural(self, count: int) -> str:
        return "s" if (count != 1 if self.locale == "en" else count >= 2) else ""

    def pick(self, templates: Sequence[str] | str, values: Mapping[str, str]) -> str:
        """The first template whose placeholders all have a value, filled."""
        options = [templates] if isinstance(templates, str) else list(templates)
        for template in options:
            if all(name in values for name in placeholders(template)):
                return template.format_map(values)
        return options[-1].format_map(_Blank(values))


class _Blank(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return ""


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _values(event: Event, words: _Words) -> dict[str, str]:
    """What templates may name, only when the event says it: names and quoted titles on one
    line, the derived phrases ("the consultation “X”"), the closing date."""
    values: dict[str, str] = {}
    for name, key in (("group", "group_name"), ("actor", "actor_name"), ("host", "host_name")):
        shown = _short(_one_line(_datum(event, key)))
        if shown:
            values[name] = shown
    for name in ("consultation", "debate"):
        title = _short(_one_line(_datum(event, f"{name}_title")))
        if title:
            values[name] = words.word("quoted").format(title=title)
            values[f"the_{name}"] = words.word(f"the_{name}").format(**values)
            values[f"the_{name}_cap"] = _capitalised(values[f"the_{name}"])
    values["where"] = (
        values.get("the_debate") or values.get("the_consultation") or words.word("a_discussion")
    )
    closes_at = _date(_datum(event, "closes_at"), words)
    if closes_at:
        values["closes_at"] = closes_at
    return values


def _reason(event: Event) -> str:
    """A moderator's reason, for the kinds that carry one: its lines kept, controls not."""
    if event.kind not in (Kind.COMMENT_HIDDEN, Kind.COMMENT_RESTORED, Kind.JOIN_DECLINED):
        return ""
    lines = (_one_line(line) for line in _datum(event, "reason").splitlines())
    return "\n".join(line for line in lines if line)[:2000]


def _datum(event: Event, key: str) -> str:
    """One of the event's strings; anything else (absent, None, not a string) is none."""
    value = (event.data or {}).get(key)
    return value if isinstance(value, str) else ""


def _date(value: str | None, words: _Words) -> str:
    if not value:
        return ""
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return str(words.word("date")).format(
        day=at.day, month=words.word("months")[at.month - 1], year=at.year, time=f"{at:%H:%M}"
    )


def _one_line(text: str) -> str:
    """Someone's words on one line: controls and line separators become spaces, bidi
    controls go, spaces are collapsed. CR and LF can never reach a header through them."""
    kept = []
    for character in str(text):
        category = unicodedata.category(character)
        if character in _BIDI_CONTROLS or category == "Cs":
            continue
        kept.append(" " if category in ("Cc", "Zl", "Zp") else character)
    return " ".join("".join(kept).split())


def _short(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _address(to: str) -> str:
    if not to or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in to) or "@" not in to:
        raise ValueError("an email is sent to one address, on one line")
    return to


def _path(value: str | None) -> str:
    """An id as one segment of a link's path."""
    return quote(value, safe="") if value else ""


def _unsubscribe_headers(web_url: str, token: str) -> dict[str, str]:
    """RFC 2369's List-Unsubscribe with RFC 8058's one-click POST, to the API's own route."""
    return {
        "List-Unsubscribe": f"<{web_url}/v1/unsubscribe?token={quote(token, safe='')}>",
        "List-Unsubscribe-Post": ONE_CLICK,
    }


# The two parts ----------------------------------------------------------------------------------


class _Footer:
    def __init__(self, words: _Words, web_url: str, token: str, why: str):
        self.words, self.why = words, why
        self.preferences = f"{web_url}/me"
        self.unsubscribe = f"{web_url}/unsubscribe?token={quote(token, safe='')}"

    def write(self, body: _Body) -> None:
        body.rule()
        body.small(self.why)
        body.small_links(
            [
                (self.words.footer["preferences"], self.preferences),
                (self.words.footer["unsubscribe"], self.unsubscribe),
            ]
        )


class _Body:
    """The text and HTML parts, written side by side."""

    def __init__(self, locale: str, title: str):
        self.locale, self.title = locale, title
        self._text: list[str] = []
        self._html: list[str] = []

    def paragraph(self, words: str) -> None:
        self._text.append(words)
        self._html.append(f"<p>{_e(words)}</p>")

    def quote(self, label: str, words: str) -> None:
        self._text.append(label + "\n" + "\n".join(f"> {line}" for line in words.splitlines()))
        lines = "<br>\n".join(_e(line) for line in words.splitlines())
        self._html.append(f"<p>{_e(label)}</p>\n<blockquote><p>{lines}</p></blockquote>")

    def link(self, label: str, url: str) -> None:
        self._text.append(f"{label}: {url}" if self.locale == "en" else f"{label}\u00a0: {url}")
        self._html.append(f'<p><a href="{_e(url)}">{_e(label)}</a></p>')

    def heading(self, words: str) -> None:
        self._text.append(f"{words}\n{'-' * min(len(words), 60)}")
        self._html.append(f"<h2>{_e(words)}</h2>")

    def items(self, lines: list[tuple[str, str]]) -> None:
        self._text.append("\n".join(f"- {words}\n  {url}" for words, url in lines))
        entries = "\n".join(f'<li><a href="{_e(url)}">{_e(words)}</a></li>' for words, url in lines)
        self._html.append(f"<ul>\n{entries}\n</ul>")

    def rule(self) -> None:
        self._text.append("--")
        self._html.append("<hr>")

    def small(self, words: str) -> None:
        self._text.append(words)
        self._html.append(f"<p><small>{_e(words)}</small></p>")

    def small_links(self, links: list[tuple[str, str]]) -> None:
        colon = ":" if self.locale == "en" else "\u00a0:"
        self._text.append("\n".join(f"{label}{colon} {url}" for label, url in links))
        shown = " · ".join(f'<a href="{_e(url)}">{_e(label)}</a>' for label, url in links)
        self._html.append(f"<p><small>{shown}</small></p>")

    def text(self) -> str:
        return "\n\n".join(self._text) + "\n"

    def html(self) -> str:
        return (
            "<!doctype html>\n"
            f'<html lang="{self.locale}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(self.title)}</title>\n</head>\n<body>\n"
            f"<h1>{_e(self.title)}</h1>\n" + "\n".join(self._html) + "\n</body>\n</html>\n"
        )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
