"""Error messages in French and English: choosing the language, and a complete catalog."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import chalicelib
from chalicelib.api import schemas
from chalicelib.api.locale import choose_locale, localized_body, to_french, translate
from chalicelib.domain.errors import HubError
from chalicelib.settings import ConfigurationError, Settings

NBSP = "\u00a0"
CHALICELIB = Path(chalicelib.__file__).parent
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


# ---------------------------------------------------------------- a complete French catalog

# Helpers that turn one of their arguments (by position) into a message.
MESSAGE_ARGUMENT = {
    "invalid": 2,
    "_refuse": 1,
    "_field": 1,
    "_locked": 1,
    "PydanticCustomError": 1,
    "TextRefused": 1,
}


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def _text(node: ast.expr) -> str | None:
    """A string literal, or an f-string with each of its values written as 1."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(p.value if isinstance(p, ast.Constant) else "1" for p in node.values)
    return None


def _message_nodes(node: ast.AST, error_classes: set[str], in_api: bool) -> list[ast.expr]:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        keywords = [keyword.value for keyword in node.keywords if keyword.arg == "message"]
        position = MESSAGE_ARGUMENT.get(name or "")
        if name in error_classes or (name == "ValueError" and in_api):
            position = 0  # a validator's ValueError becomes a 422 detail
        return keywords + (node.args[position : position + 1] if position is not None else [])
    if isinstance(node, ast.Dict):
        return [
            value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "message"
        ]
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        found = []
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "message":
                found.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = zip(target.elts, node.value.elts, strict=False)
                found += [v for t, v in pairs if isinstance(t, ast.Name) and t.id == "message"]
        # `message = message or f"..."`: each alternative
        return [alt for value in found for alt in getattr(value, "values", [value])]
    return []


def messages_in_the_code() -> dict[str, str]:
    """Every message the Hub's code writes (English), and where: assignments to `message`
    (the errors' class attributes among them), literals given to error classes, `invalid`,
    `PydanticCustomError`, a validator's `ValueError` and the detail helpers, and
    `"message": ...` in dict literals."""
    error_classes = {cls.__name__ for cls in {HubError, *_subclasses(HubError)}}
    found: dict[str, str] = {}
    for path in sorted(CHALICELIB.rglob("*.py")):
        if path.name == "settings.py":  # configuration errors are for operators, not callers
            continue
        in_api = path.parent.name == "api"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for message in _message_nodes(node, error_classes, in_api):
                text = _text(message)
                if text is not None:
                    found[text] = f"{path.relative_to(CHALICELIB.parent)}:{message.lineno}"
    return found


def test_every_message_in_the_code_has_a_french_entry():
    untranslated = {
        message: where
        for message, where in messages_in_the_code().items()
        if not to_french(message)
    }
    assert untranslated == {}


def test_the_scan_finds_every_kind_of_message():
    found = messages_in_the_code()
    for message in [
        "The request cannot be served.",  # message: str = ...
        "Something went wrong on our side.",  # status, code, message = ...
        "This association is not a partner of the consultation.",  # message = ...
        "This ballot cannot be withdrawn.",  # raise AlreadyVoted("...")
        "replies are one level deep",  # invalid(field, code, "...")
        "each role once",  # PydanticCustomError(type, "...")
        "send at least one field to change",  # a validator's ValueError
        "choose yes, no or abstain",  # _refuse(field, "...")
        "only secret ballots have receipts",  # _field(field, "...")
        "closes_at may only move later",  # _locked(field, "...")
        "1 cannot change once published",  # f"{field} cannot ..." in _locked
        "limit must be a whole number from 1 to 1",  # {"message": f"..."} in paging
    ]:
        assert message in found
    assert len(found) > 80


@pytest.mark.parametrize(
    "error", sorted(_subclasses(HubError) | {HubError}, key=lambda cls: cls.__name__)
)
def test_every_error_has_a_french_default_message(error):
    assert to_french(error.message)


def _validation_errors() -> list[dict[str, Any]]:
    """What the request bodies' validation says about a range of wrong values."""
    models = [
        model
        for model in vars(schemas).values()
        if isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.__module__ == schemas.__name__
    ]
    wrong = [
        *([None, 1, 1.5, -1, 0, 10**12, "", "x" * 30_000, "bad\nvalue", True, [], {}, {"x": 1}]),
        *(["nope", "2030-01-01T00:00:00", "2030-13-01T00:00:00Z", ["a"] * 30, ["x", "x"]]),
        {"type": "zzz"},
        {"type": "poll", "options": ["a", "A"], "min_choices": 5, "max_choices": 1},
        {"type": "poll", "options": ["a", "b"], "min_choices": 2, "max_choices": 1},
        {"type": "poll", "options": ["a", "b"], "max_choices": 3},
        {"type": "vote", "threshold": 2, "secret": True, "allow_change": True},
        {"type": "vote", "threshold": 0},
    ]
    bodies = ["[]", "1", "null", "{}", '{"unknown": 1}']
    bodies += [json.dumps({field: value}) for value in wrong for field in ("function", "x")]
    problems = []
    for model in models:
        fields = [json.dumps({name: value}) for name in model.model_fields for value in wrong]
        for body in bodies + fields:
            try:
                model.model_validate_json(body)
            except ValidationError as error:
                problems += error.errors(include_url=False, include_input=False)
    return problems


def test_every_validation_message_of_the_request_bodies_has_a_french_entry():
    problems = _validation_errors()
    untranslated = {
        (problem["type"], problem["msg"])
        for problem in problems
        if not to_french(problem["msg"], problem["type"], problem.get("ctx"))
        or not to_french(problem["msg"], problem["type"])  # as the details are today: no ctx
    }
    assert untranslated == set()
    assert {"missing", "extra_forbidden", "string_too_long", "enum", "value_error"} <= {
        problem["type"] for problem in problems
    }


# ---------------------------------------------------------------- translating


@pytest.mark.parametrize(
    ("code", "english", "french"),
    [
        ("string_too_long", "String should have at most 100 characters", "au plus 100 caractères"),
        ("string_too_short", "String should have at least 1 character", "au moins 1 caractère."),
        ("less_than_equal", "Input should be less than or equal to 10000", "égale à 10000."),
        ("greater_than", "Input should be greater than 0", "supérieure à 0."),
        (
            "enum",
            "Input should be 'invite', 'request' or 'open'",
            f"Valeur attendue{NBSP}: 'invite', 'request' ou 'open'.",
        ),
        ("literal_error", "Input should be 'vote'", f"Valeur attendue{NBSP}: 'vote'."),
        (
            "too_short",
            "List should have at least 2 items after validation, not 1",
            "au moins 2 éléments, et non 1.",
        ),
        (
            "union_tag_invalid",
            "Input tag 'zzz' found using 'type' does not match any of the expected tags: "
            "'none', 'vote'",
            f"La valeur 'zzz' de 'type' n'est pas prévue{NBSP}; valeurs possibles{NBSP}: "
            "'none', 'vote'.",
        ),
    ],
)
def test_pydantic_messages_keep_their_values_in_french(code, english, french):
    assert french in translate(english, "fr", code)


def test_pydantic_values_come_from_ctx_when_the_details_carry_it():
    english = "Input should be less than or equal to 1"
    assert translate(english, "fr", "less_than_equal", {"le": 1.0}).endswith("égale à 1.")
    english = "String should have at most 5 characters"
    assert "au plus 5 caractères" in translate(english, "fr", "string_too_long", {"max_length": 5})


@pytest.mark.parametrize(
    ("english", "code", "french"),
    [
        ("A valid bearer token is required.", None, "Un jeton d'accès valide est requis."),
        ("choose between 1 and 3 options", "invalid_ballot", "Choisissez entre 1 et 3 options."),
        (
            "Value error, send at least one field to change",
            "value_error",
            "Envoyez au moins un champ à modifier.",
        ),
        (
            "a restricted consultation names its audience",
            "missing",  # a Hub detail whose code is also a pydantic type
            "Une consultation restricted doit préciser son audience.",
        ),
        ("list with ?scope=public", "unsupported", "Listez avec ?scope=public."),
        (
            "This debate's ballots are not secret: it has no receipts.",
            None,
            f"Le vote de ce débat n'est pas secret{NBSP}: il ne donne pas de reçus.",
        ),
    ],
)
def test_messages_are_translated_whole(english, code, french):
    assert translate(english, "fr", code) == french


@pytest.mark.parametrize(
    ("english", "code"),
    [
        ("A message nobody translated.", None),
        ("a new detail, not in the catalog yet", "missing"),
        ("String should be shorter, please", "string_too_long"),
        ("Value error, a validator nobody translated", "value_error"),
        ("Input should be something new", "a_type_pydantic_adds_later"),
    ],
)
def test_a_message_without_french_stays_in_english(english, code):
    assert translate(english, "fr", code) == english


def test_english_is_the_text_of_the_code():
    assert translate("A valid bearer token is required.", "en") == (
        "A valid bearer token is required."
    )
    english = "String should have at most 100 characters"
    assert translate(english, "en", "string_too_long", {"max_length": 100}) == english


# ---------------------------------------------------------------- error bodies

REFUSAL = {
    "error": {
        "code": "validation_failed",
        "message": "Some fields are not valid.",
        "details": [
            {"field": "name", "code": "missing", "message": "Field required"},
            {
                "field": "title",
                "code": "string_too_long",
                "message": "String should have at most 200 characters",
                "ctx": {"max_length": 200},
            },
            {"field": "limit", "code": "out_of_range", "message": "A message nobody translated."},
        ],
    }
}


def _without_messages(body: dict[str, Any]) -> dict[str, Any]:
    error = {name: value for name, value in body["error"].items() if name != "message"}
    error["details"] = [
        {name: value for name, value in detail.items() if name not in ("message", "ctx")}
        for detail in error.get("details", [])
    ]
    return error


@pytest.mark.parametrize("form", [dict, json.dumps])
def test_only_the_messages_of_an_error_body_change(form):
    french = localized_body(form(REFUSAL), "fr")

    assert isinstance(french, type(form(REFUSAL)))
    french = json.loads(french) if isinstance(french, str) else french
    assert _without_messages(french) == _without_messages(REFUSAL)
    assert french["error"]["message"] == "Certains champs ne sont pas valides."
    assert [detail["message"] for detail in french["error"]["details"]] == [
        "Ce champ est obligatoire.",
        "Le texte doit compter au plus 200 caractères.",
        "A message nobody translated.",
    ]


def test_ctx_never_leaves_even_in_english():
    english = localized_body(REFUSAL, "en")
    assert all("ctx" not in detail for detail in english["error"]["details"])
    assert english["error"]["message"] == REFUSAL["error"]["message"]
    assert "ctx" in REFUSAL["error"]["details"][1]  # the original is not modified


@pytest.mark.parametrize(
    "body",
    [
        {"items": [], "next": None},
        '{"items": []}',
        "not json",
        "",
        None,
        {"error": "a string"},
        {"Code": "InternalServerError", "Message": "An internal server error occurred."},
        [1, 2],
    ],
)
def test_other_bodies_are_left_as_they_are(body):
    assert localized_body(body, "fr") == body
