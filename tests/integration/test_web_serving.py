"""`make run` serves the web client and the API on one origin (local/front.py), as the CDN
does in the cloud: every path outside /v1 is the client's, with its security headers."""

from __future__ import annotations

import http.client

import pytest
import requests

from tests.integration.conftest import HOST, REPO_ROOT, RunningHub

pytestmark = pytest.mark.integration

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
INDEX = REPO_ROOT / "web" / "index.html"


def raw_get(hub: RunningHub, target: str, method: str = "GET") -> http.client.HTTPResponse:
    """The request line exactly as written: no client normalises `..` away."""
    connection = http.client.HTTPConnection(HOST, hub.api_port, timeout=10)
    connection.putrequest(method, target, skip_accept_encoding=True)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def assert_secured(headers: requests.structures.CaseInsensitiveDict[str]) -> None:
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/", "/debates/x", "/consultations/abc?from=mail", "/me"])
def test_the_home_page_and_every_deep_link_answer_the_client(hub: RunningHub, path: str) -> None:
    response = requests.get(hub.base_url + path, timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == INDEX.read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    assert_secured(response.headers)


def test_the_client_files_are_served_with_their_type(hub: RunningHub) -> None:
    response = requests.get(f"{hub.base_url}/app.js", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.content == (REPO_ROOT / "web" / "app.js").read_bytes()
    assert_secured(response.headers)
    head = requests.head(f"{hub.base_url}/app.js", timeout=10)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Length"] == str(len(response.content))


def test_a_missing_file_is_404_not_the_page(hub: RunningHub) -> None:
    response = requests.get(f"{hub.base_url}/nowhere.js", timeout=10)

    assert response.status_code == 404
    assert response.content != INDEX.read_bytes()
    assert_secured(response.headers)


def test_the_api_keeps_its_paths_and_its_json_404(hub: RunningHub) -> None:
    missing = hub.as_user(None).get("/v1/nowhere", headers={"Accept-Language": "fr"})
    groups = hub.as_user(None).get("/v1/groups")
    posted = hub.as_user("web-serving").post("/", {})

    assert missing.status_code == 404
    assert missing.data["error"]["code"] == "not_found"
    assert groups.status_code == 200 and "items" in groups.data
    # A write to a client path is the API's (its JSON 404), never the page.
    assert posted.status_code == 404 and posted.data["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "target",
    ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/%2E%2E/%2e%2e/etc/passwd", "/..%2fMakefile"],
)
def test_a_path_out_of_the_client_is_refused(hub: RunningHub, target: str) -> None:
    response = raw_get(hub, target)

    assert response.status == 400
    assert b"[project]" not in response.body  # type: ignore[attr-defined]
    assert response.getheader("Content-Security-Policy") == CSP


def test_config_points_the_client_at_the_local_sign_in(hub: RunningHub) -> None:
    response = requests.get(f"{hub.base_url}/config.json", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"sign_in": "/dev/sign-in"}


def test_the_sign_in_page_loads_its_script_from_the_origin(hub: RunningHub) -> None:
    page = requests.get(f"{hub.base_url}/dev/sign-in", timeout=10)
    script = requests.get(f"{hub.base_url}/dev/sign-in.js", timeout=10)

    assert page.status_code == 200
    assert '<script type="module" src="/dev/sign-in.js"></script>' in page.text
    assert "demo-alice" in page.text
    assert_secured(page.headers)
    assert script.status_code == 200
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"


def test_a_dev_token_from_the_front_is_accepted_by_the_api(hub: RunningHub) -> None:
    response = requests.get(f"{hub.base_url}/dev/token?as=alice-front", timeout=10)
    token = response.json()["token"]

    me = hub.as_user(None, bearer=token).get("/v1/me")

    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")
    assert me.status_code == 200
    assert (me.data["id"], me.data["display_name"]) == ("alice-front", "alice-front")


def test_an_invalid_user_id_gets_no_token(hub: RunningHub) -> None:
    response = requests.get(f"{hub.base_url}/dev/token?as=", timeout=10)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_user"


def raw_request(hub: RunningHub, method: str, target: str, headers: dict[str, str]) -> int:
    """The status of a request sent with exactly these headers (Host included)."""
    connection = http.client.HTTPConnection(HOST, hub.api_port, timeout=10)
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_the_local_hub_answers_only_its_own_names(hub: RunningHub, method: str) -> None:
    """A site that rebinds its name to 127.0.0.1 must not drive the local Hub with the dev
    tokens anyone can sign: another Host is 421, on the API as on the client."""
    token = requests.get(f"{hub.base_url}/dev/token?as=demo-admin", timeout=10).json()["token"]
    signed = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
    for target in ("/v1/me", "/v1/groups", "/"):
        elsewhere = {"Host": f"evil.example:{hub.api_port}", **signed}
        assert raw_request(hub, method, target, elsewhere) == 421, target
    home = {"Host": f"localhost:{hub.api_port}", **signed}
    assert raw_request(hub, "GET", "/v1/me", home) == 200


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "+5"])
def test_a_length_that_is_no_number_is_refused(hub: RunningHub, length: str) -> None:
    said = {"Host": f"{HOST}:{hub.api_port}", "Content-Length": length}
    for method, target in (("GET", "/"), ("POST", "/v1/groups"), ("GET", "/v1/groups")):
        assert raw_request(hub, method, target, said) == 400, (method, target)
