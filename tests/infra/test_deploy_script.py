"""infra/deploy.sh, run against a stand-in `aws` that records what it is asked to do."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "HUB_STACK": "hub-prod",
    "HUB_ARTIFACT_BUCKET": "ville-artefacts",
    "HUB_OIDC_ISSUER": "https://login.ville.example/realms/hub",
    "HUB_JWKS_URL": "https://login.ville.example/realms/hub/certs",
    "HUB_OIDC_CLIENT_ID": "hub-web",
    "HUB_OIDC_AUTHORIZE_URL": "https://login.ville.example/realms/hub/auth",
    "HUB_OIDC_TOKEN_URL": "https://login.ville.example/realms/hub/token",
    "HUB_ALARM_TOPIC_ARN": "arn:aws:sns:eu-west-3:123456789012:hub-alarms",
    "HUB_CURSOR_SECRET": "a-cloud-cursor-secret-0123456789abcdef",
    "HUB_MAIL_FROM": "hub@ville.example",
}


# What the stack answers describe-stacks with (see infra/template.yaml, Outputs).
OUTPUTS = {
    "SiteUrl": "https://d111111abcdef8.cloudfront.net",
    "WebBucketName": "hub-prod-webbucket-1a2b3c",
    "DistributionId": "E2QWRUHEXAMPLE",
    "WebConfig": '{"oidc": {"authorize": "https://login.ville.example/realms/hub/auth",'
    ' "token": "/auth/token", "client_id": "hub-web", "scope": "openid", "logout": ""}}',
}


@pytest.fixture
def world(tmp_path):
    """A build/ to deploy and an `aws` on the PATH that logs each call, one per line (and
    answers describe-stacks with the outputs in OUTPUTS)."""
    build = tmp_path / "build"
    (build / "web").mkdir(parents=True)
    (build / "sam.yaml").write_text("Resources: {}\n")
    (build / "deployment.zip").write_bytes(b"PK")
    (build / "web" / "index.html").write_text("<!doctype html>\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "aws.log"
    outputs = tmp_path / "outputs.txt"
    outputs.write_text("".join(f"{key}\t{value}\n" for key, value in OUTPUTS.items()))
    fake = bin_dir / "aws"
    fake.write_text(
        f'#!/usr/bin/env bash\nprintf "%q " "$@" >> {log}\necho >> {log}\n'
        f'if [[ "$2" == describe-stacks ]]; then cat {outputs}; fi\n'
    )
    fake.chmod(0o755)
    environment = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HUB_BUILD": str(build)}
    return environment, log


def deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "infra" / "deploy.sh")],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_it_uploads_the_bundle_then_deploys_with_the_parameters(world):
    environment, log = world
    ran = deploy({**environment, **SETTINGS})
    assert ran.returncode == 0, ran.stderr
    package, deploy_call, describe, *_web = [
        shlex.split(line) for line in log.read_text().splitlines()
    ]
    assert package[:2] == ["cloudformation", "package"]
    assert package[package.index("--s3-bucket") + 1] == "ville-artefacts"
    assert package[package.index("--template-file") + 1].endswith("build/sam.yaml")
    assert deploy_call[:2] == ["cloudformation", "deploy"]
    assert deploy_call[deploy_call.index("--stack-name") + 1] == "hub-prod"
    assert deploy_call[deploy_call.index("--template-file") + 1].endswith("build/packaged.yaml")
    assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(deploy_call)
    overrides = deploy_call[deploy_call.index("--parameter-overrides") + 1 :]
    assert dict(o.split("=", 1) for o in overrides) == {
        "OidcIssuer": "https://login.ville.example/realms/hub",
        "OidcAudience": "hub-web",  # the ID token's `aud`: the web client's id
        "JwksUrl": "https://login.ville.example/realms/hub/certs",
        "OidcClientId": "hub-web",
        "OidcAuthorizeUrl": "https://login.ville.example/realms/hub/auth",
        "OidcTokenUrl": "https://login.ville.example/realms/hub/token",
        "OidcLogoutUrl": "",
        "OidcScope": "openid email profile",
        "SignInProviders": "COGNITO",
        "VerifiedIdentityProviders": "",
        "AlarmTopicArn": "arn:aws:sns:eu-west-3:123456789012:hub-alarms",
        "CursorSecret": "a-cloud-cursor-secret-0123456789abcdef",
        "ApiRateLimit": "200",
        "ApiBurstLimit": "400",
        "LogRetentionDays": "90",
        "WebOrigins": "",  # a web client on the API's own origin needs no CORS
        "Tracing": "PassThrough",  # X-Ray only when asked for (HUB_TRACING=Active)
        "MailFrom": "hub@ville.example",
        "MailFromName": "Hub",
        "SesRate": "10",
    }
    assert describe[:2] == ["cloudformation", "describe-stacks"]


def test_every_parameter_it_passes_is_one_the_template_declares(world):
    from tests.infra.packaged import packaged

    environment, log = world
    assert deploy({**environment, **SETTINGS}).returncode == 0
    deploy_call = shlex.split(log.read_text().splitlines()[1])
    overrides = deploy_call[deploy_call.index("--parameter-overrides") + 1 :]
    assert {o.split("=", 1)[0] for o in overrides} == set(packaged().template["Parameters"])


def test_it_names_what_is_missing_and_calls_nothing(world):
    environment, log = world
    partial = {k: v for k, v in SETTINGS.items() if k not in ("HUB_CURSOR_SECRET", "HUB_JWKS_URL")}
    ran = deploy({**environment, **partial})
    assert ran.returncode == 2
    assert "HUB_CURSOR_SECRET HUB_JWKS_URL" in ran.stderr
    assert not log.exists()


def test_the_senders_name_and_the_email_rate_are_the_operators_when_given(world):
    environment, log = world
    given = {"HUB_MAIL_FROM_NAME": "", "HUB_SES_RATE": "14"}  # no name: the address alone
    assert deploy({**environment, **SETTINGS, **given}).returncode == 0
    deploy_call = shlex.split(log.read_text().splitlines()[1])
    overrides = dict(
        o.split("=", 1) for o in deploy_call[deploy_call.index("--parameter-overrides") + 1 :]
    )
    assert (overrides["MailFromName"], overrides["SesRate"]) == ("", "14")


def test_it_wants_the_senders_address(world):
    environment, log = world
    partial = {k: v for k, v in SETTINGS.items() if k != "HUB_MAIL_FROM"}
    ran = deploy({**environment, **partial})
    assert ran.returncode == 2
    assert "HUB_MAIL_FROM" in ran.stderr
    assert not log.exists()


def test_it_wants_a_package_first(world, tmp_path):
    environment, log = world
    ran = deploy({**environment, **SETTINGS, "HUB_BUILD": str(tmp_path / "nowhere")})
    assert ran.returncode == 2
    assert "make package" in ran.stderr
    assert not log.exists()
