"""docs/api.md documents each error code once ("Error codes"): every code of the registry
(chalicelib/domain/errors.py) with its status, and nothing else (the codes API Gateway
answers itself are in the registry too, e.g. `Throttled`). Adding, renaming or moving a code
without its line fails here."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.domain.errors import refusals

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_codes() -> list[tuple[str, int]]:
    """(code, status) of each row of the "Error codes" table, in order."""
    section = API_DOC.read_text().partition("### Error codes")[2].partition("\n#")[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", section, flags=re.MULTILINE)
    return [(code, int(status)) for code, status in rows]


def registry() -> dict[str, int]:
    return {refusal.code: refusal.status for refusal in refusals()}


def test_the_table_has_a_row_per_code():
    rows = documented_codes()
    assert len(rows) > 40
    codes = [code for code, _ in rows]
    assert len(codes) == len(set(codes)), "a code documented twice"


def test_every_code_the_hub_answers_is_documented_with_its_status():
    documented = dict(documented_codes())
    missing = {code: status for code, status in registry().items() if code not in documented}
    assert missing == {}
    wrong = {c: (s, documented[c]) for c, s in registry().items() if documented[c] != s}
    assert wrong == {}


def test_nothing_is_documented_that_the_hub_does_not_answer():
    answered = registry()
    assert {code: s for code, s in documented_codes() if answered.get(code) != s} == {}
