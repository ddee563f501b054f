"""A person's own data: the export's vocabulary (its format, its README) and the erasure's
pseudonyms. Plain Python: services/privacy.py reads and rewrites, store/privacy.py talks to
the table.

A pseudonym replaces a person's id where what they did must stay (an audit entry, a
comment's place in a thread, a ballot counted in a closed debate). It is random and kept
nowhere beside the id: once the erasure is done, nothing links the two.
"""

from __future__ import annotations

import secrets

EXPORT_FORMAT = "hub-export-1"
PSEUDONYM_PREFIX = "erased-"


def pseudonym() -> str:
    """A fresh pseudonym: "erased-" and 64 random bits in hex."""
    return PSEUDONYM_PREFIX + secrets.token_hex(8)


def is_pseudonym(user_id: str) -> bool:
    return user_id.startswith(PSEUDONYM_PREFIX)


# What each section of the export holds, for README.txt, in both languages.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "profile",
        "The name and language you chose on the Hub (null: never chosen).",
        "Le nom et la langue que vous avez choisis sur le Hub (null : jamais choisis).",
    ),
    (
        "reachability",
        "The email address and language the Hub reaches you with, from your sign-in.",
        "L'adresse électronique et la langue par lesquelles le Hub vous joint, d'après votre "
        "connexion.",
    ),
    (
        "preferences",
        "Your notification choices, by association (* for all) and kind.",
        "Vos choix de notifications, par association (* pour toutes) et par type.",
    ),
    (
        "read_before",
        "Every notification up to this one is marked read.",
        "Toutes les notifications jusqu'à celle-ci sont marquées comme lues.",
    ),
    (
        "memberships",
        "The associations you belong to, with your role and when you joined.",
        "Les associations dont vous êtes membre, votre rôle et la date d'adhésion.",
    ),
    (
        "grants",
        "The consultations you were given a role in without being a member.",
        "Les consultations où un rôle vous a été donné sans être membre.",
    ),
    ("follows", "The associations you follow.", "Les associations que vous suivez."),
    (
        "invitations_created",
        "The invitation codes you created, with their uses.",
        "Les codes d'invitation que vous avez créés, et leurs utilisations.",
    ),
    (
        "join_requests",
        "Your pending requests to join an association.",
        "Vos demandes d'adhésion en attente.",
    ),
    (
        "comments",
        "Your arguments and replies, with their earlier versions.",
        "Vos arguments et réponses, avec leurs versions antérieures.",
    ),
    ("reactions", "The comments you reacted to.", "Les commentaires auxquels vous avez réagi."),
    (
        "flags",
        "The comments you reported to moderators, and why.",
        "Les commentaires que vous avez signalés aux modérateurs, et pourquoi.",
    ),
    (
        "ballots",
        "Your ballots. For a secret ballot only that, and when, you voted: the Hub keeps no "
        "link between you and your choice.",
        "Vos bulletins. Pour un vote secret, seulement le fait et la date : le Hub ne garde "
        "aucun lien entre vous et votre choix.",
    ),
    ("notifications", "Your notifications in the app.", "Vos notifications dans l'application."),
    (
        "blocks",
        "The blocks moderators set on you (not who set them).",
        "Les blocages posés sur vous par des modérateurs (pas leur auteur).",
    ),
    (
        "audit_entries",
        "The entries of associations' audit logs recording what you did there.",
        "Les entrées des journaux d'audit des associations qui consignent ce que vous y avez fait.",
    ),
)

_README_INTRO = {
    "en": (
        "Your data on the Hub\n"
        "====================\n\n"
        "export.json holds everything the Hub keeps about you ({format}, made {at}).\n"
        "Times are UTC (ISO 8601). Its sections:\n"
    ),
    "fr": (
        "Vos données sur le Hub\n"
        "======================\n\n"
        "export.json contient tout ce que le Hub garde à votre sujet ({format}, produit le "
        "{at}).\nLes dates sont en UTC (ISO 8601). Ses rubriques :\n"
    ),
}


def readme(locale: str, generated_at: str) -> str:
    """README.txt of the export's archive, in French or English."""
    language = "fr" if locale.startswith("fr") else "en"
    lines = [_README_INTRO[language].format(format=EXPORT_FORMAT, at=generated_at)]
    for name, english, french in SECTIONS:
        lines.append(f"- {name}: {french if language == 'fr' else english}")
    return "\n".join(lines).replace(" :", "\u00a0:") + "\n"
