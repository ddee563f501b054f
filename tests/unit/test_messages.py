"""Error messages in French and English: choosing the language, complete catalogues, and
the words each refusal gets."""

from __future__ import annotations

import json
import string
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib import messages
from chalicelib.api import schemas
from chalicelib.api.locale import choose_locale, detail_of, refused_detail
from chalicelib.domain.errors import (
    DETAILS,
    PYDANTIC_TYPES,
    AlreadyVoted,
    Detail,
    GroupNotFound,
    ValidationFailed,
    detail,
    invalid,
    message_keys,
    refusals,
)
from chalicelib.settings import ConfigurationError, Locale, Settings

NBSP = "\u00a0"
DEV_SECRET = "a-local-secret-0123456789abcdefghij"

# ---------------------------------------------------------------- Accept-Language


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en", "en"),
        ("fr", "fr"),
        ("EN", "en"),
        ("fr-FR", "fr"),
        ("en-GB", "en"),
        ("en_US", "en"),
        ("en-US,en;q=0.9", "en"),
        ("de", "fr"),
        ("de-DE, en;q=0.5", "en"),
        ("en;q=0.4, fr;q=0.8", "fr"),
        ("fr;q=0.5, en", "en"),
        ("en;q=0.8, fr;q=0.8", "en"),
        ("*", "fr"),
        ("de, *;q=0.1", "fr"),
        ("fr;q=0, *", "en"),
        ("en;q=0", "fr"),
        (" en ; q=1.000 ", "en"),
    ],
)
def test_the_language_is_the_best_supported_one_the_caller_accepts(header, chosen):
    assert choose_locale(header, "fr") == chosen


@pytest.mark.parametrize("header", [None, "", "de", "*", "pt-BR, de;q=0.9"])
def test_without_a_supported_language_the_configured_default_is_used(header):
    assert choose_locale(header, "en") == "en"
    assert choose_locale(header, "fr") == "fr"


@pytest.mark.parametrize(
    "header",
    [
        ",,,",
        ";;;",
        "en;q=",
        "en;q=abc",
        "en;q=2",
        "en;q=-1",
        "en;q=nan",
        "en;q=0.12345",
        "=;q=;=",
        "\x00\xff",
        "en-" + "x" * 10_000,
        "😀",
    ],
)
def test_a_malformed_header_never_fails_and_counts_for_nothing(header):
    assert choose_locale(header, "fr") == "fr"


def test_an_unreadable_entry_is_skipped_but_the_others_count():
    assert choose_locale("en;q=oops, fr;q=0.1", "en") == "fr"


# ---------------------------------------------------------------- settings


def test_french_is_the_default_language():
    assert Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET}).default_locale == "fr"


def test_the_default_language_can_be_english():
    environ = {"HUB_DEV_JWT_SECRET": DEV_SECRET, "HUB_DEFAULT_LOCALE": "en"}
    assert Settings.from_environ(environ).default_locale == "en"


@pytest.mark.parametrize("value", ["de", "EN", "fr-FR"])
def test_an_unsupported_default_language_is_refused(value):
    with pytest.raises(ConfigurationError, match="default_locale"):
        Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET, "HUB_DEFAULT_LOCALE": value})


# ---------------------------------------------------------------- complete catalogues

LANGUAGES = list(messages.LOCALES)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_language_the_hub_answers_in_has_a_catalogue_and_no_other():
    assert set(get_args(Locale)) == set(messages.LOCALES)
    for language in LANGUAGES:
        assert set(messages.catalogue(language)) == set(messages.SECTIONS), language


def test_error_codes_are_unique():
    # (A store's own refusal may reuse its parent's code: it declares none of its own.)
    codes = [refusal.code for refusal in refusals() if "code" in vars(refusal)]
    assert len(codes) == len(set(codes)) > 40


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_code_and_variant_has_a_message_and_nothing_else_does(language):
    assert set(messages.catalogue(language)["errors"]) == message_keys()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_detail_and_pydantic_type_has_a_message_and_nothing_else_does(language):
    assert not set(DETAILS) & set(PYDANTIC_TYPES)  # one key, one meaning
    assert set(messages.catalogue(language)["details"]) == set(DETAILS) | set(PYDANTIC_TYPES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_takes_the_parameters_declared_for_it(language):
    catalogue = messages.catalogue(language)
    declared = {**DETAILS, **PYDANTIC_TYPES}
    wrong = {
        key: placeholders(template)
        for key, template in catalogue["details"].items()
        if {name.removesuffix("_s") for name in placeholders(template)} != set(declared[key])
    }
    wrong |= {
        key: placeholders(template)
        for key, template in catalogue["errors"].items()
        if placeholders(template)
    }
    assert wrong == {}


def test_both_languages_use_the_same_placeholders():
    english, french = messages.catalogue("en"), messages.catalogue("fr")
    assert set(english["words"]) == set(french["words"])
    for section in ("errors", "details"):
        for key, template in english[section].items():
            assert placeholders(template) == placeholders(french[section][key]), key


def test_french_puts_a_non_breaking_space_before_two_part_punctuation():
    for section in ("errors", "details"):
        for key, template in messages.catalogue("fr")[section].items():
            for mark in ":;?!":
                assert f" {mark} " not in template + " ", key
                assert not template.endswith(f" {mark}"), key


def test_the_english_catalogue_is_not_the_french_one():
    english, french = messages.catalogue("en"), messages.catalogue("fr")
    for section in ("errors", "details"):
        same = {key for key in english[section] if english[section][key] == french[section][key]}
        assert same == set(), section


# ---------------------------------------------------------------- what validation can say


def _models() -> list[type[BaseModel]]:
    return [
        model
        for model in vars(schemas).values()
        if isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.__module__ == schemas.__name__
    ]


WRONG = [
    *([None, 1, 1.5, -1, 0, 10**12, "", "x" * 30_000, "bad\nvalue", True, [], {}, {"x": 1}]),
    *(["nope", "2030-01-01T00:00:00", "2030-13-01T00:00:00Z", ["a"] * 30, ["x", "x"]]),
    *(["\u202eabc", "\ud800", "\u200b", ["b", "b"], "9999-12-31T23:59:59-01:00"]),
    {"type": "zzz"},
    {"type": "poll", "options": ["a", "A"], "min_choices": 5, "max_choices": 1},
    {"type": "poll", "options": ["a", "b"], "min_choices": 2, "max_choices": 1},
    {"type": "poll", "options": ["a", "b"], "max_choices": 3},
    {"type": "poll", "options": ["a", "b"], "min_choices": 3},
    {"type": "vote", "threshold": 2, "secret": True, "allow_change": True},
    {"type": "vote", "secret": True, "allow_change": True},
    {"type": "vote", "threshold": 0},
]


def _validation_details() -> tuple[list[Any], list[Detail]]:
    """What validating the request bodies (pydantic, then the domain's decision rules)
    says about a range of wrong values: pydantic's problems, and the Hub's details."""
    bodies = ["[]", "1", "null", "{}", '{"unknown": 1}']
    bodies += [json.dumps({field: value}) for value in WRONG for field in ("function", "x")]
    problems: list[Any] = []
    details: list[Detail] = []
    for model in _models():
        fields = [json.dumps({name: value}) for name in model.model_fields for value in WRONG]
        for body in bodies + fields:
            try:
                parsed = model.model_validate_json(body)
            except ValidationError as error:
                found = error.errors(include_url=False, include_input=False)
                # Text that is not JSON answers 400 malformed_json (api/http.py), no details.
                problems += [problem for problem in found if problem["type"] != "json_invalid"]
                continue
            function = getattr(parsed, "function", None)
            if isinstance(function, BaseModel):
                try:
                    schemas.to_function(function)
                except ValidationFailed as refused:
                    details += refused.details or []
    return problems, details + [detail_of(problem) for problem in problems]


def test_every_error_validation_can_give_is_declared_with_its_values():
    problems, details = _validation_details()
    assert {detail.key for detail in details} <= set(DETAILS) | set(PYDANTIC_TYPES)
    assert "invalid_value" not in {detail.key for detail in details}  # no type unknown
    for found in details:
        declared = {**DETAILS, **PYDANTIC_TYPES}[found.key]
        assert set(found.params) == set(declared), found
    kinds = {problem["type"] for problem in problems}
    assert {"missing", "extra_forbidden", "string_too_long", "enum", "value_error"} <= kinds
    keys = {found.key for found in details}
    assert {"duplicate_option", "below_min_choices", "secret_is_final", "null"} <= keys
    assert {"above_options.min_choices", "above_options.max_choices", "invisible.name"} <= keys


def test_pydantic_messages_in_english_are_pydantics_own_words():
    problems, _ = _validation_details()
    # Where pydantic says more than the type (why a number did not parse), English says
    # what French says: the type alone.
    reworded = {"int_parsing", "float_parsing", "bool_parsing", "datetime_parsing"}
    reworded |= {"datetime_from_date_parsing", "dict_type", "model_type", "list_type"}
    # ... and where pydantic names the kind of field (`List`, `Value`), English says "List".
    reworded |= {"too_short", "too_long"}
    for problem in problems:
        if problem["type"] in PYDANTIC_TYPES and problem["type"] not in reworded:
            assert detail_of(problem).render("en")["message"] == problem["msg"], problem


# ---------------------------------------------------------------- the words of a refusal


def _refusal(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Detail]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate_json(json.dumps(body))
    return {
        found.field: found
        for found in map(detail_of, raised.value.errors(include_url=False, include_input=False))
    }


@pytest.mark.parametrize(
    ("model", "body", "field", "english", "french"),
    [
        (
            schemas.GroupCreate,
            {"name": "x" * 101},
            "name",
            "String should have at most 100 characters",
            "Le texte doit compter au plus 100 caractères.",
        ),
        (
            schemas.GroupCreate,
            {"name": ""},
            "name",
            "String should have at least 1 character",
            "Ce champ ne peut pas être vide.",
        ),
        (
            schemas.InvitationCreate,
            {"max_uses": 10_001},
            "max_uses",
            "Input should be less than or equal to 10000",
            "La valeur doit être inférieure ou égale à 10000.",
        ),
        (
            schemas.GroupCreate,
            {"name": "a", "join_policy": "closed"},
            "join_policy",
            "Input should be 'invite', 'request' or 'open'",
            f"Valeur attendue{NBSP}: 'invite', 'request' ou 'open'.",
        ),
        (
            schemas.DebateCreate,
            {"title": "t", "function": {"type": "vote", "threshold": 0}},
            "function.vote.threshold",
            "Input should be greater than 0",
            "La valeur doit être supérieure à 0.",
        ),
        (
            schemas.DebateCreate,
            {"title": "t", "function": {"type": "poll", "options": ["a"]}},
            "function.poll.options",
            "List should have at least 2 items after validation, not 1",
            "La liste doit compter au moins 2 éléments, et non 1.",
        ),
        (
            schemas.DebateCreate,
            {"title": "t", "function": {"type": "zzz"}},
            "function",
            "Input tag 'zzz' found using 'type' does not match any of the expected tags: "
            "'none', 'vote', 'poll', 'petition', 'ranked', 'majority_judgment', 'score', 'dot'",
            f"La valeur 'zzz' de 'type' n\u2019est pas prévue{NBSP}; valeurs possibles{NBSP}: "
            "'none', 'vote', 'poll', 'petition', 'ranked', 'majority_judgment', 'score', 'dot'.",
        ),
        (
            schemas.ConsultationUpdate,
            {},
            "body",
            "send at least one of title, description, visibility, audience, participation, "
            "opens_at, closes_at, proxies",
            "Envoyez au moins l\u2019un des champs title, description, visibility, audience, "
            "participation, opens_at, closes_at, proxies.",
        ),
        (
            schemas.GroupCreate,
            {"name": "\u200b"},
            "name",
            "a name needs at least one visible character",
            "Un nom doit compter au moins un caractère visible.",
        ),
    ],
)
def test_a_refusal_keeps_its_values_in_both_languages(model, body, field, english, french):
    found = _refusal(model, body)[field]
    assert found.render("en")["message"] == english
    assert found.render("fr")["message"] == french
    assert found.render("en")["code"] == found.render("fr")["code"] == found.code


def test_a_hub_detail_raised_inside_validation_keeps_its_code_and_key():
    found = _refusal(schemas.GroupUpdate, {"name": None})["name"]
    assert (found.code, found.key) == ("null", "null")
    assert found.render("fr")["message"] == "Envoyez une valeur, ou omettez ce champ."
    value_error = _refusal(schemas.GroupUpdate, {})["body"]
    assert (value_error.code, value_error.key) == ("value_error", "value_error.nothing_to_change")


def test_plurals_follow_each_languages_rule():
    def said(language: str, length: int) -> str:
        return messages.render(language, "details", "string_too_short", {"min_length": length})

    assert said("en", 1).endswith("1 character")
    assert said("en", 0).endswith("0 characters")
    assert said("en", 2).endswith("2 characters")
    assert said("fr", 0).endswith("0 caractère.")
    assert said("fr", 1).endswith("1 caractère.")
    assert said("fr", 2).endswith("2 caractères.")


def test_a_pydantic_type_the_hub_does_not_know_keeps_its_code_with_plain_words():
    problem: Any = {"type": "a_type_pydantic_adds_later", "loc": ("x",), "msg": "Something"}
    found = detail_of(problem)
    assert found.render("en") == {
        "field": "x",
        "code": "a_type_pydantic_adds_later",
        "message": "This value is not valid.",
    }
    assert found.render("fr")["message"] == "Cette valeur n\u2019est pas valide."


def test_an_error_is_written_from_its_code_in_each_language():
    assert GroupNotFound().body("en") == {
        "error": {
            "code": "group_not_found",
            "message": "No such association, or it is not visible to you.",
        }
    }
    assert GroupNotFound().body("fr")["error"]["message"] == (
        "Cette association n\u2019existe pas, ou elle ne vous est pas visible."
    )
    assert GroupNotFound().body() == GroupNotFound().body("en")


def test_a_variant_says_more_under_the_same_code():
    withdrawal = AlreadyVoted("not_withdrawable").body("fr")["error"]
    assert withdrawal == {
        "code": "already_voted",
        "message": "Ce bulletin ne peut pas être retiré.",
    }
    assert AlreadyVoted().body("fr")["error"]["message"] != withdrawal["message"]
    with pytest.raises(ValueError, match="no variant"):
        AlreadyVoted("a variant nobody declared")


def test_a_detail_is_written_with_its_parameters_and_only_field_code_and_message_leave():
    refusal = invalid("limit", "out_of_range.limit", low=1, high=100)
    assert refusal.body("fr")["error"] == {
        "code": "validation_failed",
        "message": "Certains champs ne sont pas valides.",
        "details": [
            {
                "field": "limit",
                "code": "out_of_range",
                "message": "limit doit être un nombre entier de 1 à 100.",
            }
        ],
    }
    assert refusal.body("en")["error"]["details"][0]["message"] == (
        "limit must be a whole number from 1 to 100"
    )


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("a key nobody declared", {}),
        ("out_of_range.limit", {"low": 1}),  # a parameter missing
        ("too_deep", {"depth": 2}),  # a parameter the message does not take
    ],
)
def test_a_detail_must_be_declared_with_its_parameters(key, params):
    with pytest.raises(ValueError, match="takes"):
        detail("x", key, **params)
    with pytest.raises(ValueError, match="takes"):
        refused_detail(key, **params)


def test_a_message_missing_from_a_catalogue_falls_back_to_english_then_to_its_key(monkeypatch):
    french = json.loads(json.dumps(messages.catalogue("fr")))
    del french["errors"]["group_not_found"]
    monkeypatch.setattr(messages, "catalogue", {"fr": french, "en": messages.catalogue("en")}.get)
    assert GroupNotFound().body("fr")["error"]["message"] == (
        "No such association, or it is not visible to you."
    )
    assert messages.render("fr", "errors", "no_such_code") == "no_such_code"
