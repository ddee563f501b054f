"""Error messages come in the caller's language (Accept-Language), French by default; the
codes never change with the language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.settings import get_settings

NBSP = "\u00a0"
TOKEN_REQUIRED = {
    "fr": "Un jeton d\u2019accès valide est requis.",
    "en": "A valid bearer token is required.",
}


def error_of(response: Any) -> dict[str, Any]:
    return json.loads(response.body)["error"]


def in_language(language: str | None) -> dict[str, str]:
    return {"Accept-Language": language} if language is not None else {}


def without_messages(error: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": error["code"],
        "details": [
            {name: value for name, value in detail.items() if name != "message"}
            for detail in error.get("details", [])
        ],
    }


def test_errors_are_in_french_by_default(as_user):
    response = as_user(None).get("/v1/me")

    assert response.status_code == 401
    assert error_of(response) == {"code": "unauthenticated", "message": TOKEN_REQUIRED["fr"]}
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en", "en"),
        ("fr", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("en-GB", "en"),
        ("fr-FR", "fr"),
        ("de", "fr"),
        ("de, en;q=0.5", "en"),
        ("en;q=0.4, fr;q=0.8", "fr"),
        ("*", "fr"),
        ("fr;q=0, *", "en"),
        ("en;q=banana, ,;;", "fr"),
    ],
)
def test_accept_language_chooses_the_language_of_the_messages(as_user, header, language):
    response = as_user(None).get("/v1/me", headers=in_language(header))

    assert response.status_code == 401
    assert error_of(response) == {"code": "unauthenticated", "message": TOKEN_REQUIRED[language]}
    assert response.headers["Content-Language"] == language


def test_a_404_in_both_languages(as_user):
    alice = as_user("alice")
    french = alice.get("/v1/groups/nope")
    english = alice.get("/v1/groups/nope", headers=in_language("en"))

    assert french.status_code == english.status_code == 404
    assert error_of(french) == {
        "code": "group_not_found",
        "message": "Cette association n\u2019existe pas, ou elle ne vous est pas visible.",
    }
    assert error_of(english) == {
        "code": "group_not_found",
        "message": "No such association, or it is not visible to you.",
    }


def test_a_409_in_both_languages(as_user):
    created = as_user("alice").post(
        "/v1/groups", {"name": "Les Amis du Parc", "join_policy": "open"}
    )
    group_id = json.loads(created.body)["id"]
    bob = as_user("bob", name="Bob")
    assert bob.post(f"/v1/groups/{group_id}/join").status_code == 201

    french = bob.post(f"/v1/groups/{group_id}/join")
    english = bob.post(f"/v1/groups/{group_id}/join", headers=in_language("en"))

    assert french.status_code == english.status_code == 409
    assert error_of(french) == {
        "code": "already_member",
        "message": "Vous êtes déjà membre de cette association.",
    }
    assert error_of(english)["message"] == "You are already a member of this association."


def test_a_422_names_the_same_fields_and_codes_in_both_languages(as_user):
    alice = as_user("alice")
    body = {"name": "x" * 101, "listed": "yes", "join_policy": "closed", "colour": "red"}

    french = error_of(alice.post("/v1/groups", body, headers=in_language("fr")))
    english = error_of(alice.post("/v1/groups", body, headers=in_language("en")))

    assert without_messages(french) == without_messages(english)
    assert french["code"] == "validation_failed"
    assert french["message"] == "Certains champs ne sont pas valides."
    assert english["message"] == "Some fields are not valid."
    assert {detail["field"]: detail["message"] for detail in french["details"]} == {
        "name": "Le texte doit compter au plus 100 caractères.",
        "listed": "Un booléen (true ou false) est attendu.",
        "join_policy": f"Valeur attendue{NBSP}: 'invite', 'request' ou 'open'.",
        "colour": "Ce champ n\u2019est pas accepté.",
    }
    assert {detail["field"]: detail["message"] for detail in english["details"]} == {
        "name": "String should have at most 100 characters",
        "listed": "Input should be a valid boolean",
        "join_policy": "Input should be 'invite', 'request' or 'open'",
        "colour": "Extra inputs are not permitted",
    }


def test_a_detail_written_by_the_hub_is_translated(as_user):
    response = as_user(None).get("/v1/groups?limit=0")

    assert response.status_code == 422
    assert error_of(response)["details"] == [
        {
            "field": "limit",
            "code": "out_of_range",
            "message": "limit doit être un nombre entier de 1 à 100.",
        }
    ]


def test_refusals_chalice_answers_itself_are_translated_too(as_user, monkeypatch):
    # install_error_handling rewrites these from Chalice's shape: the translation comes after.
    method = as_user("alice").request("DELETE", "/v1/groups")
    assert method.status_code == 405
    assert error_of(method) == {
        "code": "method_not_allowed",
        "message": "Cette méthode n\u2019est pas autorisée ici.",
    }

    from chalicelib.services import groups

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(groups, "directory", explode)
    failure = as_user(None).get("/v1/groups")
    assert failure.status_code == 500
    assert error_of(failure) == {
        "code": "internal_error",
        "message": "Une erreur s\u2019est produite de notre côté.",
    }


def test_success_bodies_are_the_same_in_every_language(as_user):
    alice = as_user("alice", name="Alice")
    french = alice.get("/v1/me", headers=in_language("fr"))
    english = alice.get("/v1/me", headers=in_language("en"))

    assert french.status_code == english.status_code == 200
    assert json.loads(french.body) == json.loads(english.body)
    assert (french.headers["Content-Language"], english.headers["Content-Language"]) == (
        "fr",
        "en",
    )
    assert "Accept-Language" in english.headers["Vary"]


@pytest.fixture
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setenv("HUB_DEFAULT_LOCALE", "en")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()  # read the test environment again


def test_the_default_language_is_configurable(as_user, english_by_default):
    anonymous = as_user(None)

    assert error_of(anonymous.get("/v1/me"))["message"] == TOKEN_REQUIRED["en"]
    assert (
        error_of(anonymous.get("/v1/me", headers=in_language("de")))["message"]
        == (TOKEN_REQUIRED["en"])
    )
    assert (
        error_of(anonymous.get("/v1/me", headers=in_language("fr")))["message"]
        == (TOKEN_REQUIRED["fr"])
    )


def test_a_decision_the_domain_refuses_is_named_and_said_in_both_languages(as_user):
    from tests.api.helpers import create_consultation, create_group

    alice = as_user("alice")
    consultation = create_consultation(alice, create_group(alice))
    url = f"/v1/consultations/{consultation['id']}/debates"
    poll = {"type": "poll", "options": ["Oui", "oui"], "secret": True, "allow_change": True}

    french = alice.post(url, {"title": "Horaires", "function": poll}, headers=in_language("fr"))
    english = alice.post(url, {"title": "Horaires", "function": poll}, headers=in_language("en"))

    assert french.status_code == english.status_code == 422
    assert without_messages(error_of(french)) == without_messages(error_of(english))
    assert error_of(french)["details"] == [
        {
            "field": "function.poll.allow_change",
            "code": "secret_is_final",
            "message": "Un vote secret ne peut pas être modifié.",
        },
        {
            "field": "function.poll.options",
            "code": "duplicate_option",
            "message": "Chaque option doit être différente.",
        },
    ]
    assert [detail["message"] for detail in error_of(english)["details"]] == [
        "a secret ballot cannot be changed",
        "each option must be different",
    ]


def test_an_error_with_its_own_words_keeps_its_code_in_both_languages(as_user):
    # `?limit=` out of range: its detail has words of its own, by its key, with parameters.
    anonymous = as_user(None)
    french = error_of(anonymous.get("/v1/groups?limit=0"))
    english = error_of(anonymous.get("/v1/groups?limit=0", headers=in_language("en")))

    assert without_messages(french) == without_messages(english)
    assert french["details"] == [
        {
            "field": "limit",
            "code": "out_of_range",
            "message": "limit doit être un nombre entier de 1 à 100.",
        }
    ]
    assert english["details"][0]["message"] == "limit must be a whole number from 1 to 100"
