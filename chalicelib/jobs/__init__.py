"""The Lambda handlers of the Hub's two jobs, one module each, so that a job's cold start
imports only what that job uses: its service, the store and the settings; never Chalice, a
route, an answer model or a body schema (tests/unit/test_job_imports.py).

infra/template.yaml makes `<module>.handler` its function's handler. app.py still declares
both jobs, which gives `chalice package` their trigger and schedule, and calls these; so
does the local runner (local/runner.py).
"""
