"""Error messages in the caller's language, French or English, chosen by `Accept-Language`.

The English text written in the code is the English catalog; this module holds the French
one, keyed by that English text (pydantic's own messages are keyed by their error type).
Only `message` fields change with the language: codes, fields and statuses never do.
A message without a French entry goes out in English, and tests/unit/test_messages.py
fails as long as a message of the code has none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, cast, get_args

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.settings import Locale, get_settings

SUPPORTED: tuple[Locale, ...] = get_args(Locale)

# ---------------------------------------------------------------- choosing the language

# RFC 9110: a qvalue is 0 to 1 with at most three decimals; a language range is `*` or
# subtags of 1 to 8 letters or digits (`_` is tolerated for `-`), the first one letters only.
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
_RANGE = re.compile(r"\*|[a-z]{1,8}(-[a-z0-9]{1,8})*")


def choose_locale(header: str | None, default: Locale) -> Locale:
    """The language to answer in, from an `Accept-Language` header.

    Highest weight first, ties in the header's order; `fr-FR` counts as `fr`; `*` stands for
    any language not refused with `q=0`. Unsupported languages and unreadable entries are
    skipped, and when nothing is left the answer is `default`.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate((header or "").split(",")):
        tag, *params = (part.strip() for part in entry.split(";"))
        weight: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else None
        tag = tag.lower().replace("_", "-")
        if _RANGE.fullmatch(tag) and weight is not None:
            ranked.append((weight, position, tag.split("-")[0]))
    refused = {language for weight, _, language in ranked if weight == 0}
    for weight, _, language in sorted(ranked, key=lambda entry: (-entry[0], entry[1])):
        if weight == 0:
            break
        if language == "*":
            return next((name for name in (default, *SUPPORTED) if name not in refused), default)
        if language in SUPPORTED:
            return cast(Locale, language)
    return default


# ---------------------------------------------------------------- the French catalog

FRENCH: dict[str, str] = {
    # The default message of each HubError (chalicelib/domain/errors.py).
    "The request cannot be served.": "La requête ne peut pas être traitée.",
    "The request body is not valid JSON.": "Le corps de la requête n'est pas un JSON valide.",
    "The pagination cursor is not valid here.": "Le curseur de pagination n'est pas valide ici.",
    "The request body names the same key twice in an object.": (
        "Le corps de la requête contient deux fois la même clé dans un objet."
    ),
    "A valid bearer token is required.": "Un jeton d'accès valide est requis.",
    "Your role does not allow this.": "Votre rôle ne vous permet pas de faire cela.",
    "This association admits members by invitation.": (
        "Cette association n'admet de membres que sur invitation."
    ),
    "Nothing was found at this address.": "Rien n'a été trouvé à cette adresse.",
    "No such association, or it is not visible to you.": (
        "Cette association n'existe pas, ou elle ne vous est pas visible."
    ),
    "This person is not a member of the association.": (
        "Cette personne n'est pas membre de l'association."
    ),
    "No invitation has this code.": "Aucune invitation ne porte ce code.",
    "No pending request to join from this person.": (
        "Cette personne n'a aucune demande d'adhésion en attente."
    ),
    "No such consultation, or it is not visible to you.": (
        "Cette consultation n'existe pas, ou elle ne vous est pas visible."
    ),
    "No such debate, or it is not visible to you.": (
        "Ce débat n'existe pas, ou il ne vous est pas visible."
    ),
    "This association is not a partner of the consultation.": (
        "Cette association n'est pas partenaire de la consultation."
    ),
    "This person holds no grant in the consultation.": (
        "Cette personne n'a aucune habilitation dans la consultation."
    ),
    "This method is not allowed here.": "Cette méthode n'est pas autorisée ici.",
    "The request conflicts with the current state.": (
        "La requête est en conflit avec l'état actuel."
    ),
    "Someone else changed this at the same time; retry.": (
        "Quelqu'un d'autre a fait une modification au même moment ; veuillez réessayer."
    ),
    "An association needs at least one admin: name another admin first.": (
        "Une association garde toujours au moins un administrateur : "
        "nommez d'abord un autre administrateur."
    ),
    "You are already a member of this association.": "Vous êtes déjà membre de cette association.",
    "This consultation is already published.": "Cette consultation est déjà publiée.",
    "Once published, only the description may change and the closing date be extended.": (
        "Une fois la consultation publiée, seule sa description peut changer "
        "et sa date de clôture être repoussée."
    ),
    "This consultation is closed.": "Cette consultation est close.",
    "The consultation opens (or is open): the debate's question and decision can no "
    "longer change; add an addendum instead.": (
        "La consultation ouvre (ou est ouverte) : la question du débat et son mode de décision "
        "ne peuvent plus changer ; ajoutez plutôt un addendum."
    ),
    "This debate holds as many addenda as it may.": (
        "Ce débat compte déjà autant d'addenda qu'il peut en recevoir."
    ),
    "This invitation has expired or is used up.": (
        "Cette invitation a expiré ou a déjà servi autant de fois que prévu."
    ),
    "This invitation was withdrawn, or whoever made it no longer holds its role.": (
        "Cette invitation a été retirée, ou la personne qui l'a créée n'a plus ce rôle."
    ),
    "Send the body as application/json.": "Envoyez le corps de la requête en application/json.",
    "Some fields are not valid.": "Certains champs ne sont pas valides.",
    "Tokens cannot be checked right now; try again in a moment.": (
        "Les jetons ne peuvent pas être vérifiés pour l'instant ; "
        "veuillez réessayer dans un moment."
    ),
    "This ballot is not valid.": "Ce bulletin n'est pas valide.",
    "You may not take part in this consultation.": (
        "Vous ne pouvez pas participer à cette consultation."
    ),
    "The results are not visible yet.": "Les résultats ne sont pas encore visibles.",
    "This consultation is not open for ballots.": "Cette consultation n'est pas ouverte au vote.",
    "You have already voted, and this ballot cannot be changed.": (
        "Vous avez déjà voté, et ce bulletin ne peut pas être modifié."
    ),
    "You have cast no ballot in this debate.": "Vous n'avez déposé aucun bulletin dans ce débat.",
    "No ballot was counted under this receipt.": "Aucun bulletin n'a été compté sous ce reçu.",
    "This debate's ballots are not secret: it has no receipts.": (
        "Le vote de ce débat n'est pas secret : il ne donne pas de reçus."
    ),
    "Something went wrong on our side.": "Une erreur s'est produite de notre côté.",
    "No such comment, or it is not visible to you.": (
        "Ce commentaire n'existe pas, ou il ne vous est pas visible."
    ),
    "A moderator has blocked you from taking part in this association's consultations.": (
        "Un modérateur vous a bloqué : vous ne pouvez plus participer "
        "aux consultations de cette association."
    ),
    "A moderator hid this comment for review: it cannot change until it is restored.": (
        "Un modérateur a masqué ce commentaire pour examen : il ne peut plus changer tant "
        "qu'il n'est pas rétabli."
    ),
    "You have already reacted to this comment.": "Vous avez déjà réagi à ce commentaire.",
    "You cannot react to or flag your own comment.": (
        "Vous ne pouvez ni réagir à votre propre commentaire, ni le signaler."
    ),
    "You have already flagged this comment.": "Vous avez déjà signalé ce commentaire.",
    "This person is not blocked.": "Cette personne n'est pas bloquée.",
    # Messages given to an error where it is raised.
    "This ballot cannot be withdrawn.": "Ce bulletin ne peut pas être retiré.",
    "This debate has no decision to count.": "Ce débat n'a aucun vote à dépouiller.",
    "The ballot board opens once the final results are in.": (
        "Le tableau des bulletins s'ouvre une fois les résultats définitifs connus."
    ),
    "Comments are read-only once the consultation is closed.": (
        "Une fois la consultation close, les commentaires ne peuvent plus être modifiés."
    ),
    "The database is busy; please retry.": ("La base de données est occupée ; veuillez réessayer."),
    "The closing date may only be extended; closing early is a separate act.": (
        "La date de clôture peut seulement être repoussée ; "
        "clore plus tôt est une action distincte."
    ),
    # Field details (`details[].message`) written by the Hub.
    "no such comment in this debate": "Ce commentaire n'existe pas dans ce débat.",
    "replies are one level deep": "Répondez au commentaire lui-même, pas à une réponse.",
    "the host association cannot be its own partner": (
        "L'association organisatrice ne peut pas être sa propre partenaire."
    ),
    "not a user id": "Ce n'est pas un identifiant d'utilisateur.",
    "not UTF-8 once decoded": "Une fois décodé, ce n'est pas de l'UTF-8.",
    "closes_at must be after opens_at": "closes_at doit être postérieur à opens_at.",
    "closes_at must be in the future": "closes_at doit être dans le futur.",
    "audience applies to restricted only": (
        "audience ne s'applique qu'à une consultation restricted."
    ),
    "a restricted consultation names its audience": (
        "Une consultation restricted doit préciser son audience."
    ),
    "the audience must include your own role, or you could not open what you make": (
        "L'audience doit inclure votre propre rôle, sinon vous ne pourriez pas ouvrir ce que "
        "vous créez."
    ),
    "participation applies to public only": (
        "participation ne s'applique qu'à une consultation public."
    ),
    "closes_at may only move later": "closes_at peut seulement être repoussé.",
    "sort is top, new or old": "sort vaut top, new ou old.",
    "stance is pro, con or neutral": "stance vaut pro, con ou neutral.",
    "list with ?scope=public": "Listez avec ?scope=public.",
    "this debate takes no ballot": "Ce débat ne reçoit pas de bulletins.",
    "only secret ballots have receipts": "Seuls les votes secrets donnent des reçus.",
    "22 to 64 letters, digits, - or _": "De 22 à 64 lettres, chiffres, - ou _.",
    "this receipt cannot be used: send another one": (
        "Ce reçu ne peut pas être utilisé : envoyez-en un autre."
    ),
    "choose yes, no or abstain": "Choisissez yes, no ou abstain.",
    "send true to sign; withdraw a signature with DELETE": (
        "Envoyez true pour signer ; retirez une signature avec DELETE."
    ),
    "each option at most once": "Chaque option au plus une fois.",
    # Validators of the request bodies (chalicelib/api/schemas.py).
    "this text holds an invalid character": "Ce texte contient un caractère invalide.",
    "a name is one line, without control characters": (
        "Un nom tient sur une ligne, sans caractère de contrôle."
    ),
    "a name cannot hold characters that reorder the text around it": (
        "Un nom ne peut pas contenir de caractères qui réordonnent le texte qui l'entoure."
    ),
    "a name needs at least one visible character": (
        "Un nom doit compter au moins un caractère visible."
    ),
    "write at least one visible character": "Écrivez au moins un caractère visible.",
    "send a value, or leave the field out": "Envoyez une valeur, ou omettez ce champ.",
    "this date is out of range": "Cette date est hors des limites du calendrier.",
    "send at least one of name, description, listed, join_policy": (
        "Envoyez au moins l'un des champs name, description, listed, join_policy."
    ),
    "each role once": "Chaque rôle ne peut figurer qu'une fois.",
    "send at least one field to change": "Envoyez au moins un champ à modifier.",
    "a secret ballot cannot be changed": "Un vote secret ne peut pas être modifié.",
    "each option must be different": "Chaque option doit être différente.",
    "min_choices exceeds the options": "min_choices dépasse le nombre d'options.",
    "max_choices is below min_choices": "max_choices est inférieur à min_choices.",
    "max_choices exceeds the options": "max_choices dépasse le nombre d'options.",
    "send at least one of title, body, function": (
        "Envoyez au moins l'un des champs title, body, function."
    ),
}

# Messages the Hub builds with values: the English shape, and its French with the same values.
FRENCH_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"limit must be a whole number from 1 to (?P<top>\d+)"),
        "limit doit être un nombre entier de 1 à {top}.",
    ),
    (
        re.compile(r"a (?P<kind>\w+) takes `(?P<field>\w+)` and nothing else"),
        "Ce débat ({kind}) attend `{field}`, et rien d'autre.",
    ),
    (re.compile(r"unknown options: (?P<options>.+)"), "Options inconnues : {options}."),
    (
        re.compile(r"at most (?P<size>\d+) bytes in UTF-8"),
        "Au plus {size} octets en UTF-8.",
    ),
    (
        re.compile(r"choose between (?P<low>\d+) and (?P<high>\d+) options"),
        "Choisissez entre {low} et {high} options.",
    ),
    (
        re.compile(r"(?P<field>\w+) cannot change once published"),
        "{field} ne peut plus changer une fois la consultation publiée.",
    ),
]

# pydantic's own messages, by error type: the English shape pydantic writes, and its French.
# `{name}` is a value of the error's `ctx`, read from the English message while the details
# carry no ctx; `{name_s}` is its French plural. A message that does not have the expected
# shape (a Hub detail whose code happens to be a pydantic type, a reworded pydantic) stays
# in English rather than being mistranslated.
PYDANTIC_FRENCH: dict[str, tuple[str, str]] = {
    "missing": ("Field required", "Ce champ est obligatoire."),
    "extra_forbidden": ("Extra inputs are not permitted", "Ce champ n'est pas accepté."),
    "string_type": ("Input should be a valid string", "Un texte est attendu."),
    "string_too_short": (
        r"String should have at least (?P<min_length>\d+) characters?",
        "Le texte doit compter au moins {min_length} caractère{min_length_s}.",
    ),
    "string_too_long": (
        r"String should have at most (?P<max_length>\d+) characters?",
        "Le texte doit compter au plus {max_length} caractère{max_length_s}.",
    ),
    "string_pattern_mismatch": (
        r"String should match pattern '(?P<pattern>.*)'",
        "Le texte ne respecte pas le format attendu : '{pattern}'.",
    ),
    "int_type": ("Input should be a valid integer", "Un nombre entier est attendu."),
    "int_parsing": (r"Input should be a valid integer, .*", "Un nombre entier est attendu."),
    "int_from_float": (
        r"Input should be a valid integer, got a number with a fractional part",
        "Un nombre entier est attendu, sans partie décimale.",
    ),
    "float_type": ("Input should be a valid number", "Un nombre est attendu."),
    "float_parsing": (r"Input should be a valid number, .*", "Un nombre est attendu."),
    "finite_number": ("Input should be a finite number", "Un nombre fini est attendu."),
    "bool_type": ("Input should be a valid boolean", "Un booléen (true ou false) est attendu."),
    "bool_parsing": (
        r"Input should be a valid boolean, .*",
        "Un booléen (true ou false) est attendu.",
    ),
    "enum": (r"Input should be (?P<expected>'.+)", "Valeur attendue : {expected}."),
    "literal_error": (r"Input should be (?P<expected>'.+)", "Valeur attendue : {expected}."),
    "greater_than": (
        r"Input should be greater than (?P<gt>\S+)",
        "La valeur doit être supérieure à {gt}.",
    ),
    "greater_than_equal": (
        r"Input should be greater than or equal to (?P<ge>\S+)",
        "La valeur doit être supérieure ou égale à {ge}.",
    ),
    "less_than": (
        r"Input should be less than (?P<lt>\S+)",
        "La valeur doit être inférieure à {lt}.",
    ),
    "less_than_equal": (
        r"Input should be less than or equal to (?P<le>\S+)",
        "La valeur doit être inférieure ou égale à {le}.",
    ),
    "too_short": (
        r"\w+ should have at least (?P<min_length>\d+) items? after validation, "
        r"not (?P<actual_length>\d+)",
        "La liste doit compter au moins {min_length} élément{min_length_s}, "
        "et non {actual_length}.",
    ),
    "too_long": (
        r"\w+ should have at most (?P<max_length>\d+) items? after validation, "
        r"not (?P<actual_length>\d+)",
        "La liste doit compter au plus {max_length} élément{max_length_s}, et non {actual_length}.",
    ),
    "list_type": (r"Input should be a valid (list|array)", "Une liste est attendue."),
    "dict_type": (r"Input should be (a valid dictionary|an object)", "Un objet JSON est attendu."),
    "model_type": (
        r"Input should be (a valid dictionary or instance of \w+|an object)",
        "Un objet JSON est attendu.",
    ),
    "model_attributes_type": (
        r"Input should be a valid dictionary or object to extract fields from",
        "Un objet JSON est attendu.",
    ),
    "datetime_type": (
        "Input should be a valid datetime",
        "Une date et une heure sont attendues (ISO 8601).",
    ),
    "datetime_parsing": (
        r"Input should be a valid datetime, .*",
        "Cette date n'est pas valide : utilisez le format ISO 8601, "
        "par exemple 2030-06-01T18:00:00Z.",
    ),
    "datetime_from_date_parsing": (
        r"Input should be a valid datetime or date, .*",
        "Cette date n'est pas valide : utilisez le format ISO 8601, "
        "par exemple 2030-06-01T18:00:00Z.",
    ),
    "timezone_aware": (
        "Input should have timezone info",
        "Précisez le fuseau horaire (par exemple Z ou +02:00).",
    ),
    "union_tag_invalid": (
        r"Input tag '(?P<tag>.*)' found using (?P<discriminator>.+) "
        r"does not match any of the expected tags: (?P<expected_tags>.+)",
        "La valeur '{tag}' de {discriminator} n'est pas prévue ; "
        "valeurs possibles : {expected_tags}.",
    ),
    "union_tag_not_found": (
        r"Unable to extract tag using discriminator (?P<discriminator>.+)",
        "Précisez {discriminator} pour indiquer le type.",
    ),
}

_VALUE_ERROR = "Value error, "  # pydantic's prefix to a validator's ValueError


def to_french(
    message: str, code: str | None = None, ctx: Mapping[str, Any] | None = None
) -> str | None:
    """The French of an English message, or None when the catalog has none."""
    if message in FRENCH:
        return FRENCH[message]
    for english, french in FRENCH_PATTERNS:
        if match := english.fullmatch(message):
            return french.format_map(match.groupdict())
    if code == "value_error" and message.startswith(_VALUE_ERROR):
        return to_french(message.removeprefix(_VALUE_ERROR))
    if code in PYDANTIC_FRENCH:
        return _pydantic_french(message, code, ctx)
    return None


def _pydantic_french(message: str, code: str, ctx: Mapping[str, Any] | None) -> str | None:
    english, french = PYDANTIC_FRENCH[code]
    match = re.fullmatch(english, message)
    if match is None:
        return None
    values: dict[str, Any] = {**match.groupdict(), **{k: _plain(v) for k, v in (ctx or {}).items()}}
    for name, value in list(values.items()):
        values[f"{name}_s"] = "s" if _plural(value) else ""
        if name == "expected":  # "'a', 'b' or 'c'"
            values[name] = " ou ".join(str(value).rsplit(" or ", 1))
    try:
        return french.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None


def _plain(value: Any) -> Any:
    """A ctx value as pydantic's English message shows it (1.0 -> 1)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _plural(value: Any) -> bool:
    try:
        return abs(float(value)) >= 2  # French: 0 and 1 are singular
    except (TypeError, ValueError):
        return False


def _typography(french: str) -> str:
    """A non-breaking space before : ; ? ! (not inside `?scope=`, which no space precedes)."""
    return re.sub(r" ([:;?!])(?=\s|$)", "\u00a0\\1", french)


def translate(
    message: str, locale: Locale, code: str | None = None, ctx: Mapping[str, Any] | None = None
) -> str:
    """`message` in `locale`; the English itself when there is no translation."""
    if locale == "en":
        return message
    french = to_french(message, code, ctx)
    return message if french is None else _typography(french)


# ---------------------------------------------------------------- error bodies


def localized_body(body: Any, locale: Locale) -> Any:
    """An error body (dict or JSON text) with its messages in `locale`, in the same form;
    any other body as it came."""
    parsed = body
    if isinstance(body, str):
        try:
            parsed = json.loads(body)
        except ValueError:
            return body
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict):
        return body
    localized = dict(error)
    if isinstance(error.get("message"), str):
        localized["message"] = translate(error["message"], locale)
    if isinstance(error.get("details"), list):
        localized["details"] = [_localized_detail(detail, locale) for detail in error["details"]]
    answer = {**parsed, "error": localized}
    return json.dumps(answer) if isinstance(body, str) else answer


def _localized_detail(detail: Any, locale: Locale) -> Any:
    if not isinstance(detail, dict):
        return detail
    # `ctx` (pydantic's values for the message) is for translating only: it never leaves.
    localized = {name: value for name, value in detail.items() if name != "ctx"}
    ctx = detail.get("ctx")
    message, code = detail.get("message"), detail.get("code")
    if isinstance(message, str):
        localized["message"] = translate(
            message,
            locale,
            code if isinstance(code, str) else None,
            ctx if isinstance(ctx, dict) else None,
        )
    return localized


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    """The key under which `headers` holds `name`, whatever its case."""
    return next((key for key in headers if key.lower() == name.lower()), None)


def install_locale(app: Chalice) -> None:
    """Every HTTP answer in the caller's language: error messages translated,
    `Content-Language` and `Vary: Accept-Language` set."""

    def localize(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        headers = getattr(event, "headers", None) or {}
        locale = choose_locale(headers.get("accept-language"), get_settings().default_locale)
        if response.status_code >= 400:
            response.body = localized_body(response.body, locale)
        if _header(response.headers, "Content-Language") is None:
            response.headers["Content-Language"] = locale
        vary = _header(response.headers, "Vary") or "Vary"
        existing = response.headers.get(vary, "")
        existing = ", ".join(existing) if isinstance(existing, list) else existing
        varies_on = [part.strip() for part in existing.split(",")]
        if "accept-language" not in {part.lower() for part in varies_on}:
            response.headers[vary] = ", ".join([*filter(None, varies_on), "Accept-Language"])
        return response

    # Chalice calls middleware in the order they were registered, the first one outermost.
    # This one must see the final error bodies, including those `install_error_handling`
    # rewrites from Chalice's own, so it goes first wherever it is installed.
    app.middleware_handlers.insert(0, (localize, "http"))
