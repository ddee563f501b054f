"""Build the deployable template and bundle: `make package` (python -m infra.package [DIR]).

`chalice package` writes the functions, the API, the stream trigger and the schedule;
infra/template.yaml is merged into it (the table, roles, logs, alarms, parameters, the web
client's bucket and distribution, the sign-in), every path of the API is given its CORS
preflight (`add_preflights`), and the API's integrations name its function without a
reference (`name_the_api_function`). The web client is copied to `DIR/web/` (`copy_web`).
The bundle Chalice writes is then trimmed (`trim_bundle`): botocore keeps the data of the
services the Hub calls only (`BOTOCORE_SERVICES`). The result, `DIR/sam.yaml`,
`DIR/deployment.zip` and `DIR/web/`, is checked with cfn-lint before this exits; `make
deploy` (infra/deploy.sh) uploads it.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

import yaml

from chalicelib.api.cors import preflight_headers

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "template.yaml"
WEB = ROOT / "web"
STAGE = "cloud"

# Chalice imports app.py to find the functions, and app.py refuses an invalid configuration.
# These values only let that import succeed: none of them reaches the template, where the
# settings come from the stack's parameters and resources (see Globals in template.yaml).
PACKAGING_ENVIRONMENT = {
    "HUB_STAGE": STAGE,
    "HUB_TABLE": "set-by-the-stack",
    "HUB_JWT_ISSUER": "set-by-the-stack",
    "HUB_JWKS_URL": "https://set-by-the-stack.invalid/jwks",
    "HUB_CURSOR_SECRET": "set-by-the-stack-never-a-real-cursor-secret",
    "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-3"),
}
# What every function's environment holds beside the Hub's settings (Globals in
# template.yaml, checked by tests/infra): pydantic looks for plugins among the installed
# distributions' entry points when it builds its first model, 2 ms of each cold start, and
# the Hub uses none.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}
# The AWS services the functions call, by botocore's name for them (botocore/data/<name>/).
# The bundle keeps their data and drops that of the 400-odd others: 16 MB of the 26 MB
# zipped (botocore 1.44.8). A client for a service missing here cannot be created in the
# cloud (UnknownServiceError): a change that calls another service adds it here, one line.
BOTOCORE_SERVICES = frozenset(
    {
        "dynamodb",  # the table (PynamoDB)
        # The table's stream: today its records reach the tally consumer and the notifier
        # through Lambda's trigger, no call; kept (14 kB) for consumers that read it themselves.
        "dynamodbstreams",
        "sqs",  # the notifications queue: the notifier, the deliverer and the schedule send to it
        "sesv2",  # the deliverer's emails (chalicelib/mail/send.py: SES v2 SendEmail)
    }
)
PASSED_THROUGH = ("PATH", "HOME", "TMPDIR", "LANG", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")
_PLACEHOLDER = re.compile(r"{{(locale|errors\.[a-z_]+)}}")


def default_locale(environ: Mapping[str, str] = os.environ) -> str:
    """The deployment's default language: HUB_DEFAULT_LOCALE when packaging, else the
    settings' default."""
    from chalicelib.settings import Locale, Settings

    locale = environ.get("HUB_DEFAULT_LOCALE") or Settings.model_fields["default_locale"].default
    if locale not in get_args(Locale):
        raise SystemExit(f"HUB_DEFAULT_LOCALE must be one of {get_args(Locale)}, not {locale!r}")
    return str(locale)


def merge_template(locale: str) -> str:
    """infra/template.yaml in `locale`: what API Gateway answers itself cannot negotiate a
    language, so it speaks the deployment's default one. `{{locale}}` is the language,
    `{{errors.<code>}}` the catalogue's message for that code, as a JSON string."""
    from chalicelib import messages

    def fill(placeholder: re.Match[str]) -> str:
        name = placeholder[1]
        if name == "locale":
            return locale
        return json.dumps(messages.render(locale, "errors", name.removeprefix("errors.")))

    return _PLACEHOLDER.sub(fill, MERGE_TEMPLATE.read_text())


def tool(name: str) -> str:
    """A console script of the virtualenv this runs in."""
    return str(Path(sys.executable).parent / name)


def package(out: Path) -> Path:
    """Package into `out` (emptied first); returns the template's path."""
    if out.exists():
        shutil.rmtree(out)
    environment = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    environment.update(PACKAGING_ENVIRONMENT)
    with tempfile.TemporaryDirectory(prefix="hub-merge-") as workspace:
        merge = Path(workspace) / "template.yaml"
        merge.write_text(merge_template(default_locale()))
        _chalice_package(merge, out, environment)
    template = out / "sam.yaml"
    if not template.is_file():
        raise SystemExit(f"chalice package wrote no {template}")
    packaged = yaml.safe_load(template.read_text())
    add_preflights(packaged)
    name_the_api_function(packaged)
    template.write_text(yaml.safe_dump(packaged, sort_keys=False, allow_unicode=True))
    trim_bundle(out / "deployment.zip")
    copy_web(out / "web")
    return template


def copy_web(destination: Path) -> None:
    """The web client as the distribution serves it: web/ as it is (no build step), without
    hidden files or editor leftovers. The local stage's sign-in lives in local/dev/, never
    here; `make deploy` adds config.json, which says how to sign in in the cloud."""
    shutil.copytree(
        WEB,
        destination,
        ignore=shutil.ignore_patterns(".*", "*~", "*.swp", "__pycache__", "config.json"),
    )


# What Chalice writes for each API integration, and what it becomes (see below).
_FUNCTION_BY_REFERENCE = "${APIHandler.Arn}"
_FUNCTION_BY_NAME = (
    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-api"
)


def name_the_api_function(template: dict[str, Any]) -> None:
    """Make the API's integrations name the API function by its name (infra/template.yaml
    names it `<stack>-api`) rather than by a reference to it.

    The sign-in makes a loop otherwise: the function's settings hold the web client's id
    (the ID tokens' `aud`), the client holds its callback URL on the distribution, the
    distribution sends /v1/* to the API, and the API referred to the function. Named, the API
    only needs the function at run time, as it needs its invoke permission; CloudFormation
    creates them in the same deployment."""
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    for operations in paths.values():
        for operation in operations.values():
            uri = operation.get("x-amazon-apigateway-integration", {}).get("uri")
            if isinstance(uri, dict) and _FUNCTION_BY_REFERENCE in uri.get("Fn::Sub", ""):
                uri["Fn::Sub"] = uri["Fn::Sub"].replace(_FUNCTION_BY_REFERENCE, _FUNCTION_BY_NAME)


def _chalice_package(merge: Path, out: Path, environment: dict[str, str]) -> None:
    """`chalice package`, one at a time in this checkout: Chalice keeps the bundle it builds
    in `.chalice/deployments/` and reuses it, so a second packaging at once (two test
    workers, or `make package` during the tests) would read a half-written zip."""
    lock_path = ROOT / ".chalice" / "deployments" / ".package.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        _run_chalice_package(merge, out, environment)


def _run_chalice_package(merge: Path, out: Path, environment: dict[str, str]) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.chalice_cli",  # `chalice`, every route loaded first
            "package",
            "--stage",
            STAGE,
            "--merge-template",
            str(merge),
            str(out),
        ],
        cwd=ROOT,
        env=environment,
        check=True,
    )


# The mock integration's answer to a preflight: `Access-Control-Allow-Origin` is the request's
# `Origin` when the stack's WebOrigins lists it (a comma-separated list, see template.yaml),
# and absent otherwise, as chalicelib/api/cors.py answers locally. Velocity, run by API
# Gateway on the integration response; `${WebOrigins}` is CloudFormation's (Fn::Sub).
PREFLIGHT_ORIGIN = """\
#set($origin = $input.params().header.get('Origin'))
#if("$!origin" == "")#set($origin = $input.params().header.get('origin'))#end
#if("$!origin" != "" && !$origin.contains(",") && ",${WebOrigins},".contains(",$origin,"))
#set($context.responseOverride.header.Access-Control-Allow-Origin = "$origin")
#end
"""


def add_preflights(template: dict[str, Any]) -> None:
    """Give every path of the API an OPTIONS method answered by API Gateway itself (a mock
    integration: no function runs, so no cold start), with the methods the path serves and
    the headers the Hub accepts. Chalice's own (from a CORSConfig) could only name one
    origin for everyone; the Hub configures none and answers here instead."""
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    for operations in paths.values():
        methods = [method.upper() for method in operations if method != "options"]
        static = preflight_headers(None, methods, ())
        headers = [*static, "Access-Control-Allow-Origin"]
        operations["options"] = {
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "responses": {
                "200": {
                    "description": "CORS preflight",
                    "headers": {name: {"type": "string"} for name in headers},
                }
            },
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "passthroughBehavior": "when_no_match",
                "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {
                    "default": {
                        "statusCode": "200",
                        "responseParameters": {
                            f"method.response.header.{name}": f"'{value}'"
                            for name, value in static.items()
                        },
                        "responseTemplates": {"application/json": {"Fn::Sub": PREFLIGHT_ORIGIN}},
                    }
                },
            },
        }


def ships(path: str) -> bool:
    """Whether the bundle keeps this path of what Chalice bundled. Dropped, as never read in
    Lambda: botocore's data for services the Hub does not call (the top-level files,
    endpoints.json, partitions.json, _retry.json..., stay: every client reads them);
    __pycache__/ (the working copy's bytecode under chalicelib/, compiled for other file
    times, so Python ignores it, and it cannot write any in Lambda); *.pyi type stubs."""
    parts = path.split("/")
    if parts[:2] == ["botocore", "data"] and len(parts) > 3:
        return parts[2] in BOTOCORE_SERVICES
    return "__pycache__" not in parts and not path.endswith(".pyi")


def bytecode(path: str, source: bytes) -> tuple[str, bytes] | None:
    """The bytecode of the module at `path` in the bundle, as Python caches it
    (`__pycache__/<name>.<tag>.pyc`), or None for a file that does not compile.

    Lambda's code directory is read-only: without bytecode in the bundle, every cold start
    compiles every module it imports from source (importing the API took 0.75 s of CPU,
    0.27 s with bytecode; bench/coldstart.py). The bytecode is "unchecked": Python uses it
    without comparing the source's date, which unzipping does not keep to the second. It is
    compiled by the Python that packages, the template's runtime (tests/infra checks both)."""
    try:
        code = compile(source, path, "exec", dont_inherit=True, optimize=0)  # asserts kept
    except (SyntaxError, ValueError):
        return None
    folder, _, name = path.rpartition("/")
    cached = f"{folder}/__pycache__/" if folder else "__pycache__/"
    cached += f"{name.removesuffix('.py')}.{sys.implementation.cache_tag}.pyc"
    flags = 0b01  # hash-based, unchecked (PEP 552)
    header = importlib.util.MAGIC_NUMBER + flags.to_bytes(4, "little")
    return cached, header + importlib.util.source_hash(source) + marshal.dumps(code)


def trim_bundle(bundle: Path) -> None:
    """Rewrite `bundle` with what it `ships` only, each file as Chalice wrote it (name, mode,
    date), with the bytecode of each module (`bytecode`), deflated at zlib's highest level;
    fail if a service of BOTOCORE_SERVICES has no data (a misspelt name)."""
    trimmed = bundle.with_suffix(".trimming")
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(trimmed, "w") as target:
        for entry in source.infolist():
            if ships(entry.filename):
                content = source.read(entry)
                target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
                compiled = entry.filename.endswith(".py") and bytecode(entry.filename, content)
                if compiled:
                    cached = zipfile.ZipInfo(compiled[0], date_time=entry.date_time)
                    cached.external_attr = entry.external_attr
                    target.writestr(
                        cached, compiled[1], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
                    )
        kept = {
            name.split("/")[2]
            for name in target.namelist()
            if name.startswith("botocore/data/") and name.count("/") > 2
        }
    if kept != BOTOCORE_SERVICES:
        trimmed.unlink()
        raise SystemExit(f"botocore has no data for {sorted(BOTOCORE_SERVICES - kept)}")
    trimmed.replace(bundle)


def lint(template: Path) -> None:
    subprocess.run([tool("cfn-lint"), str(template)], check=True)


def bundle_size(bundle: Path) -> tuple[int, int, int]:
    """(bytes zipped, bytes unzipped, files) of a deployment bundle."""
    with zipfile.ZipFile(bundle) as archive:
        entries = archive.infolist()
    return bundle.stat().st_size, sum(e.file_size for e in entries), len(entries)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build"
    template = package(out.resolve())
    lint(template)
    zipped, unzipped, files = bundle_size(out / "deployment.zip")
    print(f"{template}: cfn-lint passed")
    print(
        f"{out / 'deployment.zip'}: {zipped / 1e6:.1f} MB zipped, "
        f"{unzipped / 1e6:.1f} MB unzipped (Lambda's limit: 250 MB), {files} files"
    )
    web = [p for p in (out / "web").rglob("*") if p.is_file()]
    print(f"{out / 'web'}: the web client, {len(web)} files (make deploy adds config.json)")


if __name__ == "__main__":
    main()
