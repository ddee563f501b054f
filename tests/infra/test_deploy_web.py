"""infra/deploy.sh, the web client's part: once the stack is deployed, the client and its
config.json go to the stack's bucket and the distribution is invalidated (stand-in `aws`)."""

from __future__ import annotations

import json
import shlex
import subprocess

from tests.infra.test_deploy_script import OUTPUTS, ROOT, SETTINGS, deploy, world  # noqa: F401

OWN_POOL = {k: v for k, v in SETTINGS.items() if not k.startswith(("HUB_OIDC_", "HUB_JWKS_"))}


def calls(log) -> list[list[str]]:
    return [shlex.split(line) for line in log.read_text().splitlines()]


def option(call: list[str], name: str) -> str:
    return call[call.index(name) + 1]


def test_the_script_parses():
    assert subprocess.run(["bash", "-n", str(ROOT / "infra" / "deploy.sh")]).returncode == 0


def test_with_no_issuer_the_stack_makes_its_own_user_pool(world):  # noqa: F811
    environment, log = world
    ran = deploy({**environment, **OWN_POOL})
    assert ran.returncode == 0, ran.stderr
    deploy_call = calls(log)[1]
    overrides = deploy_call[deploy_call.index("--parameter-overrides") + 1 :]
    given = dict(o.split("=", 1) for o in overrides)
    assert given["OidcIssuer"] == given["JwksUrl"] == given["OidcClientId"] == ""


def test_it_uploads_the_client_with_its_config_then_invalidates(world):  # noqa: F811
    environment, log = world
    ran = deploy({**environment, **OWN_POOL})
    assert ran.returncode == 0, ran.stderr
    build = environment["HUB_BUILD"]
    made = calls(log)
    assert [c[:2] for c in made] == [
        ["cloudformation", "package"],
        ["cloudformation", "deploy"],
        ["cloudformation", "describe-stacks"],
        ["s3", "sync"],
        ["s3", "cp"],
        ["s3", "cp"],
        ["cloudfront", "create-invalidation"],
    ]
    written = json.loads((ROOT / build / "web" / "config.json").read_text())
    assert written == json.loads(OUTPUTS["WebConfig"])

    sync, config, index, invalidation = made[3:]
    assert sync[2:4] == [f"{build}/web", "s3://hub-prod-webbucket-1a2b3c"]
    assert "--delete" in sync
    assert {sync[i + 1] for i, a in enumerate(sync) if a == "--exclude"} == {
        "index.html",
        "config.json",
    }
    assert option(sync, "--cache-control") == "public, max-age=300"
    # The pages that lead to the files are replaced last, and revalidated at every visit.
    assert config[2:4] == [f"{build}/web/config.json", "s3://hub-prod-webbucket-1a2b3c/config.json"]
    assert index[2:4] == [f"{build}/web/index.html", "s3://hub-prod-webbucket-1a2b3c/index.html"]
    for upload in (config, index):
        assert option(upload, "--cache-control") == "no-cache"
    assert option(index, "--content-type") == "text/html; charset=utf-8"
    assert option(invalidation, "--distribution-id") == "E2QWRUHEXAMPLE"
    assert option(invalidation, "--paths") == "/*"
    assert "https://d111111abcdef8.cloudfront.net" in ran.stdout


def test_a_stack_without_the_web_outputs_uploads_nothing(world, tmp_path):  # noqa: F811
    environment, log = world
    (tmp_path / "outputs.txt").write_text("TableName\thub-table\n")
    ran = deploy({**environment, **OWN_POOL})
    assert ran.returncode == 1
    assert "no WebBucketName output" in ran.stderr
    assert [c[0] for c in calls(log)] == ["cloudformation"] * 3


def test_an_external_issuer_comes_with_its_client(world):  # noqa: F811
    environment, log = world
    ran = deploy({**environment, **OWN_POOL, "HUB_OIDC_ISSUER": "https://login.ville.example"})
    assert ran.returncode == 2
    assert "HUB_JWKS_URL HUB_OIDC_CLIENT_ID HUB_OIDC_AUTHORIZE_URL HUB_OIDC_TOKEN_URL" in ran.stderr
    assert not log.exists()


def test_the_package_needs_the_client_too(world):  # noqa: F811
    environment, log = world
    (ROOT / environment["HUB_BUILD"] / "web" / "index.html").unlink()
    ran = deploy({**environment, **OWN_POOL})
    assert ran.returncode == 2
    assert "make package" in ran.stderr
    assert not log.exists()
