"""What logging and metrics cost a cold start: the CPU time of importing the Hub's own
telemetry module, beside AWS Lambda Powertools' Logger and Metrics when a Python with
Powertools is given: `python -m bench.telemetry [/tmp/pt-venv/bin/python]`.

Each figure is the median of 7 fresh processes, `time.process_time()` around the import
alone (the interpreter's own start is not counted). "Alone": in a bare interpreter;
"beside the app's": after the standard library modules the Hub's functions import anyway
(json, logging, dataclasses...), so what the module itself adds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

RUNS = 7
REPO = Path(__file__).resolve().parent.parent
# What every function of the Hub imports before telemetry (Chalice, pydantic, PynamoDB do).
ALREADY = (
    "import json, logging, typing, datetime, contextlib, contextvars, collections.abc, enum,"
    " hashlib, hmac, uuid, traceback"
)

_MEASURE = """
import time
{before}
started = time.process_time()
{statement}
print((time.process_time() - started) * 1000)
"""


def import_ms(python: str, statement: str, before: str = "") -> float:
    """The median CPU time, in ms, of `statement` in fresh processes of `python`."""
    code = _MEASURE.format(before=before, statement=statement)
    runs = [
        float(
            subprocess.run(
                [python, "-c", code], cwd=REPO, check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    return statistics.median(runs)


def main() -> None:
    hub = ("the Hub's telemetry", sys.executable, "import chalicelib.telemetry")
    rows = [hub]
    if len(sys.argv) > 1:
        statement = "from aws_lambda_powertools import Logger, Metrics"
        rows.append(("Powertools Logger, Metrics", sys.argv[1], statement))
    print(f"CPU time of the import, median of {RUNS} fresh processes")
    for name, python, statement in rows:
        alone = import_ms(python, statement)
        beside = import_ms(python, statement, ALREADY)
        print(f"  {name:28} {alone:6.1f} ms alone, {beside:6.1f} ms beside the app's imports")


if __name__ == "__main__":
    main()
