"""The Hub's Chalice app: registers the middleware, the routes, the stream consumer and the
schedule. Importing it imports no route, service or store module (tests/api/test_routes.py):
each loads on the first request that needs it."""

import threading

from chalice import Chalice
from chalice.app import CloudWatchEvent, DynamoDBEvent, Request, SQSEvent

from chalicelib.api import routes
from chalicelib.api.cors import answer_preflights_locally, install_cors
from chalicelib.api.fallback import install_fallbacks
from chalicelib.api.headers import install_private_answers
from chalicelib.api.http import install_error_handling
from chalicelib.api.locale import install_locale
from chalicelib.settings import get_settings
from chalicelib.telemetry import install_telemetry

settings = get_settings()  # refuse to start on an invalid configuration


class Hub(Chalice):
    """Chalice keeps the request being answered on the app object. Lambda answers one at a
    time, but `chalice local` answers each on a thread of its own: one request could then
    read another's headers, its caller's token above all (tests/api/
    test_request_per_thread.py). Each thread keeps its own."""

    _answering = threading.local()

    @property  # type: ignore[override]
    def current_request(self) -> Request | None:
        return getattr(self._answering, "request", None)

    @current_request.setter
    def current_request(self, request: Request | None) -> None:
        self._answering.request = request


app = Hub(app_name="hub")
install_telemetry(app)  # outermost: one JSON line and the metrics of every answer
# Browsers may call the API from the web client's origins only (HUB_WEB_ORIGINS): next, so
# that every answer, errors included, says whom it is for. Preflights: the cloud answers
# them without the function (infra/package.py), `chalice local` as the cloud does.
install_cors(app)
if settings.stage == "local":
    answer_preflights_locally()
# Then the language middleware, outside error handling: it writes in the caller's language
# the errors install_error_handling makes of Chalice's own refusals too.
install_locale(app)  # error messages in French or English: chalicelib/api/locale.py
install_private_answers(app)  # a signed-in caller's answers: Cache-Control: no-store
install_error_handling(app)

# Every route under /v1, each module imported on the first request that needs it
# (chalicelib/api/routes.py): a cold start imports none of them.
routes.install(app)
# After every route: 405 for the methods a path does not declare, 404 for undeclared paths.
install_fallbacks(app)


@app.on_dynamodb_record(
    stream_arn=settings.table_stream_arn, batch_size=100, starting_position="TRIM_HORIZON"
)
def count_ballots(event: DynamoDBEvent) -> None:
    """Running tallies from the table's stream. This declaration gives the function its
    trigger; the function runs chalicelib.jobs.count_ballots.handler itself (its Handler in
    infra/template.yaml), which imports no route, and so does the local runner. Imported
    here on call only: the API's cold start does not load the jobs."""
    from chalicelib.jobs import count_ballots as consumer

    consumer.handler(event.to_dict(), event.context)


@app.schedule("rate(1 minute)")
def close_due_consultations(event: CloudWatchEvent) -> None:
    """Open, close and finalise consultations on schedule. Runs
    chalicelib.jobs.close_due_consultations.handler, as count_ballots above."""
    from chalicelib.jobs import close_due_consultations as closer

    closer.handler(event.to_dict(), event.context)


@app.on_dynamodb_record(
    stream_arn=settings.table_stream_arn, batch_size=100, starting_position="TRIM_HORIZON"
)
def notify(event: DynamoDBEvent) -> None:
    """Notifications' events from the table's stream, fanned out through the queue. Runs
    chalicelib.jobs.notify.handler, as count_ballots above."""
    from chalicelib.jobs import notify as notifier

    notifier.handler(event.to_dict(), event.context)


@app.on_sqs_message(queue="hub-notifications", batch_size=10)
def deliver_notifications(event: SQSEvent) -> dict:
    """The notifications queue: resolve recipients page by page, and notify them. Runs
    chalicelib.jobs.deliver_notifications.handler, as count_ballots above (the stack names
    the real queue: infra/template.yaml)."""
    from chalicelib.jobs import deliver_notifications as deliverer

    return deliverer.handler(event.to_dict(), event.context)


@app.schedule("rate(5 minutes)")
def notification_schedule(event: CloudWatchEvent) -> None:
    """Reminders and daily digests that are due. Runs
    chalicelib.jobs.notification_schedule.handler, as count_ballots above."""
    from chalicelib.jobs import notification_schedule as schedule

    schedule.handler(event.to_dict(), event.context)
