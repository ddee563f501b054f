"""The packaged CloudFormation template: what must hold for the city to trust a deployment.

The template is the one `make package` builds (chalice package merged with
infra/template.yaml); the expectations come from the code itself where they can (the
PynamoDB models, the app's registered functions, the Python these tests run on)."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from chalicelib import messages
from chalicelib.domain import errors
from chalicelib.store import models
from chalicelib.store.models import TableMeta, TableSchema
from infra.package import RUNTIME_ENVIRONMENT, default_locale, merge_template, tool
from tests.infra.packaged import packaged, translated_by_sam

TABLE = "Table"
FUNCTIONS = {
    "APIHandler",
    "CountBallots",
    "CloseDueConsultations",
    "Notify",
    "DeliverNotifications",
    "NotificationSchedule",
}
# The notifications' functions (docs/operations.md, "Notifications in the cloud").
NOTIFIERS = {"Notify", "DeliverNotifications", "NotificationSchedule"}


def table() -> dict[str, Any]:
    return packaged().resources[TABLE]


def key_schema(keys: list[dict[str, str]]) -> tuple[str, ...]:
    """(hash, range) attribute names, whatever order DynamoDB or PynamoDB list them in."""
    by_type = {key["KeyType"]: key["AttributeName"] for key in keys}
    return tuple(by_type[t] for t in ("HASH", "RANGE") if t in by_type)


def indexes_of_the_code() -> dict[str, tuple[tuple[str, ...], str]]:
    """Every GSI any PynamoDB model of the table declares: name -> (keys, projection)."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for model in models.every_model():
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


def test_only_ballot_writes_start_the_tally_consumer():
    """The stream's filter lets through exactly the sort keys ballot_changes counts."""
    from chalicelib.store import keys

    events = packaged().functions["CountBallots"]["Properties"]["Events"]
    [trigger] = [e["Properties"] for e in events.values() if e["Type"] == "DynamoDB"]
    prefixes = {
        json.loads(f["Pattern"])["dynamodb"]["Keys"]["sk"]["S"][0]["prefix"]
        for f in trigger["FilterCriteria"]["Filters"]
    }
    assert prefixes == {keys.VOTER_PREFIX, keys.SECRET_BALLOT_PREFIX}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_settings_come_from_the_stack_never_a_literal_or_a_secret(function):
    environment = packaged().environment(function)
    assert environment["HUB_STAGE"] == "cloud"
    assert environment["HUB_TABLE"] == {"Ref": TABLE}
    # The issuer's settings: the parameters, or the stack's own user pool without an issuer
    # (tests/infra/test_web_distribution.py).
    for variable, parameter in (
        ("HUB_JWT_ISSUER", "OidcIssuer"),
        ("HUB_JWT_AUDIENCE", "OidcAudience"),
        ("HUB_JWKS_URL", "JwksUrl"),
    ):
        condition, _own_pool, given = environment[variable]["Fn::If"]
        assert (condition, given) == ("OwnUserPool", {"Ref": parameter})
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
    assert "{{" not in text  # infra/package.py fills the gateway's words in


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
    assert {role for role, _ in statements} == {
        "ApiRole",
        "TallyRole",
        "CloserRole",
        "NotifyRole",
        "DeliverRole",
        "NotificationScheduleRole",
    }
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
                assert path.split("/", 1)[1] in (
                    "index/gsi1",
                    "index/due",
                    "index/owner",
                    "stream/*",
                ), path


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
        if not properties.get("Dimensions"):
            continue  # the Hub's own metrics: tests/infra/test_observability.py
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
        ("Errors", "Notify"),
        ("IteratorAge", "Notify"),
        ("ApproximateNumberOfMessagesVisible", "NotifierFailures"),
        ("Errors", "DeliverNotifications"),
        ("ApproximateNumberOfMessagesVisible", "NotificationsDeadLetters"),
        ("ApproximateAgeOfOldestMessage", "NotificationsQueue"),
        ("Errors", "NotificationSchedule"),
    }


# ---------------------------------------------------------------- what API Gateway answers itself

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
    assert code in catalogue_codes(), code
    headers = response["ResponseParameters"]["Headers"]
    # A browser on the web client's origin reads the error only with a CORS header: the one
    # origin when WebOrigins names one (never `*`); see test_cors_* below.
    assert headers["Access-Control-Allow-Origin"] == ONE_WEB_ORIGIN_OR_NONE
    assert headers["Vary"] == "'Origin'"
    # Templates cannot negotiate a language: the deployment's default one, or AWS's English.
    locale = "en" if kind == "DEFAULT_4XX" else default_locale()
    assert headers["Content-Language"] == f"'{locale}'"
    if kind != "DEFAULT_4XX":
        assert message == messages.render(locale, "errors", code)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_gateways_words_are_the_catalogues_in_the_default_language(locale):
    class Tagged(yaml.SafeLoader):
        pass

    Tagged.add_multi_constructor("!", lambda loader, tag, node: None)
    template = yaml.load(merge_template(locale), Loader=Tagged)
    answers = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    for kind, code in (("EXPIRED_TOKEN", "not_found"), ("THROTTLED", "throttled")):
        body = json.loads(answers[kind]["ResponseTemplates"]["application/json"])
        assert body == {"error": {"code": code, "message": messages.render(locale, "errors", code)}}
        assert answers[kind]["ResponseParameters"]["Headers"]["Content-Language"] == f"'{locale}'"
    assert template["Globals"]["Function"]["Environment"]["Variables"]["HUB_DEFAULT_LOCALE"] == (
        locale
    )
    assert "{{" not in merge_template(locale)


def test_every_function_runs_with_the_runtime_environment():
    for function in FUNCTIONS:
        assert packaged().environment(function).items() >= RUNTIME_ENVIRONMENT.items(), function


def test_the_functions_default_language_is_the_gateways():
    for function in FUNCTIONS:
        assert packaged().environment(function)["HUB_DEFAULT_LOCALE"] == default_locale()


def test_the_api_declares_the_fallbacks_so_api_gateway_hands_them_to_the_function():
    """Unknown paths and undeclared methods reach Lambda (chalicelib/api/fallback.py), which
    answers in the caller's language; only what API Gateway matches to no resource at all is
    left to MISSING_AUTHENTICATION_TOKEN."""
    paths = packaged().resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    every = {"get", "head", "post", "put", "patch", "delete"}
    assert every <= set(paths["/{proxy+}"])
    assert every <= set(paths["/"]) and every <= set(paths["/v1"])
    assert every <= set(paths["/v1/groups"])  # GET and POST its own, the rest 405
    assert "options" in paths["/v1/groups"]  # the CORS preflight stays API Gateway's
    integration = paths["/{proxy+}"]["get"]["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"


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
    translated = translated_by_sam(monkeypatch)
    [api] = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    deployed = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert set(deployed) == set(gateway_responses())
    assert deployed["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"


# ---------------------------------------------------------------- CORS

ONE_WEB_ORIGIN_OR_NONE = {
    "Fn::If": ["OneWebOrigin", {"Fn::Sub": "'${WebOrigins}'"}, {"Ref": "AWS::NoValue"}]
}


def api_paths() -> dict[str, dict[str, Any]]:
    return packaged().resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]


def test_cors_origins_are_a_stack_parameter_the_functions_read():
    parameter = packaged().template["Parameters"]["WebOrigins"]
    assert parameter["Default"] == ""  # a client on the API's own origin needs no CORS
    for function in FUNCTIONS:
        assert packaged().environment(function)["HUB_WEB_ORIGINS"] == {"Ref": "WebOrigins"}


@pytest.mark.parametrize(
    ("origins", "accepted"),
    [
        ("", True),
        ("https://hub.example.org", True),
        ("https://hub.example.org,http://localhost:8000", True),
        ("*", False),
        ("https://hub.example.org,*", False),
        ("https://*.example.org", False),
        ("https://hub.example.org/app", False),
        ("https://hub.example.org, https://other.example.org", False),
        ("HTTPS://HUB.EXAMPLE.ORG", False),  # browsers send it in lower case
        # Browsers send no default port: the preflight would never match these.
        ("https://hub.example.org:443", False),
        ("http://localhost:80,https://hub.example.org", False),
        ("https://hub.example.org:4430,http://localhost:800", True),
    ],
)
def test_cors_origins_are_refused_at_deploy_unless_a_list_of_origins(origins, accepted):
    """CloudFormation checks the parameter (the functions would refuse to start anyway)."""
    pattern = packaged().template["Parameters"]["WebOrigins"]["AllowedPattern"]
    assert (re.fullmatch(pattern, origins) is not None) is accepted


def test_cors_preflights_are_answered_by_api_gateway_without_the_function():
    paths = api_paths()
    assert len(paths) > 30
    for path, operations in paths.items():
        preflight = operations["options"]
        integration = preflight["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock", path  # no function, no cold start
        assert "uri" not in integration, path
        answer = integration["responses"]["default"]
        static = answer["responseParameters"]
        served = {method.upper() for method in operations if method != "options"}
        allowed = static["method.response.header.Access-Control-Allow-Methods"]
        assert set(allowed.strip("'").split(",")) == served | {"OPTIONS"}, path
        headers = static["method.response.header.Access-Control-Allow-Headers"].strip("'")
        assert {"Authorization", "Content-Type", "Accept-Language", "Idempotency-Key"} <= set(
            headers.split(",")
        )
        assert static["method.response.header.Vary"] == "'Origin'"
        # The origin is never static: only the request's own, when listed.
        assert "method.response.header.Access-Control-Allow-Origin" not in static, path
        declared = preflight["responses"]["200"]["headers"]
        assert "Access-Control-Allow-Origin" in declared, path


def test_cors_preflight_names_the_request_origin_only_when_the_stack_lists_it():
    for path, operations in api_paths().items():
        integration = operations["options"]["x-amazon-apigateway-integration"]
        template = integration["responses"]["default"]["responseTemplates"]["application/json"]
        velocity = template["Fn::Sub"]
        assert '",${WebOrigins},".contains(",$origin,")' in velocity, path
        assert "responseOverride.header.Access-Control-Allow-Origin" in velocity, path


def test_cors_never_allows_every_origin():
    text = packaged().template_path.read_text()
    assert "Access-Control-Allow-Origin: \"'*'\"" not in text
    assert "'*'" not in json.dumps(api_paths())
    for response in gateway_responses().values():
        origin = response["ResponseParameters"]["Headers"].get("Access-Control-Allow-Origin")
        assert origin == ONE_WEB_ORIGIN_OR_NONE


def _condition(expression: Any, parameters: dict[str, str]) -> Any:
    """Evaluates the intrinsic functions a condition of this template uses."""
    if isinstance(expression, dict):
        [(function, argument)] = expression.items()
        if function == "Ref":
            return parameters[argument]
        values = [_condition(a, parameters) for a in argument]
        return {
            "Fn::And": lambda: all(values),
            "Fn::Not": lambda: not values[0],
            "Fn::Equals": lambda: values[0] == values[1],
            "Fn::Join": lambda: values[0].join(values[1]),
            "Fn::Split": lambda: values[1].split(values[0]),
        }[function]()
    return expression


@pytest.mark.parametrize(
    ("origins", "named"),
    [("", False), ("https://hub.example.org", True), ("https://a.org,https://b.org", False)],
)
def test_cors_api_gateway_refusals_name_the_web_origin_only_when_it_is_the_only_one(origins, named):
    condition = packaged().template["Conditions"]["OneWebOrigin"]
    assert _condition(condition, {"WebOrigins": origins}) is named


def test_cors_gateway_responses_keep_their_conditional_origin_once_sam_translates_them(
    monkeypatch,
):
    translated = translated_by_sam(monkeypatch)
    [api] = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    body = api["Properties"]["Body"]
    throttled = body["x-amazon-apigateway-gateway-responses"]["THROTTLED"]["responseParameters"]
    assert throttled["gatewayresponse.header.Access-Control-Allow-Origin"] == (
        ONE_WEB_ORIGIN_OR_NONE
    )
    assert body["paths"]["/v1/me"]["options"]["x-amazon-apigateway-integration"]["type"] == "mock"
