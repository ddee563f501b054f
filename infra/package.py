"""Build the deployable template and bundle: `make package` (python -m infra.package [DIR]).

`chalice package` writes the functions, the API, the stream trigger and the schedule;
infra/template.yaml is merged into it (the table, roles, logs, alarms, parameters). The
result, `DIR/sam.yaml` and `DIR/deployment.zip`, is checked with cfn-lint before this exits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "template.yaml"
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
PASSED_THROUGH = ("PATH", "HOME", "TMPDIR", "LANG", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")


def tool(name: str) -> str:
    """A console script of the virtualenv this runs in."""
    return str(Path(sys.executable).parent / name)


def package(out: Path) -> Path:
    """Package into `out` (emptied first); returns the template's path."""
    if out.exists():
        shutil.rmtree(out)
    environment = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    environment.update(PACKAGING_ENVIRONMENT)
    subprocess.run(
        [
            tool("chalice"),
            "package",
            "--stage",
            STAGE,
            "--merge-template",
            str(MERGE_TEMPLATE),
            str(out),
        ],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    template = out / "sam.yaml"
    if not template.is_file():
        raise SystemExit(f"chalice package wrote no {template}")
    return template


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


if __name__ == "__main__":
    main()
