"""The local front (local/front.py): which requests it answers, and with what, before the
app sees them. Over the network with the real runner: tests/integration/test_web_serving.py."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from local import front
from local.devtoken import DEFAULT_AUDIENCE

SECRET = "front-dev-secret-0123456789abcdef0123"


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "web"
    (root / "i18n").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Hub</title>")
    (root / "app.js").write_text("export {};")
    (root / "i18n" / "fr.json").write_text("{}")
    (root / ".hidden").write_text("secret")
    (tmp_path / "secret.txt").write_text("outside")
    monkeypatch.setattr(front, "WEB_ROOT", root)
    return root


def served(target: str, method: str = "GET", headers: dict[str, str] | None = None):
    found = front.answer(method, target, {"Host": "127.0.0.1:8000", **(headers or {})})
    assert found is not None, f"{method} {target} went to the API"
    return found


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/v1/groups"),
        ("GET", "/v1"),
        ("HEAD", "/v1/nowhere?x=1"),
        ("POST", "/"),
        ("PUT", "/app.js"),
        ("DELETE", "/debates/x"),
        ("OPTIONS", "/"),
        ("GET", "/%761/groups"),  # decodes to /v1/groups: the API's (it refuses it)
    ],
)
def test_the_api_answers_its_paths_and_every_method_but_get_and_head(method, target, web):
    assert front.answer(method, target, {}) is None


@pytest.mark.parametrize("target", ["/", "/debates/x", "/consultations/abc?tab=2", "/me/", "//"])
def test_a_path_the_client_routes_answers_index_html(target, web):
    found = served(target)

    assert found.status == 200
    assert found.body == (web / "index.html").read_bytes()
    assert found.content_type == "text/html; charset=utf-8"
    assert found.all_headers()["Cache-Control"] == "no-cache"


def test_files_under_web_are_served_with_their_type(web):
    script = served("/app.js")
    catalogue = served("/i18n/fr.json")

    assert (script.status, script.body) == (200, b"export {};")
    assert script.content_type == "text/javascript; charset=utf-8"
    assert (catalogue.status, catalogue.content_type) == (200, "application/json")


def test_a_missing_file_with_an_extension_is_404_not_the_page(web):
    for target in ("/favicon.ico", "/app.jss", "/i18n/de.json", "/.hidden"):
        found = served(target)
        assert found.status == 404, target
        assert b"<title>" not in found.body


def test_head_answers_the_headers_of_get(web):
    assert served("/app.js", "HEAD").all_headers() == served("/app.js").all_headers()


def test_an_unchanged_file_revalidates_with_304(web):
    etag = served("/app.js").headers["ETag"]

    again = served("/app.js", headers={"If-None-Match": etag})

    assert again.status == 304
    assert "Content-Length" not in again.all_headers()


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/pyproject.toml",
        "/i18n/../../secret.txt",
        "/i18n/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/./app.js",
        "/..%5csecret.txt",
        "/%00",
        "/%ff",
        "/dev/../app.js",
        "http://evil.example/app.js",
    ],
)
def test_a_path_leaving_the_web_root_is_refused(target, web):
    found = served(target)

    assert found.status == 400
    assert b"outside" not in found.body


def test_every_answer_carries_the_security_headers(web):
    for target in ("/", "/app.js", "/nope.png", "/../x", "/config.json", "/dev/sign-in"):
        headers = served(target).all_headers()
        assert headers["Content-Security-Policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'"
        ), target
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_config_names_the_local_sign_in(web):
    found = served("/config.json")

    assert json.loads(found.body) == {"sign_in": "/dev/sign-in"}
    assert found.content_type == "application/json"


def test_without_the_client_a_deep_link_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(front, "WEB_ROOT", tmp_path / "web")

    found = served("/debates/x")

    assert found.status == 404
    assert b"web/index.html" in found.body


def test_the_sign_in_page_lists_the_demo_users_and_loads_only_its_own_files(web):
    found = served("/dev/sign-in")
    page = found.body.decode()

    assert found.status == 200
    assert found.all_headers()["Cache-Control"] == "no-store"
    for user in ("demo-admin", "demo-moderator", "demo-alice", "demo-bob"):
        assert f'<button name="as" value="{user}">{user}</button>' in page
    assert '<script type="module" src="/dev/sign-in.js"></script>' in page
    assert "<script>" not in page and "style=" not in page
    assert served("/dev/sign-in.js").content_type == "text/javascript; charset=utf-8"
    assert served("/dev/sign-in.css").content_type == "text/css; charset=utf-8"
    assert served("/dev/sign-in.html").status == 404  # the template, unfilled
    assert served("/dev/nothing").status == 404


def test_a_dev_token_is_the_one_make_token_signs(web, monkeypatch):
    monkeypatch.setenv("HUB_DEV_JWT_SECRET", SECRET)
    found = served("/dev/token?as=ad%C3%A8le%20M.")

    token = json.loads(found.body)["token"]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=DEFAULT_AUDIENCE)
    assert (found.status, found.all_headers()["Cache-Control"]) == (200, "no-store")
    assert (claims["sub"], claims["name"]) == ("adèle M.", "adèle M.")
    assert claims["exp"] - claims["iat"] == 3600


def test_a_demo_users_dev_token_carries_their_demo_name(web, monkeypatch):
    monkeypatch.setenv("HUB_DEV_JWT_SECRET", SECRET)
    names = {}
    for user in ("demo-admin", "demo-moderator", "demo-alice", "demo-bob"):
        token = json.loads(served(f"/dev/token?as={user}").body)["token"]
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=DEFAULT_AUDIENCE)
        names[user] = claims["name"]

    assert names == {
        "demo-admin": "Camille (demo admin)",
        "demo-moderator": "Malik (demo moderator)",
        "demo-alice": "Alice (demo participant)",
        "demo-bob": "Bob (demo participant)",
    }


@pytest.mark.parametrize("query", ["", "?as=", "?as=%20", "?as=a%0Ab", "?as=" + "x" * 257])
def test_a_dev_token_needs_a_user_id_the_api_would_accept(query, web):
    found = served("/dev/token" + query)

    assert found.status == 400
    assert json.loads(found.body)["error"]["code"] == "invalid_user"


@pytest.mark.parametrize("host", ["evil.example:8000", "127.0.0.1.evil.example:8000", "", "x"])
def test_a_dev_token_goes_only_to_the_machines_own_names(host, web):
    found = served("/dev/token?as=alice", headers={"Host": host})

    assert found.status == 403
    assert b"eyJ" not in found.body  # no JWT


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8123", "[::1]:8000"])
def test_a_dev_token_goes_to_loopback_names(host, web):
    assert served("/dev/token?as=alice", headers={"Host": host}).status == 200
