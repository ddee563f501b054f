"""Route modules load on the first request that needs them (chalicelib/api/routes.py): a cold
start imports none of them, nor the answer and body models; the app still serves every route
of the index, which is what the decorators declare; the first requests, even two at once,
answer as every later one does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from app import app
from chalicelib.api import fallback, routes

ROOT = Path(__file__).resolve().parents[2]
LAZY = (
    *(f"chalicelib.api.{name}" for name in routes.MODULES),
    "chalicelib.api.answers",
    "chalicelib.api.schemas",
)


def among(imported: list[str], packages: tuple[str, ...]) -> list[str]:
    """The modules of `imported` that are one of `packages` or inside one."""
    inside = tuple(f"{package}." for package in packages)
    return [name for name in imported if name in packages or name.startswith(inside)]


def fresh(script: str) -> str:
    """The last line `script` prints (the app's request lines come before it), run in a new
    process on the local stage: a cold start."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=dict(os.environ),  # tests/conftest.py's: the local stage
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_importing_the_app_imports_no_route_module_nor_any_answer_or_body_model():
    imported = json.loads(
        fresh("""
            import json, sys
            import app
            print(json.dumps(sorted(sys.modules)))
        """)
    )
    assert "app" in imported and "chalicelib.api.routes" in imported
    assert among(imported, LAZY) == []


def test_importing_the_app_imports_no_job_service_store_or_token_verifier():
    """The middleware and the placeholders of the API; the services, the store (botocore,
    PynamoDB) and the token verifier load with the first request that uses them, the jobs'
    handlers only in their own functions (chalicelib/jobs/)."""
    imported = json.loads(
        fresh("""
            import json, sys
            import app
            print(json.dumps(sorted(sys.modules)))
        """)
    )
    eager = (
        "chalicelib.jobs",
        "chalicelib.services",
        "chalicelib.store",
        "chalicelib.auth",
        "pynamodb",
        "jwt",
    )
    assert among(imported, eager) == []


def test_the_committed_index_is_what_the_route_modules_declare():
    declared = routes.declared()
    assert routes.index() == declared, "run `make openapi` and commit chalicelib/api/routes.json"
    assert routes.INDEX.read_text(encoding="utf-8") == routes.render(declared)
    assert sum(len(module) for module in declared.values()) > 50


def test_the_app_serves_the_routes_of_the_index_by_their_names():
    routes.load_all()
    served = sorted(
        (entry.method, path, entry.view_name, entry.view_function.__module__)
        for path, methods in app.routes.items()
        for entry in methods.values()
        if not fallback.is_fallback(entry)
    )
    indexed = sorted(
        (method, "/v1" + path.rstrip("/"), name, f"chalicelib.api.{module}")
        for module, declared in routes.index().items()
        for method, path, name, *_ in declared
    )
    assert served == indexed


def test_a_placeholder_is_registered_as_its_route_is():
    """What `chalice package` writes of a route (API Gateway's definition) and what Chalice
    checks before a view runs (content types) are the same before its module loads."""
    before = json.loads(
        fresh("""
            import json
            from app import app
            print(json.dumps({
                f"{method} {path}": [
                    entry.view_name, entry.uri_pattern, entry.view_args, entry.content_types,
                    repr(entry.cors), repr(entry.authorizer), entry.api_key_required,
                ]
                for path, methods in app.routes.items() for method, entry in methods.items()
            }))
        """)
    )
    routes.load_all()
    after = {
        f"{method} {path}": [
            entry.view_name,
            entry.uri_pattern,
            entry.view_args,
            entry.content_types,
            repr(entry.cors),
            repr(entry.authorizer),
            entry.api_key_required,
        ]
        for path, methods in app.routes.items()
        for method, entry in methods.items()
    }
    assert list(before) == list(after)  # the same routes, in the same order
    assert before == after


def test_a_request_loads_its_route_module_only_and_answers():
    loaded = json.loads(
        fresh("""
            import json, sys
            from chalice.test import Client
            from app import app
            with Client(app) as client:
                page = client.http.get("/v1/docs")
                head = client.http.request("HEAD", "/v1/docs/reference.js")
                refused = client.http.post("/v1/docs")
            print(json.dumps({
                "statuses": [page.status_code, head.status_code, refused.status_code],
                "page": page.body.decode()[:15],
                "allow": {k.lower(): v for k, v in refused.headers.items()}.get("allow"),
                "loaded": sorted(name for name in sys.modules if name.startswith("chalicelib.")),
            }))
        """)
    )
    assert loaded["statuses"] == [200, 200, 405]
    assert loaded["page"] == "<!doctype html>"
    assert loaded["allow"] == "GET, HEAD"
    assert among(loaded["loaded"], LAZY) == ["chalicelib.api.reference"]


def test_the_first_requests_to_a_module_answer_even_two_at_once():
    """`chalice local` answers on threads: a request arriving while another loads the module
    (its placeholders already gone, its blueprint not yet in place) waits, then answers."""
    answers = json.loads(
        fresh("""
            import json, threading, time
            from chalice.test import Client
            from app import app

            registering = threading.Event()
            register_blueprint = app.register_blueprint

            def slowly(*args, **kwargs):
                registering.set()
                time.sleep(0.3)  # the placeholders are gone, the views not there yet
                return register_blueprint(*args, **kwargs)

            app.register_blueprint = slowly
            answers = {}

            def ask(method, path):
                with Client(app) as client:
                    answer = client.http.request(method, path)
                answers[f"{method} {path}"] = [answer.status_code, len(answer.body)]

            first = threading.Thread(target=ask, args=("GET", "/v1/docs/swagger-ui.css"))
            first.start()
            registering.wait(10)
            others = [
                threading.Thread(target=ask, args=(method, path))
                for method, path in [("GET", "/v1/docs"), ("HEAD", "/v1/docs/reference.js")]
            ]
            for thread in others:
                thread.start()
            for thread in (first, *others):
                thread.join(10)
            print(json.dumps(answers))
        """)
    )
    assert answers["GET /v1/docs/swagger-ui.css"][0] == 200
    assert answers["GET /v1/docs"][0] == 200
    assert answers["HEAD /v1/docs/reference.js"] == [200, 0]


def test_the_document_a_fresh_app_serves_has_every_operation():
    served = json.loads(
        fresh("""
            from chalice.test import Client
            from app import app
            with Client(app) as client:
                print(client.http.get("/v1/openapi.json").body.decode())
        """)
    )
    assert served == json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))


def test_a_route_module_that_fails_to_load_answers_500_with_every_header_then_loads_later():
    """A module that cannot be imported (a dependency missing from the bundle) fails its own
    routes only, answered as any unexpected error is: the middleware around them still gives
    CORS, language and no-store headers, the log line holds the stack without the message."""
    seen = json.loads(
        fresh("""
            import contextlib, importlib, io, json, sys
            from chalice.test import Client
            import app

            real = importlib.import_module
            def failing(name, *args):
                if name == "chalicelib.api.reference":
                    raise ImportError("no module named " + "sentinel-" + "4242")
                return real(name, *args)

            importlib.import_module = failing
            headers = {"Origin": "http://127.0.0.1:8000", "Accept-Language": "fr"}
            printed = io.StringIO()
            with Client(app.app) as client:
                with contextlib.redirect_stdout(printed):
                    broken = client.http.get("/v1/openapi.json", headers=headers)
                importlib.import_module = real
                later = client.http.get("/v1/openapi.json", headers=headers)
            print(json.dumps({
                "broken": [broken.status_code, dict(broken.headers), broken.body.decode()],
                "later": later.status_code,
                "lines": [json.loads(line) for line in printed.getvalue().splitlines()],
            }))
        """)
    )
    status, headers, body = seen["broken"]
    assert status == 500
    assert json.loads(body)["error"]["code"] == "internal_error"
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert headers["Content-Language"] == "fr"
    [line] = [line for line in seen["lines"] if line["message"] == "request"]
    assert (line["status"], line["Code"], line["exception"]) == (
        500,
        "internal_error",
        "ImportError",
    )
    assert "in failing" in line["stack"] and "sentinel-4242" not in json.dumps(seen["lines"])
    assert seen["later"] == 200
