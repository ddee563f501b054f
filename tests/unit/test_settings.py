"""Configuration: what the Hub runs with, and what it refuses to start with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.settings import ConfigurationError, Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "a-local-secret-0123456789abcdefghij"

CLOUD = {
    "HUB_STAGE": "cloud",
    "HUB_TABLE": "hub-prod",
    "HUB_JWT_ISSUER": "https://idp.example",
    "HUB_JWT_AUDIENCE": "hub",
    "HUB_JWKS_URL": "https://idp.example/.well-known/jwks.json",
    "AWS_REGION": "eu-west-3",
    "HUB_CURSOR_SECRET": "a-cloud-cursor-secret-0123456789abcdef",
}


def test_the_local_stage_runs_with_nothing_but_a_dev_secret():
    settings = Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET})

    assert settings.stage == "local"
    assert settings.table == "hub-local"
    assert settings.jwt_issuer == "hub-local"
    assert settings.jwt_audience == "hub"
    assert settings.region == "eu-west-3"
    assert settings.dev_jwt_secret == DEV_SECRET
    assert settings.jwks_url is None


def test_a_well_configured_cloud_stage_starts():
    settings = Settings.from_environ(CLOUD)

    assert settings.stage == "cloud"
    assert settings.table == "hub-prod"
    assert settings.jwks_url == CLOUD["HUB_JWKS_URL"]
    assert settings.dev_jwt_secret is None


def test_the_cloud_stage_refuses_a_dev_secret():
    with pytest.raises(ConfigurationError, match="HUB_DEV_JWT_SECRET"):
        Settings.from_environ({**CLOUD, "HUB_DEV_JWT_SECRET": DEV_SECRET})


def test_the_cloud_stage_needs_a_jwks_url():
    environ = {name: value for name, value in CLOUD.items() if name != "HUB_JWKS_URL"}

    with pytest.raises(ConfigurationError, match="HUB_JWKS_URL"):
        Settings.from_environ(environ)


def test_the_cloud_stage_needs_an_issuer():
    environ = {name: value for name, value in CLOUD.items() if name != "HUB_JWT_ISSUER"}

    with pytest.raises(ConfigurationError, match="jwt_issuer"):
        Settings.from_environ(environ)


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="unset"),
        pytest.param("", id="empty"),
        pytest.param("x" * 31, id="31-characters"),
        pytest.param("x" * 40 + ",short", id="an-old-key-too-short"),
        pytest.param("x" * 40 + ",", id="an-empty-old-key"),
        pytest.param("x" * 40 + ", " + " " * 32, id="an-old-key-of-spaces"),
    ],
)
def test_the_cloud_stage_needs_a_cursor_secret_of_32_characters(secret):
    environ = {name: value for name, value in CLOUD.items() if name != "HUB_CURSOR_SECRET"}
    if secret is not None:
        environ["HUB_CURSOR_SECRET"] = secret

    with pytest.raises(ConfigurationError, match="HUB_CURSOR_SECRET"):
        Settings.from_environ(environ)


def test_the_cursor_secret_may_hold_a_new_key_then_old_ones():
    keys = ["n" * 32, "o" * 40]
    settings = Settings.from_environ({**CLOUD, "HUB_CURSOR_SECRET": ", ".join(keys)})

    assert settings.cursor_secrets == tuple(keys)


def test_the_local_cursor_secret_comes_from_the_dev_secret_yet_differs_from_it():
    settings = Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET})
    other = Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET + "!"})

    [secret] = settings.cursor_secrets
    assert len(secret) >= 32
    assert DEV_SECRET not in secret
    assert Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET}).cursor_secrets == (secret,)
    assert other.cursor_secrets != (secret,)


def test_the_local_stage_takes_a_cursor_secret_when_given():
    settings = Settings.from_environ(
        {"HUB_DEV_JWT_SECRET": DEV_SECRET, "HUB_CURSOR_SECRET": "c" * 32}
    )

    assert settings.cursor_secrets == ("c" * 32,)


def test_the_cloud_stage_refuses_a_local_dynamodb_endpoint():
    with pytest.raises(ConfigurationError, match="HUB_DYNAMODB_ENDPOINT"):
        Settings.from_environ({**CLOUD, "HUB_DYNAMODB_ENDPOINT": "http://127.0.0.1:8001"})


def test_the_local_stage_refuses_to_run_inside_lambda():
    environ = {"HUB_DEV_JWT_SECRET": DEV_SECRET, "AWS_LAMBDA_FUNCTION_NAME": "hub-api"}

    with pytest.raises(ConfigurationError, match="Lambda"):
        Settings.from_environ(environ)


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({}, id="no-secret"),
        pytest.param({"HUB_DEV_JWT_SECRET": ""}, id="empty-secret"),
        pytest.param({"HUB_DEV_JWT_SECRET": "x" * 31}, id="31-characters"),
    ],
)
def test_the_local_stage_needs_a_dev_secret_of_32_characters(environ):
    with pytest.raises(ConfigurationError, match="HUB_DEV_JWT_SECRET"):
        Settings.from_environ(environ)


def test_a_32_character_dev_secret_is_enough():
    assert Settings.from_environ({"HUB_DEV_JWT_SECRET": "x" * 32}).dev_jwt_secret == "x" * 32


def test_an_unknown_stage_is_refused():
    with pytest.raises(ConfigurationError, match="stage"):
        Settings.from_environ({"HUB_STAGE": "prod", "HUB_DEV_JWT_SECRET": DEV_SECRET})


def test_the_app_does_not_start_on_a_cloud_stage_with_a_dev_secret():
    environ = {
        **CLOUD,
        "HUB_DEV_JWT_SECRET": DEV_SECRET,
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }

    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert "HUB_DEV_JWT_SECRET" in result.stderr


def test_the_app_does_not_start_on_a_cloud_stage_without_a_cursor_secret():
    environ = {name: value for name, value in CLOUD.items() if name != "HUB_CURSOR_SECRET"}
    environ |= {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }

    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert "HUB_CURSOR_SECRET" in result.stderr


def test_an_error_names_the_variable_to_set():
    with pytest.raises(ConfigurationError, match=r"flags_to_hide \(HUB_FLAGS_TO_HIDE\)"):
        Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET, "HUB_FLAGS_TO_HIDE": "0"})


def test_the_cloud_stage_is_told_its_table():
    environ = {name: value for name, value in CLOUD.items() if name != "HUB_TABLE"}

    with pytest.raises(ConfigurationError, match=r"table \(HUB_TABLE\)"):
        Settings.from_environ(environ)


def test_numbers_and_the_locale_are_read_from_their_variables():
    settings = Settings.from_environ(
        {
            "HUB_DEV_JWT_SECRET": DEV_SECRET,
            "HUB_FLAGS_TO_HIDE": "5",
            "HUB_CLOSE_GRACE_S": "0",
            "HUB_DEFAULT_LOCALE": "en",
            "HUB_TABLE_STREAM_ARN": "arn:aws:dynamodb:eu-west-3:1:table/t/stream/s",
        }
    )

    assert (settings.flags_to_hide, settings.close_grace_s) == (5, 0)
    assert settings.default_locale == "en"
    assert settings.table_stream_arn == "arn:aws:dynamodb:eu-west-3:1:table/t/stream/s"


def test_an_empty_variable_counts_as_unset():
    settings = Settings.from_environ(
        {"HUB_DEV_JWT_SECRET": DEV_SECRET, "HUB_DYNAMODB_ENDPOINT": "", "HUB_FLAGS_TO_HIDE": ""}
    )

    assert settings.dynamodb_endpoint is None
    assert settings.flags_to_hide == 3


def test_the_region_is_aws_region_then_aws_default_region():
    local = {"HUB_DEV_JWT_SECRET": DEV_SECRET}

    assert Settings.from_environ({**local, "AWS_DEFAULT_REGION": "us-east-1"}).region == "us-east-1"
    both = {**local, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "eu-west-1"}
    assert Settings.from_environ(both).region == "eu-west-1"


def test_get_settings_reads_the_process_environment(monkeypatch):

    monkeypatch.setenv("HUB_FLAGS_TO_HIDE", "7")
    get_settings.cache_clear()
    try:
        assert get_settings().flags_to_hide == 7
    finally:
        get_settings.cache_clear()


def test_no_dotenv_file_configures_the_hub(tmp_path, monkeypatch):
    # A stray .env in the working directory must not turn a deployment into something else.
    (tmp_path / ".env").write_text("HUB_STAGE=cloud\nHUB_FLAGS_TO_HIDE=9\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUB_STAGE", raising=False)
    monkeypatch.delenv("HUB_FLAGS_TO_HIDE", raising=False)
    get_settings.cache_clear()
    try:
        settings = get_settings()
    finally:
        get_settings.cache_clear()

    assert settings.stage == "local"
    assert settings.flags_to_hide == 3


# ---------------------------------------------------------------- web origins (CORS)


def test_the_local_stage_trusts_the_apis_own_origin_and_the_cloud_none_unless_told():
    local = Settings.from_environ({"HUB_DEV_JWT_SECRET": DEV_SECRET})
    assert local.web_origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    assert Settings.from_environ(CLOUD).web_origins == ()


def test_web_origins_are_a_comma_separated_list_written_as_browsers_send_them():
    settings = Settings.from_environ(
        {**CLOUD, "HUB_WEB_ORIGINS": " https://Hub.Example.org:443 ,http://localhost:3000,"}
    )
    assert settings.web_origins == ("https://hub.example.org", "http://localhost:3000")


@pytest.mark.parametrize(
    "origins",
    [
        "*",
        "https://hub.example.org,*",
        "https://*.example.org",
        "null",
        "hub.example.org",
        "ftp://hub.example.org",
        "https://hub.example.org/app",
        "https://user@hub.example.org",
        "https://",
    ],
)
def test_web_origins_refuse_anything_but_origins(origins):
    with pytest.raises(ConfigurationError, match=r"web_origins \(HUB_WEB_ORIGINS\)"):
        Settings.from_environ({**CLOUD, "HUB_WEB_ORIGINS": origins})
