"""/v1/me/export and DELETE /v1/me: a person takes their data, or erases their account.
Only ever the caller's own (docs/api.md, "Your data: export and erasure")."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib.api.answers.privacy import ErasingOut, ExportOut
from chalicelib.api.http import Answered, route
from chalicelib.domain.errors import LastAdmin
from chalicelib.domain.model import Caller
from chalicelib.domain.privacy import readme
from chalicelib.services import privacy

blueprint = Blueprint(__name__)

ZIP = "application/zip"


class ExportQuery(BaseModel):
    """How the export comes."""

    format: Literal["json", "zip"] = Field(
        default="json",
        description="`json`: the document; `zip`: a file holding it (export.json) and "
        "README.txt, which says what each section is, in your language.",
    )


@route(
    blueprint,
    "/me/export",
    methods=["GET"],
    query=ExportQuery,
    answers={200: ExportOut},
    locale=True,
    also_media_types=(ZIP,),
)
def export_me(caller: Caller, query: ExportQuery, locale: str) -> ExportOut | Response:
    """Everything the Hub holds about you: profile, settings, associations and roles,
    grants, follows, invitations you created, join requests, comments with their earlier
    versions, reactions, flags, ballots (a secret ballot's choice never: only that, and
    when, you voted), notifications, blocks of you, and the audit entries of what you did.

    `?format=zip` (with `Accept: application/zip`: API Gateway sends a binary answer only
    to a request that accepts it): the same as a file to download,
    `hub-export-<date>.zip`, holding `export.json` and `README.txt`."""
    answer = ExportOut.of_export(privacy.export(caller))
    if query.format == "json":
        return answer
    document = answer.model_dump(mode="json", exclude_unset=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as written:
        written.writestr("export.json", json.dumps(document, ensure_ascii=False, indent=2))
        written.writestr("README.txt", readme(locale, document["generated_at"]))
    day = document["generated_at"][:10]
    return Response(
        body=archive.getvalue(),
        headers={
            "Content-Type": ZIP,
            "Content-Disposition": f'attachment; filename="hub-export-{day}.zip"',
            "Cache-Control": "no-store",
        },
    )


@route(
    blueprint,
    "/me",
    methods=["DELETE"],
    answers={204: None, 202: ErasingOut},
    errors=(LastAdmin,),
)
def erase_me(caller: Caller) -> Answered | None:
    """Erase your account. Your profile, settings, memberships, grants, follows,
    notifications, reactions, flags, join requests, invitations you created and ballots in
    debates still open go; your comments stay in their threads as a deleted member's, with
    no text; ballots in closed debates stay counted under a random pseudonym; audit entries
    keep a pseudonym instead of your id. 409 `last_admin` (nothing changed) while you are
    the only admin of an association: name another admin first.

    204 once everything is erased, and to every later call. 202 `{"status": "erasing"}`
    when the work took longer than one request may: call again to go on."""
    if privacy.erase(caller):
        return None
    return Answered(202, ErasingOut(status="erasing"))
