"""What people may write: names on one visible line, longer texts without NUL.

A name (of an association, a consultation, a debate, a poll option…) is shown in lists,
titles and audit entries, beside other people's words. It must not be able to reorder the
text around it (bidi overrides and isolates), break the line it is shown on (controls, line
and paragraph separators) or look empty (only invisible characters). Letters of every
script, combining accents and emoji sequences (joined by U+200D) stay welcome.

A longer text (a description, a comment, a reason) keeps its lines and tabs; NUL, which
some clients and stores treat as the end of the text, is dropped.
"""

from __future__ import annotations

import unicodedata

from chalicelib.domain.errors import detail_code

# Explicit bidi formatting: embeddings, overrides, isolates and marks (Unicode TR #9).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
# Controls, format characters (zero-width, BOM, bidi…) and separators. Not private-use
# or unassigned code points: a font may draw them, and tomorrow's emoji are unassigned today.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Characters that draw nothing, though Unicode does not class them as format or space.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")


class TextRefused(ValueError):
    """Why a text is refused: `key` names the field detail (chalicelib/domain/errors.py
    DETAILS) whose `code` clients see; the words are in the message catalogues."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key
        self.code = detail_code(key)


def _unencodable(text: str) -> bool:
    """A lone surrogate (`"\\ud800"` in JSON) is no character: it cannot be stored."""
    return any("\ud800" <= character <= "\udfff" for character in text)


def is_invisible(character: str) -> bool:
    """Draws nothing: spaces, controls, format characters (zero-width, BOM…), fillers,
    variation selectors."""
    return (
        unicodedata.category(character) in _INVISIBLE_CATEGORIES
        or character in _FILLERS
        or "\ufe00" <= character <= "\ufe0f"
        or "\U000e0100" <= character <= "\U000e01ef"
    )


def has_visible(text: str) -> bool:
    return not all(is_invisible(character) for character in text)


# Combining marks one letter may carry: Vietnamese stacks two, some scripts three or four;
# more only spills a name over the lines around it.
MAX_STACKED_MARKS = 4


def single_line(text: str) -> str:
    """A name as given, or TextRefused: one line, no bidi controls, no letter buried under
    marks, something visible."""
    if _unencodable(text):
        raise TextRefused("invalid_character")
    stacked = 0
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" or category in ("Zl", "Zp"):
            raise TextRefused("control_character")
        if character in BIDI_CONTROLS:
            raise TextRefused("bidi_control")
        stacked = stacked + 1 if category in ("Mn", "Me") else 0
        if stacked > MAX_STACKED_MARKS:
            raise TextRefused("stacked_marks")
    if not has_visible(text):
        raise TextRefused("invisible.name")
    return text


def shown_line(text: str) -> str:
    """What can be shown of a name we cannot refuse (a token's display name): the same text
    without controls, line separators, bidi controls or invalid characters."""
    return "".join(
        character
        for character in text
        if unicodedata.category(character) not in ("Cc", "Zl", "Zp", "Cs")
        and character not in BIDI_CONTROLS
    ).strip()


def without_nul(text: str) -> str:
    """A longer text without NUL (before any other rule: "a\x00 " is "a ")."""
    return text.replace("\x00", "")


def multi_line(text: str) -> str:
    """A longer text as given, or TextRefused for characters that cannot be stored."""
    if _unencodable(text):
        raise TextRefused("invalid_character")
    return text


def visible_multi_line(text: str) -> str:
    """A longer text that must say something: not only invisible characters."""
    text = multi_line(text)
    if not has_visible(text):
        raise TextRefused("invisible.text")
    return text
