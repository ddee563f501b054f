"""Your data: take it (/v1/me/export), or erase your account (DELETE /v1/me).

Only ever the caller's own (docs/api.md, "Your data: export and erasure")."""

from __future__ import annotations

import io
import json
import zipfile

from chalice import Blueprint, Response

from chalicelib.api.answers.privacy import ErasingOut, ExportOut
from chalicelib.api.http import Answered, route
from chalicelib.domain.errors import BinaryNotAccepted, LastAdmin
from chalicelib.domain.model import Caller
from chalicelib.domain.privacy import readme
from chalicelib.services import privacy

blueprint = Blueprint(__name__)

ZIP = "application/zip"


@route(
    blueprint,
    "/me/export",
    methods=["GET"],
    answers={200: ExportOut},
    errors=(BinaryNotAccepted,),
    locale=True,
    formats=(ZIP,),
)
def export_me(caller: Caller, media_type: str, locale: str) -> ExportOut | Response:
    """Everything the Hub holds about you (docs/api.md, "Your data").

    `?format=zip` or `Accept: application/zip`: export.json and README.txt."""
    answer = ExportOut.of_export(privacy.export(caller))
    if media_type != ZIP:
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
    """Erase your account (docs/api.md, "Your data").

    204: erased (again: 204). 202: call again to go on. 409 `last_admin`: hand over first."""
    if privacy.erase(caller):
        return None
    return Answered(202, ErasingOut(status="erasing"))
