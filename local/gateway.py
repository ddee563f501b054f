"""`chalice local` and Chalice's test client, matching a greedy path variable as API Gateway
does.

Chalice's local gateway matches a route segment by segment: `/{proxy+}` matches `/nowhere`
but neither `/v1/a/b` nor `/nowhere/else` (chalice issues #2072, #2118; PR #2012 is
unmerged), and it passes the parameter on as `proxy+`. API Gateway matches the most specific
resource first and a greedy variable (`{name+}`, at the end of its path) for one or more
remaining segments, and passes it as `name`. `GreedyRouteMatcher` does the same, and
`match_greedy_routes()` makes chalice's local gateway use it (local/chalice_local.py for
`make run`, tests/conftest.py for the test client). The Hub's only greedy route is its
fallback (chalicelib/api/fallback.py).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from chalice import local

_GREEDY = re.compile(r"^(?P<parent>.*)/\{(?P<name>\w+)\+\}$")


class GreedyRouteMatcher(local.RouteMatcher):
    """Chalice's matcher for the other routes; the greedy ones after them, the deepest
    parent first."""

    def __init__(self, route_urls: list[str]) -> None:
        greedy = [url for url in route_urls if _GREEDY.match(url)]
        super().__init__([url for url in route_urls if url not in greedy])
        self.greedy_urls = sorted(greedy, key=lambda url: -url.count("/"))

    def match_route(self, url: str) -> local.MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            parsed = urlparse(url)
            path = parsed.path.rstrip("/") or "/"
            for route_url in self.greedy_urls:
                found = _GREEDY.match(route_url)
                assert found is not None
                rest = path.removeprefix(found["parent"] + "/")
                if rest != path and rest:
                    query = parse_qs(parsed.query, keep_blank_values=True)
                    return local.MatchResult(route_url, {found["name"]: rest}, query)
            raise


def match_greedy_routes() -> None:
    """Make every local gateway created from now on match greedy routes as API Gateway does
    (LocalGateway builds its matcher from this module attribute)."""
    local.RouteMatcher = GreedyRouteMatcher  # type: ignore[misc]
