"""Chalice's command line, every route module of the API loaded first: `make package` runs
`chalice package` through it (infra/package.py).

A cold start serves each route by a placeholder until its module is needed
(chalicelib/api/routes.py); the placeholders have the routes' paths, methods and settings,
but not their views' docstrings, which Chalice writes into API Gateway's definition as each
method's summary and description. Loaded here, the definition is written from the views
themselves, exactly as before the routes were loaded lazily.
"""

from __future__ import annotations

import sys

from chalice.cli import main

if __name__ == "__main__":
    import app  # noqa: F401  (Chalice imports `app` by name: it finds this one)
    from chalicelib.api import routes

    routes.load_all()
    # A route its module declares but the index lacks would have no placeholder: the
    # deployed API would not know it until its module happened to load.
    if routes.index() != routes.declared():
        sys.exit("chalicelib/api/routes.json is not what the route modules declare: make openapi")
    sys.exit(main())
