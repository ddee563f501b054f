"""Notifications in the cloud (docs/operations.md): the queue and its dead letters, the three
functions' triggers, settings and roles, as the packaged template declares them.

What the functions' DynamoDB calls need is checked by running them
(tests/infra/test_permissions_cover_calls.py); here, everything else each role may do: no
wildcard, the queue to the three that use it, email to the deliverer alone and from the
stack's sender alone, nothing of either to the API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.settings import Settings
from tests.infra.packaged import packaged, translated_by_sam
from tests.infra.test_template import FUNCTIONS, NOTIFIERS

QUEUE = "NotificationsQueue"
DEAD_LETTERS = "NotificationsDeadLetters"
DAY = 86_400
# What one deliver message holds at most (/work/spec17.md, "Queue messages": <= 100
# recipients each), every one of them emailed at worst.
RECIPIENTS_PER_MESSAGE = 100


def properties(resource: str) -> dict[str, Any]:
    return packaged().resources[resource]["Properties"]


def trigger(function: str, kind: str) -> dict[str, Any]:
    events = properties(function)["Events"]
    [found] = [e["Properties"] for e in events.values() if e["Type"] == kind]
    return found


def named(reference: Any) -> str:
    """A resource reference as one string: `Queue.Arn`, `Logs`, or the Fn::Sub text."""
    if isinstance(reference, str):
        return reference
    [(function, argument)] = reference.items()
    if function == "Fn::GetAtt":
        return ".".join(argument)
    if function == "Ref":
        return argument
    if function == "Fn::Sub":
        return argument if isinstance(argument, str) else argument[0]
    raise AssertionError(f"an unexpected resource reference: {reference}")


def role_of(function: str) -> str:
    return properties(function)["Role"]["Fn::GetAtt"][0]


def statements(role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in properties(role).get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(role: str, services: tuple[str, ...]) -> set[tuple[str, str]]:
    """(action, resource) for every action of these services the role's statements allow."""
    return {
        (action, named(resource))
        for statement in statements(role)
        for action in as_list(statement["Action"])
        if action.split(":")[0] in services
        for resource in as_list(statement["Resource"])
    }


# ---------------------------------------------------------------- the queue


def test_the_queue_keeps_messages_four_days_encrypted_then_five_failures_go_to_dead_letters():
    queue = properties(QUEUE)
    assert packaged().resources[QUEUE]["Type"] == "AWS::SQS::Queue"
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 4 * DAY
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [DEAD_LETTERS, "Arn"]},
        "maxReceiveCount": 5,
    }
    dead = properties(DEAD_LETTERS)
    assert dead["SqsManagedSseEnabled"] is True
    assert dead["MessageRetentionPeriod"] == 14 * DAY
    assert "RedrivePolicy" not in dead  # the end of the line


def test_a_message_is_never_handed_to_two_deliverers_at_once():
    """Lambda's advice: the visibility timeout at least six times the function's timeout, so a
    message a deliverer still works on does not come back to another."""
    timeout = properties("DeliverNotifications")["Timeout"]
    assert properties(QUEUE)["VisibilityTimeout"] >= 6 * timeout


def test_the_deliverer_reads_the_stacks_queue_not_one_chalice_names():
    mapping = trigger("DeliverNotifications", "SQS")
    assert mapping["Queue"] == {"Fn::Sub": "${NotificationsQueue.Arn}"}
    # app.py's "hub-notifications" is only a name for Chalice: no queue of that name is used
    assert "hub-notifications" not in packaged().template_path.read_text()
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_deliverers_mapping_once_sam_translates_it(monkeypatch):
    resources = translated_by_sam(monkeypatch)["Resources"]
    [mapping] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "DeliverNotifications"}
    ]
    assert mapping["EventSourceArn"] == {"Fn::Sub": "${NotificationsQueue.Arn}"}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    # SAM adds no role of its own: the function's is DeliverRole (checked below)
    assert resources["DeliverNotifications"]["Properties"]["Role"] == {
        "Fn::GetAtt": ["DeliverRole", "Arn"]
    }


def test_at_most_as_many_deliverers_at_once_as_the_pipeline_shares_the_ses_rate_between():
    """Each deliverer sends at SesRate / DELIVERER_CONCURRENCY; the mapping must not run more
    of them at once, or the stack would send faster than SES allows."""
    from chalicelib.services import notifications

    concurrency = getattr(notifications, "DELIVERER_CONCURRENCY", None)
    if concurrency is None:  # the pipeline's constant, on its own branch until merged
        pytest.skip("chalicelib.services.notifications.DELIVERER_CONCURRENCY: check at merge")
    mapping = trigger("DeliverNotifications", "SQS")
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == concurrency


def test_at_the_default_ses_rate_a_full_batch_is_emailed_within_the_deliverers_timeout():
    mapping = trigger("DeliverNotifications", "SQS")
    emails = mapping["BatchSize"] * RECIPIENTS_PER_MESSAGE
    concurrency = mapping["ScalingConfig"]["MaximumConcurrency"]
    per_deliverer = packaged().template["Parameters"]["SesRate"]["Default"] / concurrency
    assert emails / per_deliverer <= 0.8 * properties("DeliverNotifications")["Timeout"]


# ---------------------------------------------------------------- the notifier and the schedule


def test_the_notifier_reads_the_tables_stream_beside_the_tallies_and_gives_up_into_a_queue():
    stream = trigger("Notify", "DynamoDB")
    assert stream["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert (stream["BatchSize"], stream["StartingPosition"]) == (100, "TRIM_HORIZON")
    assert stream["BisectBatchOnFunctionError"] is True
    assert 0 <= stream["MaximumRetryAttempts"] <= 10
    assert stream["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["NotifierFailures", "Arn"]},
    }
    failures = properties("NotifierFailures")
    assert failures["SqsManagedSseEnabled"] is True
    assert failures["MessageRetentionPeriod"] == 14 * DAY


def test_only_new_items_of_the_partitions_events_come_from_start_the_notifier():
    """Each notification written is a stream record too: unfiltered, 100,000 of them would
    start the notifier 1,000 times for nothing, and every ballot once more."""
    from chalicelib.domain.notification_events import EVENT_PARTITIONS

    (only,) = trigger("Notify", "DynamoDB")["FilterCriteria"]["Filters"]
    pattern = json.loads(only["Pattern"])
    assert pattern["eventName"] == ["INSERT"]
    prefixes = [choice["prefix"] for choice in pattern["dynamodb"]["Keys"]["pk"]["S"]]
    assert prefixes == list(EVENT_PARTITIONS)


def test_the_schedule_runs_every_five_minutes():
    assert trigger("NotificationSchedule", "Schedule")["Schedule"] == "rate(5 minutes)"


def test_no_notification_function_runs_longer_than_its_trigger_allows():
    for function in NOTIFIERS:
        assert properties(function)["Timeout"] <= 300, function
    # a schedule run ends before the next one starts
    assert properties("NotificationSchedule")["Timeout"] < 5 * 60


# ---------------------------------------------------------------- settings

NOTIFICATION_SETTINGS = {
    "HUB_NOTIFICATIONS_QUEUE_URL": {"Ref": QUEUE},
    "HUB_WEB_URL": {"Fn::Sub": "https://${Distribution.DomainName}"},
    "HUB_MAIL_FROM": {
        "Fn::If": [
            "MailFromNamed",
            {"Fn::Sub": "${MailFromName} <${MailFrom}>"},
            {"Ref": "MailFrom"},
        ]
    },
    "HUB_SES_RATE": {"Ref": "SesRate"},
}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_only_the_notifications_functions_know_the_queue_and_the_sender(function):
    environment = packaged().environment(function)
    told = {name: environment.get(name) for name in NOTIFICATION_SETTINGS}
    if function in NOTIFIERS:
        assert told == NOTIFICATION_SETTINGS
    else:
        assert told == dict.fromkeys(NOTIFICATION_SETTINGS)


def test_the_settings_the_stack_gives_are_ones_the_code_reads():
    for variable in NOTIFICATION_SETTINGS:
        field = variable.removeprefix("HUB_").lower()
        assert field in Settings.model_fields, variable


def test_the_sender_is_a_parameter_each_deployment_names_and_the_rate_defaults_to_the_codes():
    parameters = packaged().template["Parameters"]
    assert "Default" not in parameters["MailFrom"]
    assert parameters["SesRate"]["Default"] == Settings.model_fields["ses_rate"].default
    assert parameters["SesRate"]["MinValue"] > 0
    assert parameters["SesRate"]["MaxValue"] <= 1000  # what the settings accept


@pytest.mark.parametrize(
    ("address", "accepted"),
    [
        ("hub@ville.example", True),
        ("notifications.hub+fr@mairie-ville.example.fr", True),
        ("Hub <hub@ville.example>", False),  # the name is MailFromName's
        ("hub@ville", False),
        ("", False),
        ("hub@ville.example,other@ville.example", False),
    ],
)
def test_the_sender_parameter_is_one_address(address, accepted):
    pattern = packaged().template["Parameters"]["MailFrom"]["AllowedPattern"]
    assert (re.fullmatch(pattern, address) is not None) is accepted


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("Hub", True),
        ("Mairie de Saint-Étienne", True),
        ("", True),
        ('Hub" <evil@example.org>', False),
        ("Hub <x>", False),
        ("Hub, la mairie", False),
    ],
)
def test_the_senders_name_cannot_smuggle_another_address(name, accepted):
    pattern = packaged().template["Parameters"]["MailFromName"]["AllowedPattern"]
    assert (re.fullmatch(pattern, name) is not None) is accepted


# ---------------------------------------------------------------- least privilege

IDENTITY = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
# Every SQS and SES action any role of the stack may take, and on what.
QUEUE_AND_EMAIL = {
    "ApiRole": set(),
    "CloserRole": set(),
    "TallyRole": {("sqs:SendMessage", "TallyFailures.Arn")},
    "NotifyRole": {
        ("sqs:SendMessage", "NotifierFailures.Arn"),  # Lambda's on-failure destination
        ("sqs:SendMessage", f"{QUEUE}.Arn"),
    },
    "DeliverRole": {
        *(
            (f"sqs:{action}", f"{QUEUE}.Arn")
            for action in (
                "ReceiveMessage",  # Lambda's mapping, with this role
                "DeleteMessage",
                "GetQueueAttributes",
                "ChangeMessageVisibility",
                "SendMessage",  # continuations and deliver messages
            )
        ),
        ("ses:SendEmail", IDENTITY + "${MailFrom}"),
        ("ses:SendEmail", IDENTITY + "${Domain}"),
        ("ses:SendRawEmail", IDENTITY + "${MailFrom}"),
        ("ses:SendRawEmail", IDENTITY + "${Domain}"),
    },
    "NotificationScheduleRole": {("sqs:SendMessage", f"{QUEUE}.Arn")},
}


def test_each_function_has_a_role_of_its_own():
    roles = {role_of(function) for function in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS)
    assert roles == set(QUEUE_AND_EMAIL)


@pytest.mark.parametrize("role", sorted(QUEUE_AND_EMAIL))
def test_each_role_may_use_the_queues_and_email_as_its_function_needs_and_no_more(role):
    assert grants(role, ("sqs", "ses")) == QUEUE_AND_EMAIL[role]


def test_the_api_may_neither_enqueue_nor_send_email():
    actions = {action for action, _ in grants("ApiRole", ("sqs", "ses", "sesv2"))}
    assert actions == set()
    services = {
        action.split(":")[0]
        for statement in statements("ApiRole")
        for action in as_list(statement["Action"])
    }
    assert services == {"logs", "dynamodb"}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_role_allows_a_wildcard_action_or_any_resource(function):
    """Only X-Ray's managed policy names `*` (it has no resource-level permissions)."""
    role = role_of(function)
    for statement in statements(role):
        assert statement["Effect"] == "Allow", role
        for action in as_list(statement["Action"]):
            assert "*" not in action, (role, action)
        for resource in as_list(statement["Resource"]):
            # the table's stream ARN ends in its creation time: its one wildcard
            assert "*" not in named(resource) or named(resource) == "${Table.Arn}/stream/*", role


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_writes_its_logs_into_its_own_log_group_only(function):
    log_group = properties(function)["LoggingConfig"]["LogGroup"]["Ref"]
    assert grants(role_of(function), ("logs",)) == {
        ("logs:CreateLogStream", f"{log_group}.Arn"),
        ("logs:PutLogEvents", f"{log_group}.Arn"),
    }


def test_the_deliverer_sends_email_from_the_stacks_sender_only():
    [email] = [s for s in statements("DeliverRole") if "ses:SendEmail" in as_list(s["Action"])]
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}
    # the identity SES verified: the address itself, or the domain after its @
    [*_, by_domain] = email["Resource"]
    assert by_domain["Fn::Sub"][1] == {
        "Domain": {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "MailFrom"}]}]}
    }
