"""Write the OpenAPI document the code generates: `make openapi` (python -m local.openapi [FILE]).

The committed `openapi.json` is what web and mobile teams read without running anything;
tests/api/test_contract.py fails when it differs from what the code generates. The index of
routes the app loads its route modules by (chalicelib/api/routes.json, see
chalicelib/api/routes.py) is written beside it; tests/api/test_routes.py checks it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from local.devtoken import DEFAULT_DEV_SECRET

ROOT = Path(__file__).resolve().parent.parent


def rendered(document: dict[str, Any]) -> str:
    """The file's exact text: stable key order, two-space indent, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "openapi.json"
    # The document does not depend on the stage; the local one needs no AWS or IdP.
    os.environ.setdefault("HUB_STAGE", "local")
    os.environ.setdefault("HUB_DEV_JWT_SECRET", DEFAULT_DEV_SECRET)
    import app  # noqa: F401  (installs every route)
    from chalicelib.api import contract, routes

    document = contract.document()  # every route module loaded
    target.write_text(rendered(document), encoding="utf-8")
    routes.INDEX.write_text(routes.render(routes.declared()), encoding="utf-8")
    # As GET /v1/openapi.json sends it (Chalice's compact JSON).
    served = len(json.dumps(document, separators=(",", ":")).encode())
    print(f"{target}: {len(contract.every_operation())} operations, served as {served:,} bytes")
    print(f"{routes.INDEX.relative_to(ROOT)}: the routes of {len(routes.MODULES)} modules")


if __name__ == "__main__":
    main()
