"""What the fuzzer found, kept as regression tests: each once answered 500 and states what
the API answers instead.

Plain requests through Chalice's test client over a fresh table (the `http` fixture).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from local.devtoken import make_token
from tests.api.helpers import sealed_cursor


def send(http: Any, method: str, path: str, body: Any = None, sub: str | None = "alice") -> Any:
    headers = {"content-type": "application/json"}
    if sub:
        headers["authorization"] = f"Bearer {make_token(sub, name=sub.title())}"
    raw = json.dumps(body) if body is not None else b""
    answer = http.request(method, path, headers=headers, body=raw)
    answer.data = json.loads(answer.body) if answer.body else None
    return answer


def refused(answer: Any, status: int, code: str) -> bool:
    return answer.status_code == status and answer.data["error"]["code"] == code


def create(http: Any, path: str, body: dict[str, Any]) -> str:
    answer = send(http, "POST", path, body)
    assert answer.status_code == 201, answer.data
    return answer.data["id"]


def in_a_week() -> str:
    return clock.to_iso(clock.now() + timedelta(days=7))


# ---------------------------------------------------------------- paging: ?limit=


def test_a_limit_written_as_a_superscript_is_refused_as_invalid(http: Any) -> None:
    answer = send(http, "GET", "/v1/groups?limit=%C2%B2", sub=None)  # ?limit=²

    assert refused(answer, 422, "validation_failed"), (answer.status_code, answer.data)
    assert [detail["field"] for detail in answer.data["error"]["details"]] == ["limit"]


# ---------------------------------------------------------------- dates at the calendar's ends

# (method, path, the date-time field): every body field that takes a date-time.
MOMENT_FIELDS = [
    ("POST", "/v1/groups/{group}/consultations", "closes_at"),
    ("POST", "/v1/groups/{group}/consultations", "opens_at"),
    ("PATCH", "/v1/consultations/{consultation}", "closes_at"),
    ("PATCH", "/v1/consultations/{consultation}", "opens_at"),
    ("PUT", "/v1/groups/{group}/blocks/bob", "until"),
]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
@pytest.mark.parametrize(("method", "template", "field"), MOMENT_FIELDS)
def test_a_date_beyond_the_calendar_in_utc_is_refused_as_invalid(
    http: Any, method: str, template: str, field: str, moment: str
) -> None:
    group = create(http, "/v1/groups", {"name": "Les Amis du Parc"})
    draft = {"title": "Budget", "visibility": "members", "closes_at": in_a_week()}
    consultation = create(http, f"/v1/groups/{group}/consultations", draft)
    body = {"POST": draft, "PATCH": {}, "PUT": {"reason": "Insultes"}}[method]
    path = template.format(group=group, consultation=consultation)

    answer = send(http, method, path, {**body, field: moment})

    assert refused(answer, 422, "validation_failed"), (answer.status_code, answer.data)
    assert [detail["field"] for detail in answer.data["error"]["details"]] == [field]


# ---------------------------------------------------------------- cursors


def index_listing(http: Any, listing: str) -> str:
    """The path of an index listing that has two pages of one item."""
    if listing == "directory":
        for name in ("Les Amis du Parc", "Comité des fêtes"):
            create(http, "/v1/groups", {"name": name})
        return "/v1/groups?limit=1"
    group = create(http, "/v1/groups", {"name": "Comité des fêtes"})
    public = {"title": "Fête", "visibility": "public", "closes_at": in_a_week()}
    consultations = [create(http, f"/v1/groups/{group}/consultations", public) for _ in "ab"]
    debate = create(
        http, f"/v1/consultations/{consultations[0]}/debates", {"title": "Scène", "body": ""}
    )
    for consultation in consultations:
        published = send(http, "POST", f"/v1/consultations/{consultation}/publish")
        assert published.status_code == 200, published.data
    if listing == "public":
        return "/v1/consultations?scope=public&limit=1"
    for body in ("Du jazz", "Du rock"):
        create(http, f"/v1/debates/{debate}/comments", {"body": body})
    return f"/v1/debates/{debate}/comments?sort=top&limit=1"


@pytest.mark.parametrize("listing", ["directory", "public", "top comments"])
def test_an_index_listing_refuses_a_cursor_without_the_index_sort_key(
    http: Any, listing: str
) -> None:
    """Only the Hub's key can make such a cursor now (cursors are sealed); the decrypted key
    is checked all the same: the table's keys without the index's sort key."""
    path = index_listing(http, listing)
    tampered = sealed_cursor(lambda: send(http, "GET", path), ["GROUP#x", "META"])

    answer = send(http, "GET", f"{path}&cursor={tampered}")

    assert refused(answer, 400, "invalid_cursor"), (answer.status_code, answer.data)
