"""The metrics' documents are valid CloudWatch embedded metric format (EMF), and the jobs
print theirs (chalicelib/telemetry.py)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib import telemetry
from chalicelib.services import tallies
from chalicelib.telemetry import Metric, Unit


def assert_valid_emf(document: dict[str, Any]) -> None:
    """What CloudWatch requires of an EMF document: `_aws` with an integer millisecond
    Timestamp and directives naming a namespace, dimension sets and metrics (name and unit);
    each metric's value and each dimension's value at the top level, a dimension's value a
    string; at most 30 dimensions per set and 100 metrics per directive."""
    meta = document["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 1.6e12
    assert meta["CloudWatchMetrics"]
    for directive in meta["CloudWatchMetrics"]:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        assert isinstance(directive["Namespace"], str) and directive["Namespace"]
        assert 0 < len(directive["Metrics"]) <= 100
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(document[name], str) and document[name], name
        for metric in directive["Metrics"]:
            assert set(metric) == {"Name", "Unit"}
            assert metric["Unit"] == Metric(metric["Name"]).unit.value
            value = document[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert all(isinstance(v, (int, float)) for v in values), metric["Name"]
            # Published by the dimensions the contract gives it, exactly.
            assert directive["Dimensions"] == [list(Metric(metric["Name"]).dimensions)]


def printed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_every_metric_has_a_unit_and_the_dimensions_the_template_reads():
    assert Metric.LATENCY.unit is Unit.MILLISECONDS and Metric.TALLY_LAG.unit is Unit.MILLISECONDS
    assert Metric.REQUESTS.dimensions == ("RouteFamily",)
    assert Metric.REFUSALS.dimensions == ("Code",)
    assert Metric.CLOSER_RUNS.dimensions == ()


def test_metrics_of_several_dimension_sets_share_one_document():
    values = [
        (Metric.REQUESTS, 1, {"RouteFamily": "debates"}),
        (Metric.LATENCY, 12.5, {"RouteFamily": "debates"}),
        (Metric.REFUSALS, 1, {"Code": "already_voted"}),
        (Metric.BALLOTS_CAST, 1, {"DecisionType": "poll"}),
    ]
    [document] = telemetry.emf_documents(
        values, {"message": "request"}, "Hub/test", 1_700_000_000_000
    )
    assert_valid_emf(document)
    assert document["message"] == "request"
    assert document["_aws"]["Timestamp"] == 1_700_000_000_000
    assert (document["RouteFamily"], document["Requests"], document["Latency"]) == (
        "debates",
        1,
        12.5,
    )
    assert (document["Code"], document["DecisionType"]) == ("already_voted", "poll")
    assert {d["Namespace"] for d in document["_aws"]["CloudWatchMetrics"]} == {"Hub/test"}


def test_a_second_value_of_a_dimension_goes_to_a_document_of_its_own():
    values = [
        (Metric.BALLOTS_CAST, 1, {"DecisionType": "poll"}),
        (Metric.BALLOTS_CAST, 1, {"DecisionType": "poll"}),
        (Metric.BALLOTS_CHANGED, 1, {"DecisionType": "vote"}),
    ]
    fields = {"message": "request", "request_id": "r1", "route": "/v1/x"}
    first, second = telemetry.emf_documents(values, fields, "Hub", 1_700_000_000_000)
    for document in (first, second):
        assert_valid_emf(document)
    assert (first["DecisionType"], first["BallotsCast"]) == ("poll", 2)  # counts add up
    assert (second["DecisionType"], second["BallotsChanged"]) == ("vote", 1)
    assert second["request_id"] == "r1" and "route" not in second


def test_a_duration_recorded_twice_keeps_both_values():
    values = [(Metric.TALLY_LAG, 5.0, {}), (Metric.TALLY_LAG, 7.0, {})]
    [document] = telemetry.emf_documents(values, {}, "Hub", 1_700_000_000_000)
    assert document["TallyLag"] == [5.0, 7.0]
    assert_valid_emf(document)


def test_a_metric_needs_exactly_its_dimensions():
    with pytest.raises(ValueError):
        telemetry.Scope().add(Metric.BALLOTS_CAST, 1)
    with pytest.raises(ValueError):
        telemetry.Scope().add(Metric.CLOSER_RUNS, 1, Code="x")


def test_a_metric_counted_outside_any_request_or_job_gets_a_line_of_its_own(capsys):
    telemetry.count(Metric.BALLOTS_CAST, DecisionType="vote")
    [line] = printed(capsys)
    assert (line["message"], line["BallotsCast"], line["DecisionType"]) == ("metric", 1, "vote")
    assert_valid_emf(line)


def test_a_job_prints_one_line_with_its_zeros_even_when_it_fails(capsys):
    with pytest.raises(KeyError), telemetry.job("closer run", Metric.CONSULTATIONS_OPENED):
        telemetry.count(Metric.CLOSER_RUNS)
        raise KeyError("x")
    [line] = printed(capsys)
    assert (line["level"], line["exception"]) == ("ERROR", "KeyError")
    assert (line["CloserRuns"], line["ConsultationsOpened"]) == (1, 0)
    assert_valid_emf(line)


def stream_record(created: float, pk: str = "GROUP#g1") -> dict[str, Any]:
    return {
        "eventName": "INSERT",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"pk": {"S": pk}, "sk": {"S": "META"}},
            "SequenceNumber": "1",
        },
    }


def test_a_tally_batch_prints_the_age_of_its_oldest_record(capsys):
    now = time.time()
    assert tallies.count_ballots(iter([stream_record(now - 2), stream_record(now - 5)])) == 0
    [line] = printed(capsys)
    assert (line["message"], line["records"], line["ballot_changes"]) == ("tally batch", 2, 0)
    assert 5000 <= line["TallyLag"] < 60_000
    assert_valid_emf(line)
    assert line["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "TallyLag", "Unit": "Milliseconds"}
    ]


def test_in_lambda_the_line_carries_api_gateways_request_id(capsys):
    """As Lambda calls the function: the event's requestContext names the request."""
    from chalice import Chalice

    app = Chalice(app_name="hub")
    telemetry.install_telemetry(app)

    @app.route("/v1/me")
    def me() -> dict[str, str]:
        return {}

    event = {
        "resource": "/v1/me",
        "path": "/v1/me",
        "httpMethod": "GET",
        "headers": {"Accept": "application/json"},
        "multiValueQueryStringParameters": {"q": ["private"]},
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "resourcePath": "/v1/me",
            "httpMethod": "GET",
            "path": "/api/v1/me",
        },
    }
    assert app(event, None)["statusCode"] == 200
    [line] = printed(capsys)
    assert line["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert (line["route"], line["RouteFamily"], line["status"]) == ("/v1/me", "me", 200)
    assert "private" not in json.dumps(line)
