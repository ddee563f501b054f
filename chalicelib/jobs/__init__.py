"""The Lambda handlers of the Hub's jobs, one module each, so that a job's cold start
imports only what that job uses: its service, the store and the settings; never Chalice, a
route, an answer model or a body schema (tests/unit/test_job_imports.py).

infra/template.yaml makes `<module>.handler` its function's handler. app.py still declares
the jobs, which gives `chalice package` their triggers and schedules, and calls these; so
does the local runner (local/runner.py).

Every job stands on PynamoDB and pydantic, and they are imported here, first, close to the
bottom of the call stack rather than deep inside the Hub's modules: CPython 3.11 keeps its
Python frames in chunks of 16 KB and frees one as soon as calls return below it, and the
same imports run deep unmapped and mapped again about 1,400 such chunks at each cold start
(8,337 page faults against 6,905; about 18 ms of CPU of 180: docs/development.md).
"""

import pydantic.main  # noqa: F401  -- see above
import pynamodb.models  # noqa: F401  -- see above
