"""Browsers call the API from the web client's origins only (HUB_WEB_ORIGINS).

A listed origin gets `Access-Control-Allow-Origin: <itself>`; any other none, so its page
cannot read the answer. Never `*`. Preflights, answered here as `chalice local` answers
them (and as the cloud's mock integrations do, tests/infra/test_template.py), list the
path's methods and the headers clients send. The local stage lists the API's own origin."""

from __future__ import annotations

import pytest

from chalicelib.settings import get_settings

WEB = "https://hub.example.org"
OTHER_WEB = "https://quartiers.example.org"
EVIL = "https://evil.example"


@pytest.fixture
def web_origins(monkeypatch):
    monkeypatch.setenv("HUB_WEB_ORIGINS", f"{WEB},{OTHER_WEB}")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("HUB_WEB_ORIGINS")
    get_settings.cache_clear()


def varies_on_origin(answer) -> bool:
    return "origin" in {part.strip().lower() for part in answer.headers["Vary"].split(",")}


@pytest.mark.parametrize("origin", [WEB, OTHER_WEB])
def test_a_listed_origin_may_read_the_answer(as_user, web_origins, origin):
    me = as_user("alice").get("/v1/me", headers={"Origin": origin}, expect=200)
    assert me.headers["Access-Control-Allow-Origin"] == origin
    assert varies_on_origin(me)
    assert "Content-Language" in me.headers["Access-Control-Expose-Headers"]


def test_a_listed_origin_may_read_an_error_too(as_user, web_origins):
    refused = as_user(None).get("/v1/me", headers={"Origin": WEB}, expect=401)
    assert refused.headers["Access-Control-Allow-Origin"] == WEB
    missing = as_user("alice").get("/v1/groups/nope", headers={"Origin": WEB})
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == WEB


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "null",
        "*",
        f"{WEB}.evil.example",
        "http://hub.example.org",  # another scheme is another origin
        "https://hub.example.org:8443",
        f"{WEB},{EVIL}",
        "HTTPS://HUB.EXAMPLE.ORG/",
    ],
)
def test_any_other_origin_gets_no_cors_header(as_user, web_origins, origin):
    me = as_user("alice").get("/v1/me", headers={"Origin": origin}, expect=200)
    assert "Access-Control-Allow-Origin" not in me.headers
    assert "Access-Control-Expose-Headers" not in me.headers
    assert varies_on_origin(me)  # a cache must not hand it to a listed origin, or back


def test_without_an_origin_no_cors_header_is_sent(as_user, web_origins):
    me = as_user("alice").get("/v1/me", expect=200)
    assert "Access-Control-Allow-Origin" not in me.headers


def test_never_every_origin(as_user, web_origins):
    for origin in (WEB, EVIL, None):
        headers = {"Origin": origin} if origin else {}
        answer = as_user("alice").get("/v1/groups", headers=headers)
        assert answer.headers.get("Access-Control-Allow-Origin") != "*"


def test_vary_keeps_accept_language_beside_origin(as_user, web_origins):
    me = as_user("alice").get("/v1/me", headers={"Origin": WEB})
    varies = {part.strip().lower() for part in me.headers["Vary"].split(",")}
    assert {"origin", "accept-language"} <= varies


# ---------------------------------------------------------------- preflights


def preflight(as_user, path: str, origin: str, method: str = "POST"):
    return as_user(None).request(
        "OPTIONS",
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )


def test_a_preflight_from_a_listed_origin_allows_the_paths_methods_and_the_hubs_headers(
    as_user, web_origins
):
    answer = preflight(as_user, "/v1/groups", WEB)
    assert 200 <= answer.status_code < 300
    assert answer.headers["Access-Control-Allow-Origin"] == WEB
    methods = set(answer.headers["Access-Control-Allow-Methods"].split(","))
    assert {"GET", "POST", "OPTIONS"} <= methods
    headers = {h.lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "accept-language"} <= headers
    assert int(answer.headers["Access-Control-Max-Age"]) > 0
    assert varies_on_origin(answer)


def test_a_preflight_lets_every_method_through_so_the_page_reads_the_405(as_user, web_origins):
    """Every path answers every method (the undeclared ones 405 with `Allow`,
    chalicelib/api/fallback.py): a page that sends one reads that answer, not a CORS failure."""
    answer = preflight(as_user, "/v1/me", WEB, "PUT")
    assert set(answer.headers["Access-Control-Allow-Methods"].split(",")) == {
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
    }
    refused = as_user("alice").put("/v1/me", {}, headers={"Origin": WEB}, expect=405)
    assert refused.headers["Access-Control-Allow-Origin"] == WEB
    allowed = set(refused.headers["Allow"].replace(" ", "").split(","))
    assert allowed == {"GET", "HEAD", "PATCH", "DELETE"}


@pytest.mark.parametrize("origin", [EVIL, "null", "*"])
def test_a_preflight_from_another_origin_is_refused(as_user, web_origins, origin):
    answer = preflight(as_user, "/v1/groups", origin)
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_local_stage_lists_the_apis_own_origin(as_user):
    """`make run` serves the web client on the API's origin (127.0.0.1 or localhost)."""
    assert get_settings().web_origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    for origin in get_settings().web_origins:
        me = as_user("alice").get("/v1/me", headers={"Origin": origin}, expect=200)
        assert me.headers["Access-Control-Allow-Origin"] == origin
        assert preflight(as_user, "/v1/me", origin).headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Origin" not in preflight(as_user, "/v1/me", EVIL).headers
