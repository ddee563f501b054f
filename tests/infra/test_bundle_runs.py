"""The trimmed bundle runs on its own: unzipped, with no site-packages, it imports the app,
checks a signed token and creates the clients the Hub calls, on the botocore the tests ran
with; what `infra.package.trim_bundle` dropped is absent."""

from __future__ import annotations

import importlib.util
import json
import platform
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from infra import package
from infra.package import BOTOCORE_SERVICES, PACKAGING_ENVIRONMENT
from tests.infra.packaged import packaged

# Run by `python -S` (no site module, so no site-packages) in the unzipped bundle. argv:
# the bundle's directory, the handlers to find, then the services to create clients for.
IN_THE_BUNDLE = """
import importlib, json, sys
bundle, handlers, services = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
sys.path.insert(0, bundle)
import app
from chalicelib.api import routes

routes.load_all()  # every route module, its answers, schemas and services
resource = "/v1/openapi.json"
served = app.app({
    "resource": resource, "path": resource, "httpMethod": "GET", "headers": {},
    "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
    "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": resource, "httpMethod": "GET", "requestId": "bundle"},
}, None)["statusCode"]
import botocore
import botocore.session
import jwt
from botocore.exceptions import UnknownServiceError
from cryptography.hazmat.primitives.asymmetric import ec

key = ec.generate_private_key(ec.SECP256R1())
token = jwt.encode({"sub": "u"}, key, algorithm="ES256")
checked = jwt.decode(token, key.public_key(), algorithms=["ES256"])["sub"] == "u"

session = botocore.session.get_session()
def client(service):
    return session.create_client(
        service,
        region_name="eu-west-3",
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
created = sorted(client(service).meta.service_model.service_name for service in services)
try:
    client("ec2")
    unknown = None
except UnknownServiceError:
    unknown = "ec2"
print(json.dumps({
    "handlers": [
        name for name in handlers
        if callable(getattr(importlib.import_module(name.rpartition(".")[0]),
                            name.rpartition(".")[2], None))
    ],
    "token_checked": checked,
    "served": served,
    "clients": created,
    "unknown_service": unknown,
    "botocore": botocore.__version__,
    "outside_the_bundle": sorted(
        name for name, module in sys.modules.items()
        if name.split(".")[0] in {"app", "chalicelib", "botocore", "pynamodb", "jwt",
                                  "cryptography", "pydantic", "pydantic_core"}
        and not (getattr(module, "__file__", None) or bundle).startswith(bundle)
    ),
    "site_packages": [path for path in sys.path if "site-packages" in path],
}))
"""


def bundle_handlers() -> list[str]:
    """The handlers the template's functions run (`module.function`), for those whose code
    is the bundle."""
    return [
        function["Properties"]["Handler"]
        for function in packaged().functions.values()
        if str(function["Properties"].get("CodeUri", "")).endswith("deployment.zip")
    ]


def test_the_bundle_targets_this_interpreter():
    # Chalice builds for the Python that packages (the template's Runtime) and for Lambda's
    # x86_64 Linux: the test below imports its compiled extensions here.
    runtimes = {f["Properties"]["Runtime"] for f in packaged().functions.values()}
    assert runtimes == {f"python{sys.version_info.major}.{sys.version_info.minor}"}
    with zipfile.ZipFile(packaged().bundle_path) as archive:
        extensions = [name for name in archive.namelist() if name.endswith(".so")]
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}-x86_64-linux-gnu.so"
    assert any(name.endswith(tag) for name in extensions), extensions


def test_the_bundle_keeps_botocore_data_only_for_the_services_the_hub_calls():
    with zipfile.ZipFile(packaged().bundle_path) as archive:
        names = set(archive.namelist())
    services = {
        name.split("/")[2]
        for name in names
        if name.startswith("botocore/data/") and name.count("/") > 2
    }
    assert services == BOTOCORE_SERVICES
    assert {"dynamodb", "dynamodbstreams", "sqs", "sesv2"} <= services  # sqs, sesv2: notifications
    assert "botocore/data/dynamodb/2012-08-10/service-2.json.gz" in names
    assert not any(name.startswith("botocore/data/ec2/") for name in names)
    # what every client reads, whatever its service
    shared = {"endpoints.json", "partitions.json", "sdk-default-configuration.json", "_retry.json"}
    assert {f"botocore/data/{name}" for name in shared} <= names
    assert not any(name.endswith(".pyi") for name in names)
    # each module's bytecode, for the runtime's Python only (the working copy's never)
    tag = sys.implementation.cache_tag
    cached = {name for name in names if "__pycache__/" in name}
    assert cached
    for name in cached:
        folder, _, file = name.partition("__pycache__/")
        assert file.endswith(f".{tag}.pyc"), name
        assert f"{folder}{file.removesuffix(f'.{tag}.pyc')}.py" in names, name
    assert f"chalicelib/api/__pycache__/http.{tag}.pyc" in names


def test_every_service_the_code_creates_a_client_for_keeps_its_data():
    """A client the bundle has no data for fails in the cloud only (UnknownServiceError)."""
    root = Path(package.__file__).resolve().parent.parent / "chalicelib"
    named = {
        service
        for module in root.rglob("*.py")
        for service in re.findall(r"create_client\(\s*[\"'](\w+)[\"']", module.read_text())
    }
    assert named <= BOTOCORE_SERVICES, named - BOTOCORE_SERVICES


def test_each_modules_bytecode_is_of_its_source_as_shipped():
    # Unchecked bytecode is used without looking at the source: it must be the source's.
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(packaged().bundle_path) as archive:
        names = set(archive.namelist())
        for name in (n for n in names if n.endswith(f".{tag}.pyc")):
            folder, _, file = name.partition("__pycache__/")
            source = archive.read(f"{folder}{file.removesuffix(f'.{tag}.pyc')}.py")
            cached = archive.read(name)
            assert cached[:4] == importlib.util.MAGIC_NUMBER, name
            assert int.from_bytes(cached[4:8], "little") == 0b01, name  # hash-based, unchecked
            assert cached[8:16] == importlib.util.source_hash(source), name
    assert f"botocore-{metadata.version('botocore')}.dist-info/METADATA" in names


@pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64",
    reason="the bundle's compiled extensions are built for Lambda's x86_64 Linux",
)
def test_the_unzipped_bundle_alone_imports_the_app_and_creates_the_hubs_clients(tmp_path):
    bundle = tmp_path / "task"
    with zipfile.ZipFile(packaged().bundle_path) as archive:
        archive.extractall(bundle)
    handlers = bundle_handlers()
    assert "app.app" in handlers  # the API's; the others run the stream and the schedule
    services = sorted(BOTOCORE_SERVICES)
    environment = {
        **PACKAGING_ENVIRONMENT,
        "HOME": str(tmp_path),  # no ~/.aws of whoever runs the tests
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's code directory is read-only
    }
    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "-v",  # says where each module's code comes from
            "-c",
            IN_THE_BUNDLE,
            str(bundle),
            ",".join(handlers),
            ",".join(services),
        ],
        cwd=bundle,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["site_packages"] == []
    assert seen["outside_the_bundle"] == []
    assert seen["handlers"] == handlers
    assert seen["token_checked"] is True
    assert seen["served"] == 200  # with every route module loaded from the bundle
    assert seen["clients"] == services
    # a service the Hub does not call has no data in the bundle: add it to BOTOCORE_SERVICES
    assert seen["unknown_service"] == "ec2"
    assert seen["botocore"] == metadata.version("botocore")
    # every module came from the bundle's bytecode: a cold start compiles nothing
    compiled = [
        line for line in run.stderr.splitlines() if re.search(r"code object from .*\.py'", line)
    ]
    assert compiled == []
    assert (
        f"code object from '{bundle}/__pycache__/app.{sys.implementation.cache_tag}.pyc'"
        in run.stderr
    )


def test_packaging_refuses_a_kept_service_botocore_has_no_data_for(tmp_path, monkeypatch):
    bundle = tmp_path / "deployment.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("botocore/data/endpoints.json", "{}")
        archive.writestr("botocore/data/dynamodb/2012-08-10/service-2.json.gz", "")
        archive.writestr("botocore/data/ec2/2016-11-15/service-2.json.gz", "")
    before = bundle.read_bytes()
    monkeypatch.setattr(package, "BOTOCORE_SERVICES", frozenset({"dynamodb", "dynamo-db-streams"}))
    with pytest.raises(SystemExit, match="dynamo-db-streams"):
        package.trim_bundle(bundle)
    assert bundle.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deployment.zip"]
