"""The web client in the cloud (issue 15): one origin, a private bucket, the security headers,
deep links, and the sign-in, as the packaged template (`make package`) declares them.

The CloudFront Functions' JavaScript is run with node on the events CloudFront gives them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from local.front import CONTENT_SECURITY_POLICY
from tests.infra.packaged import packaged

ROOT = Path(__file__).resolve().parents[2]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
NODE = shutil.which("node")


def resource(name: str) -> dict[str, Any]:
    return packaged().resources[name]


def properties(name: str) -> dict[str, Any]:
    return resource(name)["Properties"]


def distribution() -> dict[str, Any]:
    return properties("Distribution")["DistributionConfig"]


def behaviors() -> dict[str, dict[str, Any]]:
    """Every cache behavior by its path pattern; the default one as '*'."""
    found = {"*": distribution()["DefaultCacheBehavior"]}
    found.update({b["PathPattern"]: b for b in distribution()["CacheBehaviors"]})
    return found


def origin(behavior: dict[str, Any]) -> dict[str, Any]:
    [found] = [o for o in distribution()["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    return found


def function_code(name: str) -> str:
    """The function's JavaScript; a `!Sub` one with its variables filled with examples."""
    code = properties(name)["FunctionCode"]
    if isinstance(code, str):
        return code
    text, _variables = code["Fn::Sub"]
    return text.replace("${TokenUrl}", "https://login.ville.example/realms/hub/protocol/token")


def run_function(name: str, request: dict[str, Any]) -> dict[str, Any]:
    """What the CloudFront Function `name` returns for a viewer request, run by node."""
    if NODE is None:
        pytest.fail("node is needed to run the CloudFront Functions (apt-get install nodejs)")
    harness = (
        function_code(name)
        + "\nconst event = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        + "\nprocess.stdout.write(JSON.stringify(handler(event)));"
    )
    event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "request": request}
    ran = subprocess.run(
        [NODE, "-e", harness], input=json.dumps(event), capture_output=True, text=True, check=True
    )
    return json.loads(ran.stdout)


def viewer_request(uri: str, method: str = "GET", **query: str) -> dict[str, Any]:
    return {
        "method": method,
        "uri": uri,
        "querystring": {k: {"value": v} for k, v in query.items()},
        "headers": {"host": {"value": "d111111abcdef8.cloudfront.net"}},
        "cookies": {},
    }


def refs_in(value: Any) -> set[str]:
    """Every resource or parameter `value` refers to (Ref, GetAtt, names inside a Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref":
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(inner, str):
                    found |= refs_in(inner[1])
            else:
                found |= refs_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs_in(inner)
    return found


# ---------------------------------------------------------------- the bucket


def test_the_client_bucket_is_private_encrypted_and_owned_by_the_account():
    bucket = properties("WebBucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert "WebsiteConfiguration" not in bucket  # no public website endpoint


def test_only_the_distribution_reads_the_bucket_and_only_over_tls():
    policy = properties("WebBucketPolicy")
    assert policy["Bucket"] == {"Ref": "WebBucket"}
    statements = policy["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert set(allow["Action"]) <= {"s3:GetObject", "s3:ListBucket"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert "Distribution" in refs_in(source)
    assert ":distribution/${Distribution}" in source["Fn::Sub"]
    [deny] = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_distribution_signs_its_requests_to_the_bucket():
    control = properties("WebOriginAccessControl")["OriginAccessControlConfig"]
    assert control["OriginAccessControlOriginType"] == "s3"
    assert (control["SigningBehavior"], control["SigningProtocol"]) == ("always", "sigv4")
    web = origin(behaviors()["*"])
    assert web["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert web["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert web["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity


# ---------------------------------------------------------------- one origin


def test_the_client_is_the_default_and_cached():
    default = behaviors()["*"]
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert set(default["AllowedMethods"]) == {"GET", "HEAD"}
    assert distribution()["DefaultRootObject"] == "index.html"


def test_v1_goes_to_the_api_stage_uncached_with_everything_but_host():
    api = behaviors()["/v1/*"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(api["AllowedMethods"]) == ALL_METHODS
    assert "FunctionAssociations" not in api  # the API's own 404s stay JSON
    target = origin(api)
    assert target["DomainName"] == {
        "Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    }
    stage = properties("RestAPI")["StageName"]
    assert target["OriginPath"] == f"/{stage}"  # /v1/groups reaches the stage's /v1/groups
    assert target["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_no_error_page_swallows_the_apis_answers():
    assert "CustomErrorResponses" not in distribution()


def test_https_only_over_http2_and_http3():
    assert distribution()["HttpVersion"] == "http2and3"
    for pattern, behavior in behaviors().items():
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https", pattern


# ---------------------------------------------------------------- deep links


def test_deep_links_are_the_clients_index():
    assert behaviors()["*"]["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": ["WebRoutes", "FunctionMetadata.FunctionARN"]},
        }
    ]
    assert properties("WebRoutes")["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert properties("WebRoutes")["AutoPublish"] is True
    for path in ("/", "/debates/abc", "/groups/x/consultations/new", "/signed-in", "/me/"):
        assert run_function("WebRoutes", viewer_request(path))["uri"] == "/index.html", path


def test_files_keep_their_path():
    for path in ("/app.js", "/js/screens/home.js", "/i18n/fr.json", "/config.json", "/x.png"):
        routed = run_function("WebRoutes", viewer_request(path, v="1"))
        assert routed["uri"] == path
        assert routed["querystring"] == {"v": {"value": "1"}}


def test_the_api_never_reaches_the_deep_link_function():
    """/v1/* is its own behavior without a function: a JSON 404 stays a JSON 404."""
    patterns = [p for p, b in behaviors().items() if "FunctionAssociations" in b]
    assert sorted(patterns) == ["*", "/auth/token"]
    assert "/v1/*" in behaviors()


# ---------------------------------------------------------------- the token endpoint


def test_the_token_endpoint_is_on_the_sites_origin():
    token = behaviors()["/auth/token"]
    assert token["CachePolicyId"] == CACHING_DISABLED
    assert token["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert "POST" in token["AllowedMethods"]
    assert token["FunctionAssociations"][0]["FunctionARN"] == {
        "Fn::GetAtt": ["TokenProxy", "FunctionMetadata.FunctionARN"]
    }
    target = origin(token)
    assert target["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    own_pool, external = target["DomainName"]["Fn::If"][1:]
    assert own_pool == {"Fn::Sub": "${SignInDomain}.auth.${AWS::Region}.amazoncognito.com"}
    assert external == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "OidcTokenUrl"}]}]}
    _text, variables = properties("TokenProxy")["FunctionCode"]["Fn::Sub"]
    own_pool_url = variables["TokenUrl"]["Fn::If"][1]["Fn::Sub"]
    assert own_pool_url.endswith(".amazoncognito.com/oauth2/token")


def test_the_token_proxy_posts_to_the_token_endpoints_path():
    routed = run_function("TokenProxy", viewer_request("/auth/token", "POST", code="x"))
    assert routed["uri"] == "/realms/hub/protocol/token"
    assert routed["querystring"] == {}
    refused = run_function("TokenProxy", viewer_request("/auth/token", "GET"))
    assert refused["statusCode"] == 405
    assert refused["headers"]["allow"] == {"value": "POST"}


# ---------------------------------------------------------------- security headers


def test_every_answer_carries_the_security_headers_of_the_local_front():
    config = properties("WebSecurityHeaders")["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"] == {
        "ContentSecurityPolicy": CONTENT_SECURITY_POLICY,
        "Override": True,
    }
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "connect-src 'self';" in CONTENT_SECURITY_POLICY
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert hsts["IncludeSubdomains"] is True
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    for pattern, behavior in behaviors().items():
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}, pattern


# ---------------------------------------------------------------- sign-in


def test_without_an_issuer_the_stack_has_its_own_user_pool_and_public_client():
    conditions = packaged().template["Conditions"]
    assert conditions["OwnUserPool"] == {"Fn::Equals": [{"Ref": "OidcIssuer"}, ""]}
    assert packaged().template["Parameters"]["OidcIssuer"]["Default"] == ""
    for name in ("UserPool", "SignInDomain", "WebClient"):
        assert resource(name)["Condition"] == "OwnUserPool", name
    assert resource("UserPool")["DeletionPolicy"] == "Retain"  # people's accounts stay
    client = properties("WebClient")
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert "openid" in client["AllowedOAuthScopes"]
    assert client["CallbackURLs"] == [{"Fn::Sub": "https://${Distribution.DomainName}/signed-in"}]
    assert client["LogoutURLs"] == [{"Fn::Sub": "https://${Distribution.DomainName}/"}]
    # People sign themselves up: they may set their names and email, nothing else (no
    # custom attribute, nothing the claims the API trusts are made from).
    assert set(client["WriteAttributes"]) == {"email", "name", "given_name", "family_name"}


def test_the_api_trusts_the_pool_and_its_client_or_the_issuer_given():
    environment = packaged().environment("APIHandler")
    issuer = environment["HUB_JWT_ISSUER"]["Fn::If"]
    assert issuer[0] == "OwnUserPool"
    assert issuer[1] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}"
    }
    assert issuer[2] == {"Ref": "OidcIssuer"}
    jwks = environment["HUB_JWKS_URL"]["Fn::If"]
    assert jwks[1]["Fn::Sub"] == issuer[1]["Fn::Sub"] + "/.well-known/jwks.json"
    assert jwks[2] == {"Ref": "JwksUrl"}
    # Cognito's ID tokens carry the app client's id as `aud`; its access tokens have none.
    assert environment["HUB_JWT_AUDIENCE"] == {
        "Fn::If": ["OwnUserPool", {"Ref": "WebClient"}, {"Ref": "OidcAudience"}]
    }


def test_the_api_names_its_function_so_the_sign_in_makes_no_loop():
    """function settings -> web client -> distribution -> API: the API must not refer back."""
    name = properties("APIHandler")["FunctionName"]
    assert name == {"Fn::Sub": "${AWS::StackName}-api"}
    assert "APIHandler" not in refs_in(properties("RestAPI"))
    uris = [
        operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for operations in properties("RestAPI")["DefinitionBody"]["paths"].values()
        for operation in operations.values()
        if operation["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    ]
    assert uris and all(":function:${AWS::StackName}-api/invocations" in uri for uri in uris)
    # the loop this breaks is real: the client needs the distribution, which needs the API
    assert "Distribution" in refs_in(properties("WebClient"))
    assert "RestAPI" in refs_in(properties("Distribution"))


def test_an_external_issuer_must_come_with_its_keys_and_client():
    rule = packaged().template["Rules"]["ExternalIssuerIsComplete"]
    [assertion] = rule["Assertions"]
    required = {ref for check in assertion["Assert"]["Fn::And"] for ref in refs_in(check)}
    assert required == {"JwksUrl", "OidcClientId", "OidcAuthorizeUrl", "OidcTokenUrl"}


def web_config(own_pool: bool) -> dict[str, Any]:
    """The WebConfig output as CloudFormation would render it, with example values."""
    branch = packaged().template["Outputs"]["WebConfig"]["Value"]["Fn::If"][1 if own_pool else 2]
    text = branch["Fn::Sub"] if isinstance(branch["Fn::Sub"], str) else branch["Fn::Sub"][0]
    examples = {
        "Hosted": "https://hub-1.auth.eu-west-3.amazoncognito.com",
        "WebClient": "client123",
        "Distribution.DomainName": "d1.cloudfront.net",
        "OidcAuthorizeUrl": "https://login.ville.example/authorize",
        "OidcClientId": "hub-web",
        "OidcScope": "openid profile",
        "OidcLogoutUrl": "",
    }
    return json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: examples[m[1]], text))


def test_the_stack_says_how_the_client_signs_in():
    outputs = packaged().template["Outputs"]
    for name in ("SiteUrl", "WebBucketName", "DistributionId", "WebConfig"):
        assert name in outputs
    assert outputs["SiteUrl"]["Value"] == {"Fn::Sub": "https://${Distribution.DomainName}"}
    own = web_config(own_pool=True)["oidc"]
    assert own == {
        "authorize": "https://hub-1.auth.eu-west-3.amazoncognito.com/oauth2/authorize",
        "token": "/auth/token",
        "client_id": "client123",
        "scope": "openid email profile",
        "logout": "https://hub-1.auth.eu-west-3.amazoncognito.com/logout?client_id=client123"
        "&logout_uri=https%3A%2F%2Fd1.cloudfront.net%2F",
    }
    external = web_config(own_pool=False)["oidc"]
    assert external["token"] == "/auth/token"
    assert (external["client_id"], external["scope"]) == ("hub-web", "openid profile")


def identity_claims(environ: dict[str, str]) -> Any:
    """The pre-token-generation trigger's handler, loaded from the template's code."""
    code = properties("IdentityClaims")["Code"]["ZipFile"]
    namespace: dict[str, Any] = {}
    with mock.patch.dict(os.environ, environ):
        exec(compile(code, "index.py", "exec"), namespace)
    return namespace["handler"]


def claims_for(handler: Any, identities: Any) -> dict[str, Any]:
    attributes = {"sub": "x", "email": "x@example.org"}
    if identities is not None:
        attributes["identities"] = identities
    event = {"version": "2", "request": {"userAttributes": attributes}, "response": {}}
    answered = handler(event, None)["response"]["claimsAndScopeOverrideDetails"]
    return answered["idTokenGeneration"]["claimsToAddOrOverride"]


def test_identity_verified_comes_from_a_trusted_provider_only():
    pool = properties("UserPool")
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {
        "LambdaArn": {"Fn::GetAtt": ["IdentityClaims", "Arn"]},
        "LambdaVersion": "V2_0",  # V1 claims are strings: the API wants JSON true
    }
    variables = properties("IdentityClaims")["Environment"]["Variables"]
    assert variables == {"VERIFIED_PROVIDERS": {"Ref": "VerifiedIdentityProviders"}}
    handler = identity_claims({"VERIFIED_PROVIDERS": "FranceConnect, Other"})
    france = json.dumps([{"providerName": "FranceConnect", "userId": "1"}])
    google = json.dumps([{"providerName": "Google", "userId": "2"}])
    assert claims_for(handler, france) == {"identity_verified": True}
    assert claims_for(handler, google) == {"identity_verified": False}
    assert claims_for(handler, None) == {"identity_verified": False}  # an account in the pool
    assert claims_for(handler, "not json") == {"identity_verified": False}
    nobody = identity_claims({"VERIFIED_PROVIDERS": ""})
    assert claims_for(nobody, france) == {"identity_verified": False}


def test_the_sign_in_providers_are_a_parameter():
    assert properties("WebClient")["SupportedIdentityProviders"] == {
        "Fn::Split": [",", {"Ref": "SignInProviders"}]
    }
    assert packaged().template["Parameters"]["SignInProviders"]["Default"] == "COGNITO"


# ---------------------------------------------------------------- the client's files


def test_the_package_holds_the_client_and_nothing_of_the_local_stage():
    built = packaged().template_path.parent / "web"
    web = ROOT / "web"
    expected = {
        p.relative_to(web)
        for p in web.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(web).parts)
    }
    found = {p.relative_to(built) for p in built.rglob("*") if p.is_file()}
    assert found == expected
    assert all((built / p).read_bytes() == (web / p).read_bytes() for p in expected)
    local = {p.name for p in (ROOT / "local" / "dev").iterdir()}
    assert not {p.name for p in found} & local  # no dev sign-in page or script
    assert "config.json" not in {str(p) for p in found}  # make deploy writes the cloud's
