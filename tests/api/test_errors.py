"""Bad input gets a clear JSON error with the right status, never a 500 or a stack trace."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import create_group


@pytest.mark.parametrize("raw", ["{", "nope", "[1,", '{"name": "x",}', "\x00"])
def test_malformed_json_is_400(as_user, raw):
    response = as_user("alice").post("/v1/groups", raw)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("null", "body"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "bad\nname"}, "name"),
        ({"name": 42}, "name"),
        ({"name": "ok", "listed": "yes"}, "listed"),
        ({"name": "ok", "description": "x" * 2001}, "description"),
        ({"name": "ok", "join_policy": "closed"}, "join_policy"),
        ({"name": "ok", "admin_count": 9}, "admin_count"),
    ],
)
def test_invalid_group_fields_are_422_with_the_field_named(as_user, body, field):
    response = as_user("alice").post("/v1/groups", body)
    assert response.status_code == 422, response.data
    error = response.data["error"]
    assert error["code"] == "validation_failed"
    assert field in [detail["field"] for detail in error["details"]]


def test_missing_body_reports_the_missing_field(as_user):
    response = as_user("alice").post("/v1/groups")
    assert response.status_code == 422
    assert response.data["error"]["details"][0]["field"] == "name"


def test_wrong_method_is_405_in_the_hub_shape(as_user):
    response = as_user("alice").request("DELETE", "/v1/groups")
    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"


def test_a_non_json_content_type_is_415(as_user):
    response = as_user("alice").post(
        "/v1/groups", "name=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert response.data["error"]["code"] == "unsupported_media_type"


def test_an_unexpected_failure_is_a_500_without_internals(as_user, monkeypatch):
    from chalicelib.services import groups

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(groups, "directory", explode)
    response = as_user(None).get("/v1/groups", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.data == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert "secret" not in json.dumps(response.data)


def test_cors_lets_browsers_call_the_api(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    response = alice.get(f"/v1/groups/{group_id}")
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
