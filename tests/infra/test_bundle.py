"""The deployment bundle: every runtime dependency, nothing the developers alone need."""

from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.infra.packaged import packaged

ROOT = Path(__file__).resolve().parents[2]
# Chalice puts its own small runtime (the `chalice.app` module the handlers import) in the
# bundle; the rest of the chalice distribution stays out.
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py"}


def requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def closure(roots: list[Requirement]) -> set[str]:
    """The distributions `roots` need once installed, as this environment resolved them."""
    needed: set[str] = set()
    pending = [(root, frozenset(root.extras)) for root in roots]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in needed:
            continue
        needed.add(name)
        for raw in metadata.requires(requirement.name) or []:
            dependency = Requirement(raw)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if dependency.marker is None or any(
                dependency.marker.evaluate(environment) for environment in environments
            ):
                pending.append((dependency, frozenset(dependency.extras)))
    return needed


def bundled() -> tuple[set[str], set[str]]:
    """(distributions with metadata in the bundle, every path in it)."""
    with zipfile.ZipFile(packaged().bundle_path) as archive:
        names = set(archive.namelist())
    distributions = {
        canonicalize_name(path.split("/")[0].removesuffix(".dist-info").rsplit("-", 1)[0])
        for path in names
        if path.split("/")[0].endswith(".dist-info")
    }
    return distributions, names


def test_the_bundle_holds_every_runtime_dependency_and_the_app():
    runtime = closure(requirements(ROOT / "requirements.txt"))
    assert {"pynamodb", "pyjwt", "pydantic", "botocore", "cryptography"} <= runtime
    distributions, names = bundled()
    assert runtime <= distributions, runtime - distributions
    assert "app.py" in names
    in_package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "chalicelib").rglob("*.py")}
    assert in_package <= names, in_package - names
    # GET /v1/docs and what it loads are read from these at run time
    docs = (
        "index.html",
        "reference.js",
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
    )
    assert {f"chalicelib/api/docs/{name}" for name in docs} <= names
    catalogues = {p.relative_to(ROOT).as_posix() for p in (ROOT / "chalicelib").rglob("*.json")}
    assert {"chalicelib/messages/en.json", "chalicelib/messages/fr.json"} <= catalogues <= names


def test_the_bundle_holds_nothing_only_the_developers_need():
    runtime = closure(requirements(ROOT / "requirements.txt"))
    development = closure(requirements(ROOT / "requirements-dev.txt")) - runtime
    assert {"moto", "pytest", "hypothesis", "ruff", "boto3", "cfn-lint", "chalice"} <= development
    distributions, names = bundled()
    assert not development & distributions, development & distributions
    providers = metadata.packages_distributions()
    for top in {name.split("/")[0].removesuffix(".py") for name in names}:
        owners = {canonicalize_name(d) for d in providers.get(top, [])}
        if owners and owners <= development:
            assert top == "chalice", top
    chalice = {name for name in names if name.startswith("chalice/")}
    assert {name for name in chalice if "/__pycache__/" not in name} == CHALICE_RUNTIME
    # local/ holds the local stage's dev sign-in (local/front.py); web/ goes to the CDN's bucket
    assert not any(
        name.startswith(("tests/", "bench/", "local/", "infra/", "web/")) for name in names
    )
    assert not any("sign-in" in name or name.endswith("devtoken.py") for name in names)
