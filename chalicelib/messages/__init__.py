"""The Hub's words, in every language it speaks: catalogues of data (`en.json`, `fr.json`
next to this module), and the one function that fills a message's placeholders.

A catalogue has three sections: `errors` (the message of each error code, or of
`code.variant` where one code says several things: chalicelib/domain/errors.py), `details`
(the message of each field detail, by key: the detail's code, or `code.variant`; pydantic's
error types are details too), and `words` (the few words placed between values, such as
"or"). Placeholders are `{name}`, filled from the parameters given where the error is raised;
`{name_s}` is the plural ending of a numeric parameter `name` in the language at hand.
tests/unit/test_messages.py proves every catalogue complete, with the same placeholders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

LOCALES: tuple[str, ...] = ("en", "fr")
SECTIONS: tuple[str, ...] = ("errors", "details", "words")
_HERE = Path(__file__).parent

# When a number takes the plural: English from 2 and for 0; French from 2 only.
_PLURAL: dict[str, Callable[[float], bool]] = {
    "en": lambda number: number != 1,
    "fr": lambda number: abs(number) >= 2,
}

Catalogue = dict[str, dict[str, str]]


@cache
def catalogue(locale: str) -> Catalogue:
    """The catalogue of `locale`, read once per process."""
    if locale not in LOCALES:
        raise ValueError(f"no catalogue for {locale!r}")
    return json.loads((_HERE / f"{locale}.json").read_text(encoding="utf-8"))


class _Values(dict[str, str]):
    """A message's values; a placeholder without one is left empty rather than failing an
    answer (tests prove every raise site gives what its message needs)."""

    def __missing__(self, name: str) -> str:
        return ""


def render(locale: str, section: str, key: str, params: Mapping[str, Any] | None = None) -> str:
    """The message `key` of `section` in `locale`, its placeholders filled from `params`.

    A key the catalogue lacks falls back to English, then to the key itself: an answer never
    fails for want of words."""
    template = catalogue(locale)[section].get(key)
    if template is None:
        template = catalogue("en")[section].get(key, key)
    values = _Values()
    for name, value in (params or {}).items():
        values[name] = _shown(value, locale)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[f"{name}_s"] = "s" if _PLURAL[locale](value) else ""
    return template.format_map(values)


def _shown(value: Any, locale: str) -> str:
    """A value as a message shows it: 1.0 as 1; a list of alternatives as "a, b or c"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [str(item) for item in value]
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {catalogue(locale)['words']['or']} {items[-1]}"
    return str(value)
