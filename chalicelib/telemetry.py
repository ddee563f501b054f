"""What the Hub tells its operators: one JSON log line per request, and CloudWatch metrics
in the embedded metric format (EMF), written to standard output.

The metrics are named here, once: the code emits them and infra/template.yaml's alarms and
dashboard read them (tests/infra checks that every metric the template names is one of
these). Standard library only: every function imports this module, even the smallest.

- `install_telemetry(app)` (app.py, the outermost middleware): each HTTP answer prints one
  line (`request_line`) that is also an EMF document: Requests, Latency, ServerErrors by
  route family, Refusals by code, and whatever the request counted (`count`).
- `count(metric, value, **dimensions)`: a metric recorded where it happens (a ballot cast,
  a consultation closed); it joins the line of the request or job being run (`scope`,
  `job`), which prints them together.
- `install_json_logs()`: the `hub` loggers print JSON lines too, naming the request.
- `job(message, ...)`: one line per run of a job (the closer, a tally batch).

docs/operations.md ("Logs and metrics") lists every field and metric.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalice import Chalice
    from chalice.app import Request, Response


class Unit(StrEnum):
    COUNT = "Count"
    MILLISECONDS = "Milliseconds"


class Metric(StrEnum):
    """A metric, by its CloudWatch name. `unit` and `dimensions` say how it is published."""

    # Every API request, by route family (the first path segment after /v1, from the
    # declared routes only; `unmatched` for any other path).
    REQUESTS = "Requests"
    SERVER_ERRORS = "ServerErrors"  # answers with a 5xx status
    LATENCY = "Latency"  # from the request's arrival to its answer, in the function
    # Answers with a 4xx status, by error code (`unauthenticated`, `already_voted`...).
    REFUSALS = "Refusals"
    # Ballots accepted, by decision type (vote, poll, petition): a first ballot, a change.
    BALLOTS_CAST = "BallotsCast"
    BALLOTS_CHANGED = "BallotsChanged"
    # The closer (chalicelib/services/closer.py): one per run, and what each run moved.
    CLOSER_RUNS = "CloserRuns"
    CONSULTATIONS_OPENED = "ConsultationsOpened"
    CONSULTATIONS_CLOSED = "ConsultationsClosed"
    CONSULTATIONS_FINALISED = "ConsultationsFinalised"
    # Final recounts that differ from the running tally (reported, never hidden).
    TALLY_MISMATCHES = "TallyMismatches"
    # How old the oldest ballot of a stream batch is when the tally consumer counts it.
    TALLY_LAG = "TallyLag"
    # Notifications delivered, by channel (in-app, email).
    NOTIFICATIONS_SENT = "NotificationsSent"

    @property
    def unit(self) -> Unit:
        return Unit.MILLISECONDS if self in (Metric.LATENCY, Metric.TALLY_LAG) else Unit.COUNT

    @property
    def dimensions(self) -> tuple[str, ...]:
        return _DIMENSIONS.get(self, ())


_DIMENSIONS: dict[Metric, tuple[str, ...]] = {
    Metric.REQUESTS: ("RouteFamily",),
    Metric.SERVER_ERRORS: ("RouteFamily",),
    Metric.LATENCY: ("RouteFamily",),
    Metric.REFUSALS: ("Code",),
    Metric.BALLOTS_CAST: ("DecisionType",),
    Metric.BALLOTS_CHANGED: ("DecisionType",),
    Metric.NOTIFICATIONS_SENT: ("Channel",),
}


# ---------------------------------------------------------------- lines

NO_ROUTE = "unmatched"  # the route family of a path no declared route matches


def write_line(fields: dict[str, Any]) -> None:
    """One JSON object on one line of standard output, flushed: Lambda sends each line to
    CloudWatch Logs as one event, and EMF reads the line as it is."""
    line = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _now_iso(now: float) -> str:
    moment = datetime.fromtimestamp(now, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _namespace() -> str:
    from chalicelib.settings import get_settings  # the function has read it already

    return get_settings().metrics_namespace


def emf_documents(
    values: list[tuple[Metric, float, dict[str, str]]],
    fields: dict[str, Any],
    namespace: str,
    timestamp_ms: int,
) -> list[dict[str, Any]]:
    """The metric values as CloudWatch embedded metric format documents, `fields` in the
    first one: each metric's value and its dimensions' values at the top level, named in
    `_aws.CloudWatchMetrics`. A metric recorded twice with the same dimension values counts
    once, its values summed (a duration keeps each value, as EMF's list of values); one that
    a document cannot hold (another value of a dimension it already holds) goes to another
    document."""
    grouped: dict[tuple[Metric, tuple[tuple[str, str], ...]], list[float]] = {}
    for metric, value, dimensions in values:
        key = (metric, tuple((name, dimensions[name]) for name in metric.dimensions))
        grouped.setdefault(key, []).append(value)
    documents: list[dict[str, Any]] = [dict(fields)]
    for (metric, dimensions), recorded in grouped.items():
        value: float | list[float] = (
            sum(recorded) if metric.unit is Unit.COUNT or len(recorded) == 1 else recorded
        )
        target = next(
            (
                document
                for document in documents
                if metric.value not in document
                and all(document.get(name, dim) == dim for name, dim in dimensions)
            ),
            None,
        )
        if target is None:
            target = {key: fields[key] for key in _CARRIED if key in fields}
            documents.append(target)
        target.update(dict(dimensions))
        target[metric.value] = value
        directives = target.setdefault("_aws", {}).setdefault("CloudWatchMetrics", [])
        names = [name for name, _ in dimensions]
        directive = next((d for d in directives if d["Dimensions"] == [names]), None)
        if directive is None:
            directive = {"Namespace": namespace, "Dimensions": [names], "Metrics": []}
            directives.append(directive)
        directive["Metrics"].append({"Name": metric.value, "Unit": metric.unit.value})
    for document in documents:
        if "_aws" in document:
            document["_aws"] = {"Timestamp": timestamp_ms, **document["_aws"]}
    return documents


# What a second document of the same line's metrics repeats, to be found beside the first.
_CARRIED = ("time", "level", "message", "request_id")


# ---------------------------------------------------------------- metrics in a scope


class Scope:
    """The metrics recorded while a request is answered or a job runs, printed together as
    one line when it ends (`scope`). A plain class: a dataclass costs its import time."""

    __slots__ = ("caller_id", "exception", "fields", "request_id", "stack", "values")

    def __init__(self, request_id: str | None = None) -> None:
        self.values: list[tuple[Metric, float, dict[str, str]]] = []
        self.fields: dict[str, Any] = {}  # more for its line (a job's)
        self.caller_id: str | None = None
        self.request_id = request_id
        self.exception: str | None = None
        self.stack: str | None = None

    def add(self, metric: Metric, value: float = 1, **dimensions: str) -> None:
        missing = set(metric.dimensions) - set(dimensions)
        if missing or set(dimensions) - set(metric.dimensions):
            raise ValueError(f"{metric.value} has dimensions {metric.dimensions}")
        self.values.append((metric, value, dimensions))


_scope: ContextVar[Scope | None] = ContextVar("hub_telemetry_scope", default=None)


def count(metric: Metric, value: float = 1, **dimensions: str) -> None:
    """Record a metric value: printed with the line of the request or job being run, or on
    a line of its own outside any."""
    current = _scope.get()
    if current is not None:
        current.add(metric, value, **dimensions)
        return
    alone = Scope()
    alone.add(metric, value, **dimensions)
    emit("metric", alone)


def note_caller(user_id: str) -> None:
    """The verified caller of the request being answered (chalicelib/auth.py): its line
    names them by a keyed hash, never by their id."""
    current = _scope.get()
    if current is not None:
        current.caller_id = user_id


@contextmanager
def scope(request_id: str | None = None) -> Iterator[Scope]:
    """Collect what is recorded inside (`count`, `note_caller`, an unexpected error)."""
    current = Scope(request_id=request_id)
    token = _scope.set(current)
    try:
        yield current
    finally:
        _scope.reset(token)


def emit(message: str, recorded: Scope, level: str = "INFO", **fields: Any) -> None:
    """Print `recorded`'s metrics and `fields` as one line (more only if one document cannot
    hold them all)."""
    now = time.time()
    line: dict[str, Any] = {"time": _now_iso(now), "level": level, "message": message}
    if recorded.request_id:
        line["request_id"] = recorded.request_id
    line.update(fields)
    line.update(recorded.fields)
    if recorded.caller_id:
        line["caller"] = caller_hash(recorded.caller_id)
    if recorded.stack:
        line["exception"] = recorded.exception
        line["stack"] = recorded.stack
    if not recorded.values:
        write_line(line)
        return
    for document in emf_documents(recorded.values, line, _namespace(), int(now * 1000)):
        write_line(document)


def caller_hash(user_id: str) -> str:
    """A caller's id as logs name them: HMAC-SHA256 under a key derived from the cursor
    secret, truncated to 64 bits. The same person has the same hash (their requests can be
    followed) but an id cannot be found by hashing the ids one knows without the secret."""
    from chalicelib.settings import get_settings

    secret = get_settings().cursor_secrets[0].encode()
    key = hmac.new(secret, b"hub telemetry caller id", hashlib.sha256).digest()
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()[:16]


@contextmanager
def job(message: str, *zeros: Metric, **fields: Any) -> Iterator[Scope]:
    """A job's run: the metrics counted inside printed as one line at its end, `zeros`
    printed as 0 when nothing counted them (a dashboard then shows 0, not no data). The
    line is printed even if the run fails, with `exception` naming the error (its stack is
    the caller's to report: Lambda prints it)."""
    install_json_logs()
    with scope() as current:
        current.fields.update(fields)
        failed: BaseException | None = None
        try:
            yield current
        except BaseException as error:
            failed = error
            raise
        finally:
            counted = {metric for metric, _, _ in current.values}
            for metric in zeros:
                if metric not in counted:
                    current.add(metric, 0)
            extra = {"exception": type(failed).__name__} if failed is not None else {}
            emit(message, current, "ERROR" if failed is not None else "INFO", **extra)


# ---------------------------------------------------------------- the `hub` loggers


# CloudWatch Logs keeps 256 KB of an event: a stack never crowds out its line's metrics.
STACK_LIMIT = 16_000


def _stack(exc_info: Any) -> tuple[str, str]:
    """An exception's type, and its traceback without any exception's message: a message
    may quote what a caller sent or what the table holds (pydantic's ValidationError quotes
    its input), and a log line never holds either. Each exception of the chain (its causes,
    first) names its type and its frames; at most STACK_LIMIT characters, the innermost
    frames kept."""
    kind, error, trace = exc_info
    described: traceback.TracebackException | None = traceback.TracebackException(
        kind, error, trace
    )
    blocks: list[str] = []
    while described is not None:
        kind_of = described.exc_type
        name = kind_of.__qualname__ if kind_of is not None else "?"
        if kind_of is not None and kind_of.__module__ != "builtins":
            name = f"{kind_of.__module__}.{name}"
        frames = "".join(described.stack.format())
        blocks.append(f"Traceback (most recent call last):\n{frames}{name}\n")
        described = described.__cause__ or (
            None if described.__suppress_context__ else described.__context__
        )
    text = "\nThe above led to:\n\n".join(reversed(blocks))
    if len(text) > STACK_LIMIT:
        text = "…" + text[-STACK_LIMIT:]
    return kind.__name__, text


class JsonLines(logging.Handler):
    """The `hub` loggers' records as JSON lines on standard output (the one read at each
    record, so that a test capturing it sees them): `time`, `level`, `logger`, `message`,
    the `request_id` of the request being answered, and `exception` and `stack` when the
    record carries one.

    The record Chalice makes of an unexpected exception in a view (on the app's own logger,
    naming the request's raw path) is not printed: its exception and stack go on the
    request's line instead, so that an error is reported once, with its route."""

    def __init__(self, app_logger: str) -> None:
        super().__init__()
        self.app_logger = app_logger

    def emit(self, record: logging.LogRecord) -> None:
        try:
            current = _scope.get()
            if (
                record.exc_info
                and record.name == self.app_logger
                and current is not None
                and current.request_id is not None
                and current.stack is None
            ):
                current.exception, current.stack = _stack(record.exc_info)
                return
            line: dict[str, Any] = {
                "time": _now_iso(record.created),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
            if current is not None and current.request_id is not None:
                line["request_id"] = current.request_id
            if record.exc_info:
                line["exception"], line["stack"] = _stack(record.exc_info)
            write_line(line)
        except Exception:
            self.handleError(record)


def install_json_logs(name: str = "hub") -> None:
    """The `name` logger and its children (`hub.api`, `hub.auth`, `hub.closer`...) print
    JSON lines from INFO up, and only there: not propagated to the root logger, whose
    handler Lambda's runtime installs (each record would be printed twice). Replaces
    Chalice's own plain-text handler on the app's logger. Idempotent."""
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        if not isinstance(handler, JsonLines):
            logger.removeHandler(handler)
    if not logger.handlers:
        logger.addHandler(JsonLines(name))
    logger.setLevel(logging.INFO)
    logger.propagate = False


# ---------------------------------------------------------------- the request line


def route_family(routes: dict[str, dict[str, Any]], route: str | None) -> str:
    """The first segment after /v1 of a declared route (`groups`, `debates`...), else
    `unmatched`: only the app's own route templates, never what a caller sent, so the
    dimension's values are the few the API declares."""
    from chalicelib.api.fallback import is_fallback  # the app's; imported with it

    entries = routes.get(route or "") or {}
    if all(is_fallback(entry) for entry in entries.values()):  # none, or only the 404s
        return NO_ROUTE
    parts = (route or "").strip("/").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "v1" else NO_ROUTE


def _error_code(response: Response) -> str | None:
    error = getattr(response, "error", None)  # chalicelib.api.locale.ErrorResponse
    code = getattr(error, "code", None)
    return code if isinstance(code, str) else None


def install_telemetry(app: Chalice) -> None:
    """One line per HTTP request, the request's metrics in it (see `request_line`).
    Install it first: Chalice runs the middleware registered first outermost, and this one
    must see every answer, errors and fallbacks included."""
    install_json_logs(app.log.name)

    @app.middleware("http")
    def telemetry(event: Request, get_response: Callable[[Request], Response]) -> Response:
        started = time.perf_counter()
        context = getattr(event, "context", None) or {}
        request_id = context.get("requestId") or uuid.uuid4().hex  # chalice local has none
        with scope(request_id) as current:
            try:
                response = get_response(event)
            except Exception:
                # A middleware failed (a view's errors are answered inside, by Chalice).
                from chalicelib.api.http import error_response
                from chalicelib.domain.errors import InternalError

                current.exception, current.stack = _stack(sys.exc_info())
                response = error_response(InternalError())
            request_line(app.routes, event, response, current, started)
        return response


def request_line(
    routes: dict[str, dict[str, Any]],
    request: Request,
    response: Response,
    current: Scope,
    started: float,
) -> None:
    """The request's line: who asked what, the answer, and its metrics (EMF)."""
    context = getattr(request, "context", None) or {}
    route = context.get("resourcePath")
    family = route_family(routes, route)
    status = response.status_code
    code = _error_code(response) if status >= 400 else None
    latency = round((time.perf_counter() - started) * 1000, 1)
    fields: dict[str, Any] = {
        "method": getattr(request, "method", None),
        "route": route,
        "status": status,
    }
    if code is not None:
        fields["Code"] = code
    current.add(Metric.REQUESTS, 1, RouteFamily=family)
    current.add(Metric.LATENCY, latency, RouteFamily=family)
    current.add(Metric.SERVER_ERRORS, int(status >= 500), RouteFamily=family)
    if 400 <= status < 500:
        current.add(Metric.REFUSALS, 1, Code=code or "unknown")
    emit("request", current, "ERROR" if status >= 500 else "INFO", **fields)
