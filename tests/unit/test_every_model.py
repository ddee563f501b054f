"""The local server makes every model's DynamoDB client before its first request
(local/chalice_local.py): it must find the models of families no route has imported yet,
or each request's thread makes clients of its own (hundreds of MiB under a burst)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

from chalicelib.store import models

ROOT = Path(__file__).resolve().parents[2]


def test_every_model_finds_each_family_even_when_none_was_imported():
    script = (
        "import json; from chalicelib.store import models; "
        "print(json.dumps(sorted({m.__module__ for m in models.every_model()})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    families = {f"{models.__name__}.{f.name}" for f in pkgutil.iter_modules(models.__path__)}
    assert len(families) >= 7
    assert set(json.loads(done.stdout)) == families | {models.__name__}
