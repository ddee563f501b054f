"""What the operators see of a deployed Hub: its metrics, its alarms, its dashboard, its traces.

The metrics are the ones chalicelib/telemetry.py names (the code publishes them in the
embedded metric format); the alarms and the dashboard of the packaged template may read no
other, and only with the dimensions the code publishes them with: CloudWatch would show an
empty graph or an alarm that never fires, without a word."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.settings import Settings
from chalicelib.telemetry import Metric
from tests.infra.packaged import packaged, translated_by_sam
from tests.infra.test_template import FUNCTIONS, _condition

# The stack's own namespace: two stacks in one account never mix their figures.
NAMESPACE = {"Fn::Sub": "Hub/${AWS::StackName}"}
# How the dashboard's body names it once its ${...} are replaced (see dashboard_body).
NAMESPACE_IN_THE_DASHBOARD = "Hub/<AWS::StackName>"


def alarms() -> dict[str, dict[str, Any]]:
    return {
        name: alarm["Properties"]
        for name, alarm in packaged().of_type("AWS::CloudWatch::Alarm").items()
    }


def hub_metrics_of(alarm: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(metric name, {dimension: value}) for each of the Hub's own metrics an alarm reads,
    whether it watches one metric or a metric math expression over several."""
    if "MetricName" in alarm:
        stats = [alarm]
    else:
        stats = [
            query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query
        ]
    return [
        (stat["MetricName"], {d["Name"]: d["Value"] for d in stat.get("Dimensions", [])})
        for stat in stats
        if stat["Namespace"] == NAMESPACE
    ]


def route_families() -> set[str]:
    """The RouteFamily values the API publishes: the first path segment after /v1 of each
    declared route, and `unmatched` for any other path (chalicelib/telemetry.py)."""
    from chalicelib.api import contract

    families = {operation.path.split("/")[1] for operation in contract.every_operation()}
    return families | {"unmatched"}


def dashboard() -> dict[str, Any]:
    [resource] = packaged().of_type("AWS::CloudWatch::Dashboard").values()
    return resource["Properties"]


def dashboard_body() -> dict[str, Any]:
    """The dashboard's JSON, each ${...} CloudFormation substitutes written <...>."""
    text = dashboard()["DashboardBody"]["Fn::Sub"]
    return json.loads(re.sub(r"\$\{([^}]+)\}", r"<\1>", text))


SEARCH = re.compile(r"""SEARCH\('\{"([^"]+)",([A-Za-z,]+)\} MetricName="(\w+)"', '(\w+)', \d+\)""")


def dashboard_metrics() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(namespace, metric, dimension names, statistic) for every graph line of the
    dashboard: a metric it names, or each metric a SEARCH expression finds."""
    found = []
    for widget in dashboard_body()["widgets"]:
        if widget["type"] != "metric":
            continue
        default_stat = widget["properties"].get("stat", "Average")
        for line in widget["properties"]["metrics"]:
            *names, options = line if isinstance(line[-1], dict) else [*line, {}]
            if "expression" in options:
                search = SEARCH.fullmatch(options["expression"])
                assert search, options["expression"]
                namespace, dimensions, metric, stat = search.groups()
                found.append((namespace, metric, tuple(dimensions.split(",")), stat))
            else:
                namespace, metric, *pairs = names
                stat = options.get("stat", default_stat)
                found.append((namespace, metric, tuple(pairs[0::2]), stat))
    return found


# ---------------------------------------------------------------- the namespace


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_publishes_its_metrics_in_the_stacks_own_namespace(function):
    assert packaged().environment(function)["HUB_METRICS_NAMESPACE"] == NAMESPACE
    assert "metrics_namespace" in Settings.model_fields  # the setting the variable fills


# ---------------------------------------------------------------- the alarms


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_clears():
    for name, alarm in alarms().items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopicArn"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopicArn"}], name
        assert alarm["AlarmDescription"], name


def test_every_metric_of_the_hub_an_alarm_reads_is_one_the_code_publishes_as_it_does():
    read = [metric for alarm in alarms().values() for metric in hub_metrics_of(alarm)]
    assert read  # the derivation found the Hub's own
    for name, dimensions in read:
        assert name in set(Metric), name
        assert tuple(dimensions) == Metric(name).dimensions, name


def test_the_hubs_own_metrics_warn_of_a_stopped_closer_stale_tallies_and_recount_mismatches():
    watched = {name for alarm in alarms().values() for name, _ in hub_metrics_of(alarm)}
    assert watched >= {
        Metric.CLOSER_RUNS,
        Metric.TALLY_LAG,
        Metric.TALLY_MISMATCHES,
        Metric.SERVER_ERRORS,
    }


def only_alarm_on(metric: Metric) -> dict[str, Any]:
    [alarm] = [a for a in alarms().values() if {n for n, _ in hub_metrics_of(a)} == {metric}]
    return alarm


def test_a_closer_that_stops_running_alarms_even_though_it_publishes_nothing():
    alarm = only_alarm_on(Metric.CLOSER_RUNS)
    assert (alarm["Statistic"], alarm["Period"] * alarm["EvaluationPeriods"]) == ("Sum", 300)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert alarm["TreatMissingData"] == "breaching"  # no run publishes no figure


def test_tallies_two_minutes_behind_the_ballots_alarm():
    alarm = only_alarm_on(Metric.TALLY_LAG)
    assert alarm["Statistic"] == "Maximum"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 120_000)
    assert Metric.TALLY_LAG.unit == "Milliseconds"
    assert alarm["TreatMissingData"] == "notBreaching"  # no ballots, no lag


def test_a_single_recount_mismatch_alarms():
    alarm = only_alarm_on(Metric.TALLY_MISMATCHES)
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Sum",
        "GreaterThanOrEqualToThreshold",
        1,
    )


def test_a_server_error_on_any_route_family_alarms():
    """Alarms cannot SEARCH: the sum of ServerErrors names each family the API declares, so
    a new family must be added there (this test says which)."""
    alarm = only_alarm_on(Metric.SERVER_ERRORS)
    summed = {dimensions["RouteFamily"] for _, dimensions in hub_metrics_of(alarm)}
    assert summed == route_families()
    queries = alarm["Metrics"]
    assert len([q for q in queries if "MetricStat" in q]) <= 10  # CloudWatch's limit
    [watched] = [q for q in queries if q.get("ReturnData", True)]
    ids = {q["Id"] for q in queries if "MetricStat" in q}
    assert re.fullmatch(r"SUM\(\[([a-z_, ]+)\]\)", watched["Expression"])
    assert set(re.findall(r"[a-z_]+", watched["Expression"].removeprefix("SUM"))) == ids
    assert all(q["MetricStat"]["Stat"] == "Sum" for q in queries if "MetricStat" in q)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)


# ---------------------------------------------------------------- the dashboard


def test_one_dashboard_per_stack_and_region():
    assert len(packaged().of_type("AWS::CloudWatch::Dashboard")) == 1
    assert dashboard()["DashboardName"] == {"Fn::Sub": "${AWS::StackName}-${AWS::Region}"}


def test_every_metric_of_the_hub_the_dashboard_graphs_is_one_the_code_publishes_as_it_does():
    graphed = [m for m in dashboard_metrics() if m[0] == NAMESPACE_IN_THE_DASHBOARD]
    assert graphed
    for _, name, dimensions, _ in graphed:
        assert name in set(Metric), name
        assert dimensions == Metric(name).dimensions, name
    assert {namespace for namespace, *_ in dashboard_metrics()} <= {
        NAMESPACE_IN_THE_DASHBOARD,
        "AWS/Lambda",
        "AWS/ApiGateway",
        "AWS/SQS",
    }


def test_the_dashboard_shows_traffic_errors_latency_ballots_tallies_and_the_closer():
    graphed = {(name, stat) for namespace, name, _, stat in dashboard_metrics()}
    assert graphed >= {
        (Metric.REQUESTS, "Sum"),
        (Metric.SERVER_ERRORS, "Sum"),
        (Metric.LATENCY, "p50"),
        (Metric.LATENCY, "p99"),
        (Metric.REFUSALS, "Sum"),
        (Metric.BALLOTS_CAST, "Sum"),
        (Metric.TALLY_LAG, "Maximum"),
        (Metric.TALLY_MISMATCHES, "Sum"),
        (Metric.CLOSER_RUNS, "Sum"),
        (Metric.CONSULTATIONS_CLOSED, "Sum"),
        (Metric.CONSULTATIONS_FINALISED, "Sum"),
    }


def test_the_dashboard_shows_notifications_sent_by_channel_and_the_queues():
    graphed = set(dashboard_metrics())
    assert (NAMESPACE_IN_THE_DASHBOARD, Metric.NOTIFICATIONS_SENT, ("Channel",), "Sum") in graphed
    queues = {
        (line[1], line[3])
        for widget in dashboard_body()["widgets"]
        if widget["type"] == "metric"
        for line in widget["properties"]["metrics"]
        if line[0] == "AWS/SQS"
    }
    assert queues >= {
        ("ApproximateNumberOfMessagesVisible", "<NotificationsQueue.QueueName>"),
        ("ApproximateAgeOfOldestMessage", "<NotificationsQueue.QueueName>"),
        ("ApproximateNumberOfMessagesVisible", "<NotificationsDeadLetters.QueueName>"),
        ("ApproximateNumberOfMessagesVisible", "<NotifierFailures.QueueName>"),
    }


def queue_alarm(metric: str, queue: str) -> dict[str, Any]:
    [alarm] = [
        a
        for a in alarms().values()
        if a.get("MetricName") == metric
        and a["Dimensions"]
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    ]
    return alarm


def test_a_single_notification_given_up_on_alarms():
    for queue in ("NotificationsDeadLetters", "NotifierFailures"):
        alarm = queue_alarm("ApproximateNumberOfMessagesVisible", queue)
        assert alarm["Namespace"] == "AWS/SQS"
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
        )


def test_notifications_waiting_more_than_a_quarter_of_an_hour_alarm():
    alarm = queue_alarm("ApproximateAgeOfOldestMessage", "NotificationsQueue")
    assert (alarm["Statistic"], alarm["ComparisonOperator"]) == ("Maximum", "GreaterThanThreshold")
    assert alarm["Threshold"] == 15 * 60  # seconds
    assert alarm["TreatMissingData"] == "notBreaching"  # an empty queue publishes nothing


def test_the_dashboard_shows_each_functions_errors_throttles_and_duration():
    lambdas = {
        (line[1], line[3])
        for widget in dashboard_body()["widgets"]
        if widget["type"] == "metric"
        for line in widget["properties"]["metrics"]
        if line[0] == "AWS/Lambda" and line[2] == "FunctionName"
    }
    for function in FUNCTIONS:
        for metric in ("Errors", "Throttles", "Duration"):
            assert (metric, f"<{function}>") in lambdas, (metric, function)


def test_the_dashboard_lists_every_alarm():
    [widget] = [w for w in dashboard_body()["widgets"] if w["type"] == "alarm"]
    assert set(widget["properties"]["alarms"]) == {f"<{name}.Arn>" for name in alarms()}


# ---------------------------------------------------------------- X-Ray


def tracing(value: str) -> bool:
    return _condition(packaged().template["Conditions"]["Traced"], {"Tracing": value})


def test_tracing_is_a_parameter_off_unless_asked_for():
    parameter = packaged().template["Parameters"]["Tracing"]
    assert parameter["Default"] == "PassThrough"
    assert set(parameter["AllowedValues"]) == {"PassThrough", "Active"}
    assert tracing("PassThrough") is False
    assert tracing("Active") is True


TRACED = {"Fn::If": ["Traced", "Active", "PassThrough"]}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_is_traced_only_when_the_stack_says_so(function):
    # On each function: Chalice writes `Tracing` on every one, which Globals could not override.
    assert packaged().functions[function]["Properties"]["Tracing"] == TRACED


def test_the_api_stage_is_traced_only_when_the_stack_says_so():
    assert packaged().resources["RestAPI"]["Properties"]["TracingEnabled"] == {
        "Fn::If": ["Traced", True, False]
    }


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_traced_functions_role_may_write_traces_and_only_then(function):
    role = packaged().functions[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    attached = packaged().resources[role]["Properties"]["ManagedPolicyArns"]
    assert attached == {"Fn::If": ["Traced", [{"Ref": "TracingPolicy"}], {"Ref": "AWS::NoValue"}]}
    policy = packaged().resources["TracingPolicy"]
    assert policy["Condition"] == "Traced"
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert set(statement["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_tracing_reaches_the_functions_and_the_stage_once_sam_translates_them(monkeypatch):
    translated = translated_by_sam(monkeypatch)["Resources"]
    for function in FUNCTIONS:
        assert translated[function]["Type"] == "AWS::Lambda::Function"
        assert translated[function]["Properties"]["TracingConfig"] == {"Mode": TRACED}
    [stage] = [r for r in translated.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert stage["Properties"]["TracingEnabled"] == {"Fn::If": ["Traced", True, False]}
