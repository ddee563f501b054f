"""Configuration, read from the environment once, lazily, and validated.

`get_settings()` is the single entry point. Tests set the environment before the first call
(see tests/conftest.py) and may call `get_settings.cache_clear()` to read it again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# The languages the Hub answers in (see chalicelib/api/locale.py).
Locale = Literal["fr", "en"]


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the Hub refuses to run with."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Literal["local", "cloud"]
    table: str = Field(min_length=3, max_length=255)
    region: str = "eu-west-3"
    dynamodb_endpoint: str | None = None
    jwt_issuer: str = Field(min_length=1)
    jwt_audience: str = Field(min_length=1)
    jwks_url: str | None = None
    dev_jwt_secret: str | None = None
    running_in_lambda: bool = False
    # Distinct flags that hide a comment pending review.
    flags_to_hide: int = Field(default=3, ge=1, le=1000)
    # Seconds between a consultation closing and its final recount (late writes settle).
    close_grace_s: int = Field(default=60, ge=0, le=3600)
    # The stream the tally consumer reads; the deployment sets it (locally it is unused).
    table_stream_arn: str = "arn:aws:dynamodb:eu-west-3:000000000000:table/hub-local/stream/local"
    # The language of error messages when `Accept-Language` names no language the Hub speaks.
    default_locale: Locale = "fr"

    @model_validator(mode="after")
    def _stage_rules(self) -> Settings:
        if self.stage == "cloud":
            if self.dev_jwt_secret:
                raise ValueError("HUB_DEV_JWT_SECRET must not be set on the cloud stage")
            if self.dynamodb_endpoint:
                raise ValueError("HUB_DYNAMODB_ENDPOINT is for the local stage only")
            if not self.jwks_url:
                raise ValueError("HUB_JWKS_URL is required on the cloud stage")
        else:
            if self.running_in_lambda:
                raise ValueError("the local stage cannot run inside AWS Lambda")
            if not self.dev_jwt_secret or len(self.dev_jwt_secret) < 32:
                raise ValueError(
                    "HUB_DEV_JWT_SECRET (32+ characters, as HS256 wants) is required locally"
                )
        return self

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        stage = environ.get("HUB_STAGE", "local")
        values = {
            "stage": stage,
            "table": environ.get("HUB_TABLE", "hub-local" if stage == "local" else ""),
            "region": environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "eu-west-3",
            "dynamodb_endpoint": environ.get("HUB_DYNAMODB_ENDPOINT") or None,
            "jwt_issuer": environ.get("HUB_JWT_ISSUER", "hub-local" if stage == "local" else ""),
            "jwt_audience": environ.get("HUB_JWT_AUDIENCE", "hub"),
            "jwks_url": environ.get("HUB_JWKS_URL") or None,
            "dev_jwt_secret": environ.get("HUB_DEV_JWT_SECRET") or None,
            "running_in_lambda": bool(environ.get("AWS_LAMBDA_FUNCTION_NAME")),
        }
        if environ.get("HUB_FLAGS_TO_HIDE"):
            values["flags_to_hide"] = environ["HUB_FLAGS_TO_HIDE"]
        if environ.get("HUB_CLOSE_GRACE_S"):
            values["close_grace_s"] = environ["HUB_CLOSE_GRACE_S"]
        if environ.get("HUB_TABLE_STREAM_ARN"):
            values["table_stream_arn"] = environ["HUB_TABLE_STREAM_ARN"]
        if environ.get("HUB_DEFAULT_LOCALE"):
            values["default_locale"] = environ["HUB_DEFAULT_LOCALE"]
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
            )
            raise ConfigurationError(f"invalid Hub configuration: {problems}") from None


@cache
def get_settings() -> Settings:
    return Settings.from_environ(os.environ)
