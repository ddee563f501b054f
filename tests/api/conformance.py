"""Every answer the tests receive is checked against the OpenAPI document: its status must be
one the route documents, its body must match the documented schema (no undocumented field,
no undocumented error code). The whole API suite thereby tests the contract."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from chalicelib.api import contract


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile("[^/]+".join(map(re.escape, re.split(r"\{\w+\}", path))) + "$"), path)
        for path in contract.document()["paths"]
    ]


@cache
def _declared() -> set[tuple[str, str]]:
    return {(op.method, op.full_path) for op in contract.OPERATIONS if op.answers}


@cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator | None:
    document = contract.document()
    response = document["paths"][path][method]["responses"][status]
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
    validator = _validator(template, method.lower(), str(status))
    if validator is None:
        return
    data = json.loads(body) if body else None
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not problems, f"{where} with a body its contract refuses: " + "; ".join(
        f"{'/'.join(map(str, p.absolute_path)) or 'body'}: {p.message}" for p in problems[:5]
    )


def check_all(method: str, path: str, response: Any) -> None:
    check(method, path, response.status_code, response.body)
