"""`make run`: the Hub on this machine, with nothing to install but the virtualenv.

    python -m local.runner [--demo] [--port 8000] [--dynamodb-port 8001] [--no-reload]

1. an embedded DynamoDB (local/embedded_dynamodb.py) on 127.0.0.1:8001 (HUB_DYNAMODB_PORT),
   with the table, its indexes and its stream; it lives in memory and is empty at each start;
2. with --demo, a demo association seeded through the service layer (see local/demo.py);
3. the API: `chalice local` on 127.0.0.1:8000 (HUB_API_PORT), in its own process group;
4. the periodic jobs (`periodic_jobs()`) that the cloud runs on a schedule or a stream
   trigger: the stream consumer's running tallies every HUB_TALLY_INTERVAL_S (1 s), the
   closer every HUB_CLOSER_INTERVAL_S (60 s), and notifications: the notifier (a second
   stream reader) every HUB_NOTIFY_INTERVAL_S (1 s), the queue's deliverer every
   HUB_DELIVER_INTERVAL_S (1 s) and their schedule every HUB_NOTIFY_SCHEDULE_INTERVAL_S
   (60 s). The embedded stack serves the notifications queue (and its dead-letter queue)
   and SES; every email sent is also written under HUB_OUTBOX (`.hub/outbox`).

Ctrl-C or SIGTERM stops all of it and exits 0. Nothing under `chalicelib` may be imported
before `main()` has put `local_environment()` in os.environ: importing the store binds
PynamoDB to the settings.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from local.devtoken import DEFAULT_AUDIENCE, DEFAULT_DEV_SECRET, DEFAULT_ISSUER
from local.jobs import JobRunner, PeriodicJob
from local.ports import DEFAULT_API_PORT, DEFAULT_DYNAMODB_PORT
from local.stream import StreamReader

if TYPE_CHECKING:
    from local.demo import Demo
    from local.embedded_dynamodb import EmbeddedDynamoDB

REPO_ROOT = Path(__file__).resolve().parent.parent  # the directory holding app.py
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 5.0


class Nudge:
    """Whether a job has something to do: it was told so (another job saw new records, or
    queued messages), its last look found something, or it has not looked for `every_s`
    seconds. Notifications' jobs look only then, so that an idle `make run` does not ask
    the embedded stack every second for what only the runner itself can have caused (the
    API never writes to the queue; the stream is already watched by the tallies)."""

    def __init__(self, every_s: float = 30.0) -> None:
        self.every_s = every_s
        self.pending = True
        self._looked = 0.0

    def set(self) -> None:
        self.pending = True

    @property
    def due(self) -> bool:
        return self.pending or time.monotonic() - self._looked >= self.every_s

    def looked(self, found: bool) -> None:
        self._looked = time.monotonic()
        self.pending = found


class StreamTallies:
    """The stream consumer's trigger: read new stream records of the embedded DynamoDB and
    hand them to the same handler Lambda invokes (chalicelib/jobs/count_ballots.py).
    `then` is nudged when it read new records."""

    def __init__(self, then: Nudge | None = None) -> None:
        self._reader: StreamReader | None = None
        self._then = then

    def open(self) -> None:
        """Take a place at the stream's start now (see `open_stream_readers`)."""
        if self._reader is None:
            self._reader = StreamReader(
                os.environ["HUB_TABLE"], endpoint_url=os.environ["HUB_DYNAMODB_ENDPOINT"]
            )
        self._reader.open()

    def __call__(self) -> None:
        from chalicelib.jobs import count_ballots  # only once the environment is set

        self.open()
        assert self._reader is not None
        # Batches of up to 1,000 records (Lambda allows 10,000; the cloud's trigger takes 100
        # and runs as often as records come): the consumer makes two calls per debate per
        # batch, and shares the embedded DynamoDB, one request at a time, with every API
        # request. With 100, 200 people voting at once left it minutes behind.
        if self._reader.drain(count_ballots.handler, batch_size=1000) and self._then:
            self._then.set()


class StreamNotifier(StreamTallies):
    """The notifier's trigger: a second reader of the stream, as the cloud's second event
    source mapping, handing batches to chalicelib/jobs/notify.py; it reads when `nudge` says
    (the tallies saw new records), and nudges the deliverer (`then`) when it read some."""

    def __init__(self, nudge: Nudge | None = None, then: Nudge | None = None) -> None:
        super().__init__(then)
        self._nudge = nudge or Nudge(0.0)

    def __call__(self) -> None:
        from chalicelib.jobs import notify  # only once the environment is set

        if not self._nudge.due:
            return
        self.open()
        assert self._reader is not None
        read = self._reader.drain(notify.handler, batch_size=100)
        self._nudge.looked(bool(read))
        if read and self._then:
            self._then.set()


def open_stream_readers(jobs: list[PeriodicJob]) -> None:
    """Every stream reader takes its place at the stream's start before any reads: the
    embedded stream drops what every reader it knows has read, and a reader opened later
    would miss it (the demo's events, say)."""
    for job in jobs:
        opening = getattr(job.fn, "open", None)
        if opening is not None:
            opening()


class QueuePoller:
    """The deliverer's trigger: the notifications queue's messages, 10 at a time, in
    Lambda's SQS event shape, to chalicelib/jobs/deliver_notifications.py; those it does
    not report failed are deleted (a failed one comes back after its visibility timeout,
    and goes to the dead-letter queue after five receives)."""

    MOST_BATCHES = 100  # per run: the other jobs get their turn

    def __init__(self, nudge: Nudge | None = None) -> None:
        self._sqs = None
        self._nudge = nudge or Nudge(0.0)

    def __call__(self) -> int:
        from chalicelib.jobs import deliver_notifications as deliverer

        url = os.environ.get("HUB_NOTIFICATIONS_QUEUE_URL")
        if not url or not self._nudge.due:
            return 0
        if self._sqs is None:
            import boto3

            self._sqs = boto3.client("sqs")
        handled = 0
        for _ in range(self.MOST_BATCHES):
            got = self._sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not got:
                break
            answer = deliverer.handler({"Records": [sqs_record(m, url) for m in got]}, None)
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
            done = [m for m in got if m["MessageId"] not in failed]
            if done:
                self._sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done)
                    ],
                )
            handled += len(got)
        # Messages it handled may have queued more (pages, continuations): look again.
        self._nudge.looked(bool(handled))
        return handled


def sqs_record(message: dict[str, object], queue_url: str) -> dict[str, object]:
    """An SQS message as Lambda hands it to its function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:local:000000000000:" + queue_url.rsplit("/", 1)[-1],
        "awsRegion": os.environ.get("AWS_REGION", "eu-west-3"),
    }


class NotificationSchedule:
    """The notification schedule's trigger; it nudges the deliverer (it may queue)."""

    def __init__(self, then: Nudge | None = None) -> None:
        self._then = then

    def __call__(self) -> None:
        from chalicelib.jobs import notification_schedule as schedule

        schedule.handler(scheduled_event(), None)
        if self._then:
            self._then.set()


QUEUE = "hub-notifications"
DEAD_LETTERS = "hub-notifications-dlq"


def create_notification_stack(env: dict[str, str]) -> None:
    """The notifications queue and its dead-letter queue, and SES's sender identity (moto
    sends only from a verified one), in the embedded stack; `env` gets the queue's URL."""
    import json
    from email.utils import parseaddr

    import boto3

    from chalicelib.settings import get_settings

    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
    url = sqs.create_queue(
        QueueName=QUEUE, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "60"}
    )["QueueUrl"]
    sender = parseaddr(get_settings().mail_from or "")[1]
    if sender:
        boto3.client("ses").verify_email_identity(EmailAddress=sender)
    env["HUB_NOTIFICATIONS_QUEUE_URL"] = url
    os.environ["HUB_NOTIFICATIONS_QUEUE_URL"] = url
    get_settings.cache_clear()  # read again, with the queue
    Path(env["HUB_OUTBOX"]).mkdir(parents=True, exist_ok=True)


def interval(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise RunnerError(f"{variable} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise RunnerError(f"{variable} must be positive")
    return value


def scheduled_event() -> dict[str, object]:
    """An EventBridge scheduled event, as Lambda receives it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": os.environ.get("AWS_REGION", "eu-west-3"),
        "resources": ["arn:aws:events:local:000000000000:rule/close-due-consultations"],
        "detail": {},
    }


def close_due_consultations() -> None:
    # Only once the environment is set; the handler Lambda invokes.
    from chalicelib.jobs import close_due_consultations as closer

    closer.handler(scheduled_event(), None)


def periodic_jobs() -> list[PeriodicJob]:
    """What the cloud runs on its own and `chalice local` never does: the stream consumer
    and the scheduled closer, through the very handlers Lambda invokes."""
    new_records, queued = Nudge(), Nudge()
    return [
        PeriodicJob("tallies", interval("HUB_TALLY_INTERVAL_S", 1.0), StreamTallies(new_records)),
        PeriodicJob("closer", interval("HUB_CLOSER_INTERVAL_S", 60.0), close_due_consultations),
        PeriodicJob(
            "notifier",
            interval("HUB_NOTIFY_INTERVAL_S", 1.0),
            StreamNotifier(new_records, then=queued),
        ),
        PeriodicJob("deliverer", interval("HUB_DELIVER_INTERVAL_S", 1.0), QueuePoller(queued)),
        PeriodicJob(
            "notification schedule",
            interval("HUB_NOTIFY_SCHEDULE_INTERVAL_S", 60.0),
            NotificationSchedule(then=queued),
        ),
    ]


log = logging.getLogger("hub.local.runner")


class RunnerError(Exception):
    """Why the runner cannot go on, worded for the person who typed `make run`."""


def local_environment(
    environ: Mapping[str, str], dynamodb_port: int, api_port: int = DEFAULT_API_PORT
) -> dict[str, str]:
    """The environment of the local stage: `environ` plus what the runner sets or defaults.

    Used by the runner itself (before importing chalicelib) and given to `chalice local`.
    """
    env = dict(environ)
    env["HUB_STAGE"] = "local"
    env["HUB_DYNAMODB_ENDPOINT"] = f"http://{HOST}:{dynamodb_port}"
    env["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"  # moto does not route account endpoints
    # The embedded stack also serves the notifications queue and SES (moto's server).
    env["AWS_ENDPOINT_URL_SQS"] = env["HUB_DYNAMODB_ENDPOINT"]
    env["AWS_ENDPOINT_URL_SESV2"] = env["HUB_DYNAMODB_ENDPOINT"]
    env["AWS_ENDPOINT_URL_SES"] = env["HUB_DYNAMODB_ENDPOINT"]
    defaults = {
        "HUB_TABLE": "hub-local",
        "HUB_DEV_JWT_SECRET": DEFAULT_DEV_SECRET,  # the secret `make token` signs with
        "HUB_JWT_ISSUER": DEFAULT_ISSUER,
        "HUB_JWT_AUDIENCE": DEFAULT_AUDIENCE,
        # The web client is served on the API's own origin, whichever port it listens on.
        "HUB_WEB_ORIGINS": f"http://{HOST}:{api_port},http://localhost:{api_port}",
        # And the links in emails lead there.
        "HUB_WEB_URL": f"http://{HOST}:{api_port}",
        # The embedded DynamoDB accepts any credentials; these keep real ones out of it.
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_REGION": "eu-west-3",
        "PYTHONUNBUFFERED": "1",  # request logs show up at once, even through a pipe
        # Every email sent, as an .eml file: outside what the reloader watches.
        "HUB_OUTBOX": str(REPO_ROOT / ".hub" / "outbox"),
    }
    for name, value in defaults.items():
        if not env.get(name):
            env[name] = value
    return env


def ensure_port_free(port: int, setting: str) -> None:
    """Fail clearly now rather than later (moto's server hangs on a taken port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port left in TIME_WAIT is free, one someone listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise RunnerError(
                f"port {port} on {HOST} is not available ({error.strerror}). Is another "
                f"`make run` running? Choose another port with {setting}."
            ) from None


def start_dynamodb(port: int) -> EmbeddedDynamoDB:
    from local.embedded_dynamodb import EmbeddedDynamoDB

    ensure_port_free(port, "HUB_DYNAMODB_PORT=<port> (or --dynamodb-port)")
    server = EmbeddedDynamoDB(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def create_table() -> None:
    from chalicelib.store.table import create_table_if_absent

    create_table_if_absent()


def seed_demo() -> Demo:
    from local import demo

    return demo.seed()


def chalice_command(port: int, *, reload: bool) -> list[str]:
    # chalice's CLI with a larger listen backlog (local/chalice_local.py), run as a script:
    # chalice's autoreloader restarts its worker by re-running sys.argv.
    script = Path(__file__).with_name("chalice_local.py")
    command = [sys.executable, str(script), "local", "--host", HOST, "--port", str(port)]
    command += ["--stage", "local"]
    return command if reload else [*command, "--no-autoreload"]


def start_api(port: int, env: Mapping[str, str], *, reload: bool) -> subprocess.Popen[bytes]:
    ensure_port_free(port, "HUB_API_PORT=<port> (or --port)")
    # A session of its own: the runner signals the whole group, the autoreloader's worker
    # included, and a Ctrl-C in the terminal reaches the runner only.
    return subprocess.Popen(
        chalice_command(port, reload=reload), cwd=REPO_ROOT, env=dict(env), start_new_session=True
    )


def wait_until_ready(
    api: subprocess.Popen[bytes], port: int, stopping: threading.Event, timeout: float
) -> bool:
    """Poll the group directory until it answers 200. False if asked to stop meanwhile."""
    url = f"http://{HOST}:{port}/v1/groups"
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise RunnerError(
                f"`chalice local` exited with code {api.returncode} before serving "
                f"(its output is above). If port {port} is taken, choose another with "
                "HUB_API_PORT=<port> (or --port)."
            )
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return True
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except requests.RequestException as error:
            last = type(error).__name__
        if stopping.wait(0.2):
            return False
    raise RunnerError(f"the API did not answer 200 on {url} within {timeout:.0f} s ({last})")


def stop_process_group(process: subprocess.Popen[bytes], grace: float = STOP_GRACE_S) -> None:
    """Stop a process started with start_new_session=True and everything in its group."""
    group = process.pid
    _signal_group(group, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        _signal_group(group, signal.SIGKILL)
        process.wait()
    # The autoreloader's worker is the group's other member: wait for it too.
    deadline = time.monotonic() + grace
    while _signal_group(group, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, signum: int) -> bool:
    """Send `signum` to the process group; False when no process is left in it."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def instructions(
    api_port: int, dynamodb_port: int, table: str, demo: Demo | None, outbox: str | None = None
) -> str:
    base = f"http://{HOST}:{api_port}"
    token = "$(make -s token SUB=alice | tail -n 1)"
    # `make token` prints a curl line for HUB_API_PORT: on another port, it is told which.
    make_token = (
        "make token" if api_port == DEFAULT_API_PORT else f"HUB_API_PORT={api_port} make token"
    )
    lines = [
        "",
        'The Hub runs locally (stage "local"):',
        f"  Web       {base}/       sign in: {base}/dev/sign-in",
        f"  API       {base}/v1    try: curl {base}/v1/groups",
        f"  DynamoDB  http://{HOST}:{dynamodb_port}       "
        f'table "{table}", in memory (empty at each start)',
    ]
    if outbox:
        lines.append(f"  Emails    {base}/dev/outbox   each one also in {outbox}")
    lines += [
        "",
        "Sign in with a dev token (HS256, signed with HUB_DEV_JWT_SECRET, valid 1 h):",
        f"  {make_token} SUB=alice",
        f'  curl -H "Authorization: Bearer {token}" {base}/v1/me',
    ]
    if demo is not None:
        members = ", ".join(f"{sub} ({role.value})" for sub, role in demo.roles.items())
        lines += [
            "",
            f'Demo association "{demo.group.name}": id {demo.group.id}',
            f"  {members}",
            f"  {make_token} SUB=demo-alice",
        ]
    lines += ["", "Ready. Ctrl-C stops everything.", ""]
    return "\n".join(lines)


def parse_args(
    argv: list[str] | None, environ: Mapping[str, str] = os.environ
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local.runner",
        description="Run the Hub locally: embedded DynamoDB + chalice local.",
    )
    parser.add_argument(
        "--port", type=int, help=f"API port (default: HUB_API_PORT or {DEFAULT_API_PORT})"
    )
    parser.add_argument(
        "--dynamodb-port",
        type=int,
        help=f"embedded DynamoDB port (default: HUB_DYNAMODB_PORT or {DEFAULT_DYNAMODB_PORT})",
    )
    parser.add_argument("--demo", action="store_true", help="seed a demo association")
    parser.add_argument(
        "--no-reload",
        dest="reload",
        action="store_false",
        help="do not restart the API when a file of the project changes",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=READY_TIMEOUT_S,
        help="seconds to wait for the API (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    for attribute, variable, default in (
        ("port", "HUB_API_PORT", DEFAULT_API_PORT),
        ("dynamodb_port", "HUB_DYNAMODB_PORT", DEFAULT_DYNAMODB_PORT),
    ):
        if getattr(args, attribute) is None:
            raw = environ.get(variable) or str(default)
            if not raw.isdigit():
                parser.error(f"{variable} must be a port number, not {raw!r}")
            setattr(args, attribute, int(raw))
        if not 0 < getattr(args, attribute) < 65536:
            parser.error(f"{variable} (--{attribute.replace('_', '-')}) is out of range")
    if args.port == args.dynamodb_port:
        parser.error("the API and DynamoDB need two different ports")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("hub").setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    env = local_environment(os.environ, args.dynamodb_port, args.port)
    os.environ.update(env)  # before anything imports chalicelib

    dynamodb: EmbeddedDynamoDB | None = None
    api: subprocess.Popen[bytes] | None = None
    jobs = JobRunner([])
    try:
        ensure_port_free(args.port, "HUB_API_PORT=<port> (or --port)")
        dynamodb = start_dynamodb(args.dynamodb_port)
        create_table()
        create_notification_stack(env)
        demo = seed_demo() if args.demo else None
        if stopping.is_set():
            return 0
        api = start_api(args.port, env, reload=args.reload)
        if not wait_until_ready(api, args.port, stopping, args.ready_timeout):
            return 0
        periodic = periodic_jobs()
        open_stream_readers(periodic)
        jobs = JobRunner(periodic)
        jobs.start()
        shown = instructions(
            args.port, args.dynamodb_port, env["HUB_TABLE"], demo, env["HUB_OUTBOX"]
        )
        print(shown, flush=True)
        while not stopping.wait(0.5):
            if api.poll() is not None:
                raise RunnerError(f"`chalice local` stopped on its own (code {api.returncode})")
        print("Stopping the Hub…", flush=True)
        return 0
    except RunnerError as error:
        print(f"local runner: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        jobs.stop()
        if api is not None:
            stop_process_group(api)
        if dynamodb is not None:
            dynamodb.stop()


if __name__ == "__main__":
    sys.exit(main())
