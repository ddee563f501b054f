"""Every answer the tests receive is checked against the OpenAPI document: its status must be
one the route documents, its body must match the documented schema (no undocumented field),
and a refusal's code must be one the route documents (`x-error-codes`, on the operation or on
the shared response it refers to). The whole API suite thereby tests the contract."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from chalicelib.api import contract
from chalicelib.domain.errors import HubError


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile("[^/]+".join(map(re.escape, re.split(r"\{\w+\}", path))) + "$"), path)
        for path in contract.document()["paths"]
    ]


@cache
def _declared() -> set[tuple[str, str]]:
    return {(op.method, op.full_path) for op in contract.every_operation() if op.answers}


def response_of(operation: dict[str, Any], status: str) -> dict[str, Any]:
    """The documented response, its reference to components/responses followed."""
    response = operation["responses"][status]
    if "$ref" in response:
        name = response["$ref"].removeprefix("#/components/responses/")
        response = contract.document()["components"]["responses"][name]
    return response


def status_of_codes(root: type[HubError] = HubError) -> dict[str, int]:
    """Each error code of the catalogue, with the one status it is always answered with."""
    found = {root.code: root.status}
    for child in root.__subclasses__():
        found |= status_of_codes(child)
    return found


def error_codes(operation: dict[str, Any], status: str) -> set[str]:
    """The codes an operation documents under an error status: those of its own list and of
    the shared response it refers to (every operation answering that status may answer
    them) that the catalogue answers with that status."""
    listed = set(operation.get(contract.ERROR_CODES, []))
    listed |= set(response_of(operation, status).get(contract.ERROR_CODES, []))
    statuses = status_of_codes()
    return {code for code in listed if statuses.get(code) == int(status)}


@cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator | None:
    document = contract.document()
    response = response_of(document["paths"][path][method], status)
    content = response.get("content", {})
    if "application/json" not in content:
        return None
    schema = dict(content["application/json"]["schema"], components=document["components"])
    return Draft202012Validator(schema)


def template_of(path: str) -> str | None:
    path = path.partition("?")[0]
    matches = [template for pattern, template in _templates() if pattern.match(path)]
    # A literal segment beats a parameter: /v1/openapi.json is not /v1/{anything}.
    return min(matches, key=lambda t: t.count("{")) if matches else None


def check(method: str, path: str, status: int, body: str | bytes | None) -> None:
    """Fail when the answer breaks the documented contract of its route."""
    template = template_of(path)
    if template is None or (method, template) not in _declared():
        return  # no such route (API Gateway answers it) or not declared yet
    operation = contract.document()["paths"][template][method.lower()]
    documented = operation["responses"]
    where = f"{method} {path} answered {status}"
    assert str(status) in documented, f"{where}, which its contract does not list: {body!r}"
    if status == 204:
        assert not body, f"{where} with a body"
        return
    if isinstance(body, bytes) and body.startswith(b"PK\x03\x04"):  # a zip archive
        content = response_of(operation, str(status)).get("content", {})
        assert "application/zip" in content, f"{where} with a zip its contract does not list"
        return
    validator = _validator(template, method.lower(), str(status))
    if validator is None or _a_documented_file(operation, status, body):
        return
    data = json.loads(body) if body else None
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not problems, f"{where} with a body its contract refuses: " + "; ".join(
        f"{'/'.join(map(str, p.absolute_path)) or 'body'}: {p.message}" for p in problems[:5]
    )
    if status >= 400:
        code = data["error"]["code"]
        documented_codes = error_codes(operation, str(status))
        assert code in documented_codes, (
            f"{where} with the code {code!r}, which its contract does not list: "
            f"{sorted(documented_codes)}"
        )


def _a_documented_file(operation: dict[str, Any], status: int, body: str | bytes | None) -> bool:
    """A success sent as a file (`text/csv`) where the route documents one beside JSON: a
    body that is not JSON, for a route whose answer may be something else."""
    content = response_of(operation, str(status)).get("content", {})
    if status >= 300 or set(content) <= {"application/json"}:
        return False
    try:
        json.loads(body or b"")
    except ValueError:
        return True
    return False


def check_all(method: str, path: str, response: Any) -> None:
    check(method, path, response.status_code, response.body)
