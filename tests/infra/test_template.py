"""The packaged CloudFormation template: what must hold for the city to trust a deployment.

The template is the one `make package` builds (chalice package merged with
infra/template.yaml); the expectations come from the code itself where they can (the
PynamoDB models, the app's registered functions, the Python these tests run on)."""

from __future__ import annotations

import copy
import inspect
import json
import re
import subprocess
import sys
from typing import Any

import pytest
from pynamodb.models import Model

from chalicelib.domain import errors
from chalicelib.store import models
from chalicelib.store.models import TableMeta, TableSchema
from infra.package import tool
from tests.infra.packaged import packaged

TABLE = "Table"
FUNCTIONS = {"APIHandler", "CountBallots", "CloseDueConsultations"}


def table() -> dict[str, Any]:
    return packaged().resources[TABLE]


def key_schema(keys: list[dict[str, str]]) -> tuple[str, ...]:
    """(hash, range) attribute names, whatever order DynamoDB or PynamoDB list them in."""
    by_type = {key["KeyType"]: key["AttributeName"] for key in keys}
    return tuple(by_type[t] for t in ("HASH", "RANGE") if t in by_type)


def indexes_of_the_code() -> dict[str, tuple[tuple[str, ...], str]]:
    """Every GSI any PynamoDB model of the table declares: name -> (keys, projection)."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for model in vars(models).values():
        if inspect.isclass(model) and issubclass(model, Model) and model is not Model:
            for index in model._get_schema()["global_secondary_indexes"]:
                shape = (key_schema(index["key_schema"]), index["projection"]["ProjectionType"])
                assert found.setdefault(index["index_name"], shape) == shape, index["index_name"]
    return found


def dynamodb_statements() -> list[tuple[str, dict[str, Any]]]:
    """(role, statement) for every IAM statement that allows a DynamoDB action."""
    found = []
    for name, role in packaged().of_type("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                if any(action.startswith("dynamodb:") for action in actions):
                    found.append((name, statement))
    return found


# ---------------------------------------------------------------- lint


def test_cfn_lint_accepts_the_packaged_template():
    linted = subprocess.run(
        [tool("cfn-lint"), str(packaged().template_path)], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert linted.stdout == ""


# ---------------------------------------------------------------- the table keeps its data


def test_the_table_survives_the_stack_and_can_be_restored():
    resource = table()
    assert resource["Type"] == "AWS::DynamoDB::Table"
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    properties = resource["Properties"]
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert "TableName" not in properties  # named by the stack; the code gets it by Ref


def test_the_table_is_the_one_the_code_creates_locally():
    properties = table()["Properties"]
    schema = TableSchema._get_schema()
    assert properties["BillingMode"] == TableMeta.billing_mode
    assert properties["StreamSpecification"] == {"StreamViewType": TableMeta.stream_view_type}
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": TableSchema._ttl_attribute().attr_name,
        "Enabled": True,
    }
    assert key_schema(properties["KeySchema"]) == key_schema(schema["key_schema"])
    as_pairs = {(a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]}
    assert {
        (a["AttributeName"], a["AttributeType"]) for a in properties["AttributeDefinitions"]
    } == as_pairs


def test_every_index_the_models_declare_is_in_the_template_with_the_same_keys():
    declared = indexes_of_the_code()
    assert set(declared) >= {"gsi1", "due"}  # the derivation itself found them
    in_template = {
        index["IndexName"]: (key_schema(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in table()["Properties"]["GlobalSecondaryIndexes"]
    }
    assert in_template == declared


# ---------------------------------------------------------------- the functions


def test_the_functions_run_on_the_python_the_tests_run_on():
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert set(packaged().functions) == FUNCTIONS
    for name, function in packaged().functions.items():
        assert function["Properties"]["Runtime"] == runtime, name


def test_the_closer_runs_every_minute():
    events = packaged().functions["CloseDueConsultations"]["Properties"]["Events"]
    assert [e["Properties"]["Schedule"] for e in events.values() if e["Type"] == "Schedule"] == [
        "rate(1 minute)"
    ]


def test_the_tally_consumer_reads_the_tables_stream_and_gives_up_into_a_queue():
    events = packaged().functions["CountBallots"]["Properties"]["Events"]
    [trigger] = [e["Properties"] for e in events.values() if e["Type"] == "DynamoDB"]
    assert trigger["Stream"] == {"Fn::GetAtt": [TABLE, "StreamArn"]}
    assert trigger["BisectBatchOnFunctionError"] is True
    assert 0 <= trigger["MaximumRetryAttempts"] <= 10
    assert trigger["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["TallyFailures", "Arn"]},
    }
    assert packaged().resources["TallyFailures"]["Type"] == "AWS::SQS::Queue"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_settings_come_from_the_stack_never_a_literal_or_a_secret(function):
    environment = packaged().environment(function)
    assert environment["HUB_STAGE"] == "cloud"
    assert environment["HUB_TABLE"] == {"Ref": TABLE}
    assert environment["HUB_JWT_ISSUER"] == {"Ref": "OidcIssuer"}
    assert environment["HUB_JWT_AUDIENCE"] == {"Ref": "OidcAudience"}
    assert environment["HUB_JWKS_URL"] == {"Ref": "JwksUrl"}
    assert environment["HUB_CURSOR_SECRET"] == {"Ref": "CursorSecret"}
    assert "HUB_DEV_JWT_SECRET" not in environment
    assert "HUB_DYNAMODB_ENDPOINT" not in environment
    for parameter in ("OidcIssuer", "OidcAudience", "JwksUrl", "CursorSecret"):
        assert parameter in packaged().template["Parameters"]


def test_the_cursor_secret_is_a_parameter_never_shown_and_long_enough():
    parameter = packaged().template["Parameters"]["CursorSecret"]
    assert parameter["NoEcho"] is True
    assert parameter["MinLength"] >= 32
    assert "Default" not in parameter  # each deployment brings its own


def test_the_packaging_placeholders_reach_no_part_of_the_template():
    text = packaged().template_path.read_text()
    assert "set-by-the-stack" not in text
    assert "each-function-gets-its-role-from-infra-template" not in text
    assert "hub-local" not in text


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_has_its_own_role_and_log_group_with_retention(function):
    properties = packaged().functions[function]["Properties"]
    role = properties["Role"]["Fn::GetAtt"][0]
    assert packaged().resources[role]["Type"] == "AWS::IAM::Role"
    others = FUNCTIONS - {function}
    assert all(
        packaged().functions[other]["Properties"]["Role"]["Fn::GetAtt"][0] != role
        for other in others
    )
    log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
    assert packaged().resources[log_group]["Properties"]["RetentionInDays"] == {
        "Ref": "LogRetentionDays"
    }


# ---------------------------------------------------------------- least privilege


def test_no_dynamodb_statement_reaches_beyond_the_table():
    """Every resource of every DynamoDB statement is the table, one of its indexes or its
    stream, named through the table resource: no `*`, no other table, no literal ARN."""
    statements = dynamodb_statements()
    assert {role for role, _ in statements} == {"ApiRole", "TallyRole", "CloserRole"}
    for role, statement in statements:
        assert statement["Effect"] == "Allow"
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource != "*", role
            if "Fn::GetAtt" in resource:
                assert resource["Fn::GetAtt"] in ([TABLE, "Arn"], [TABLE, "StreamArn"]), role
            else:
                path = resource["Fn::Sub"]
                assert path.startswith("${Table.Arn}/"), (role, path)
                assert path.split("/", 1)[1] in ("index/gsi1", "index/due", "stream/*"), path


def test_no_role_may_manage_the_table_itself():
    forbidden = {
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:CreateTable",
        "dynamodb:*",
    }
    for role, statement in dynamodb_statements():
        actions = statement["Action"]
        assert not forbidden & set([actions] if isinstance(actions, str) else actions), role


# ---------------------------------------------------------------- the API and the alarms


def test_the_api_stage_is_throttled_by_parameters():
    [settings] = packaged().resources["RestAPI"]["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")


def test_alarms_watch_what_can_go_wrong_and_tell_the_topic():
    alarms = packaged().of_type("AWS::CloudWatch::Alarm").values()
    watched = set()
    for alarm in alarms:
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]
        dimension = properties["Dimensions"][0]["Value"]
        subject = dimension.get("Ref") or dimension.get("Fn::GetAtt", [None])[0]
        watched.add((properties["MetricName"], subject))
    assert watched >= {
        ("5XXError", "AWS::StackName"),
        ("Errors", "APIHandler"),
        ("Throttles", "APIHandler"),
        ("Errors", "CountBallots"),
        ("Throttles", "CountBallots"),
        ("IteratorAge", "CountBallots"),
        ("ApproximateNumberOfMessagesVisible", "TallyFailures"),
        ("Errors", "CloseDueConsultations"),
        ("Throttles", "CloseDueConsultations"),
    }


# ---------------------------------------------------------------- what API Gateway answers itself

# Codes only API Gateway answers (the functions never throttle a caller themselves).
GATEWAY_ONLY_CODES = {"throttled"}
# The answers of API Gateway that mean no route matched (see infra/template.yaml): whatever
# the request's Authorization header, the Hub's 404.
NO_ROUTE = ("MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE", "EXPIRED_TOKEN")


def gateway_responses() -> dict[str, dict[str, Any]]:
    return packaged().resources["RestAPI"]["Properties"]["GatewayResponses"]


def gateway_body(response: dict[str, Any]) -> Any:
    """The body API Gateway sends, its own message substituted where the template asks."""
    template = response["ResponseTemplates"]["application/json"]
    message = json.dumps('Request too long: "10 MB" max')  # quotes must stay JSON
    return json.loads(template.replace("$context.error.messageString", message))


def catalogue_codes() -> set[str]:
    return {
        error.code
        for error in vars(errors).values()
        if inspect.isclass(error) and issubclass(error, errors.HubError)
    }


def test_a_request_no_route_matches_is_404_not_found_in_the_cloud_too():
    for kind in NO_ROUTE:
        response = gateway_responses()[kind]
        assert response["StatusCode"] == 404, kind
        assert gateway_body(response)["error"]["code"] == "not_found", kind


def test_throttling_at_the_stage_is_429_throttled_with_a_retry_after():
    response = gateway_responses()["THROTTLED"]
    assert response["StatusCode"] == 429
    assert gateway_body(response)["error"]["code"] == "throttled"
    assert response["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"


@pytest.mark.parametrize("kind", [*NO_ROUTE, "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"])
def test_what_api_gateway_answers_itself_has_the_hubs_error_shape(kind):
    response = gateway_responses()[kind]
    body = gateway_body(response)
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message"}
    code, message = body["error"]["code"], body["error"]["message"]
    assert isinstance(message, str) and message
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code)
    assert code in catalogue_codes() | GATEWAY_ONLY_CODES, code
    headers = response["ResponseParameters"]["Headers"]
    # A browser on another origin reads the error only with the CORS header the app sends.
    assert headers["Access-Control-Allow-Origin"] == "'*'"
    assert headers["Content-Language"] == "'en'"  # templates cannot negotiate a language


def test_any_other_refusal_keeps_its_status_and_a_failure_keeps_aws_words_out():
    defaults = {kind: gateway_responses()[kind] for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}
    assert all("StatusCode" not in response for response in defaults.values())
    assert gateway_body(defaults["DEFAULT_4XX"])["error"]["code"] == "bad_request"
    failure = defaults["DEFAULT_5XX"]["ResponseTemplates"]["application/json"]
    assert "$" not in failure
    assert gateway_body(defaults["DEFAULT_5XX"])["error"]["code"] == "internal_error"


def test_the_gateway_responses_are_part_of_the_deployed_api_definition(monkeypatch):
    """SAM writes them into the API's OpenAPI body: a change there redeploys the stage (a
    separate GatewayResponse resource would wait for the next unrelated deployment)."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    template = copy.deepcopy(packaged().template)
    for function in template["Resources"].values():
        if function["Type"] == "AWS::Serverless::Function":
            function["Properties"]["CodeUri"] = "s3://bucket/deployment.zip"  # not uploaded
    translated = transform(template, {}, NoManagedPolicies())
    [api] = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    deployed = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert set(deployed) == set(gateway_responses())
    assert deployed["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
