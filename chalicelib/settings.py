"""Configuration, read from the environment once, lazily, and validated.

`get_settings()` is the single entry point. Tests set the environment before the first call
(see tests/conftest.py) and may call `get_settings.cache_clear()` to read it again.

Each field is read from `HUB_<FIELD>`; the region and the Lambda marker come from the
variables AWS sets. An empty variable counts as unset. A plain pydantic model validates
them: pydantic-settings would add its sources (.env files, secrets directories, a CLI) and
about 40 ms to every cold start, for none of which the Hub has a use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

# The languages the Hub answers in (see chalicelib/api/locale.py).
Locale = Literal["fr", "en"]


# The web client's own origins locally: `make run` serves it on the API's origin.
LOCAL_WEB_ORIGINS = "http://127.0.0.1:8000,http://localhost:8000"
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _web_origin(value: str) -> str:
    """An origin as browsers send it in `Origin`: scheme://host[:port], lower case, no
    default port, no path. `*` is refused: the Hub names the origins it trusts."""
    scheme, separator, host = value.strip().lower().partition("://")
    if value.strip() in ("*", "null"):
        raise ValueError(f"{value!r} is not an origin: list each web client's origin")
    if (
        not separator
        or scheme not in _DEFAULT_PORTS
        or not host
        or any(c in host for c in "/?#@*, ")
        or host.startswith(":")
    ):
        raise ValueError(f"{value!r} is not an origin like https://hub.example.org")
    return f"{scheme}://{host.removesuffix(_DEFAULT_PORTS[scheme])}"


WebOrigin = Annotated[str, AfterValidator(_web_origin)]


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the Hub refuses to run with."""


def _is_set(value: object) -> object:
    # AWS_LAMBDA_FUNCTION_NAME holds a function name: any value means "inside Lambda".
    return bool(value) if isinstance(value, str) else value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=False)

    stage: Literal["local", "cloud"] = "local"
    # Required on the cloud stage; the local stage defaults it (see _local_defaults).
    table: str = Field(min_length=3, max_length=255)
    region: str = Field(
        default="eu-west-3", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    dynamodb_endpoint: str | None = None
    # Required on the cloud stage; the local stage defaults it (see _local_defaults).
    jwt_issuer: str = Field(min_length=1)
    jwt_audience: str = Field(default="hub", min_length=1)
    jwks_url: str | None = None
    dev_jwt_secret: str | None = None
    # Encrypts pagination cursors: the key that encrypts, then older ones that still decrypt,
    # separated by commas. Required on the cloud stage; the local stage derives one.
    cursor_secret: str | None = None
    running_in_lambda: Annotated[bool, BeforeValidator(_is_set)] = Field(
        default=False, validation_alias=AliasChoices("AWS_LAMBDA_FUNCTION_NAME")
    )
    # Distinct flags that hide a comment pending review.
    flags_to_hide: int = Field(default=3, ge=1, le=1000)
    # Seconds between a consultation closing and its final recount (late writes settle).
    close_grace_s: int = Field(default=60, ge=0, le=3600)
    # The stream the tally consumer reads; the deployment sets it (locally it is unused).
    table_stream_arn: str = "arn:aws:dynamodb:eu-west-3:000000000000:table/hub-local/stream/local"
    # The language of error messages when `Accept-Language` names no language the Hub speaks.
    default_locale: Locale = "fr"
    # The web client's origins allowed to call the API from a browser (CORS), comma-separated;
    # none on the cloud stage unless set (a client served on the API's origin needs none).
    web_origins: Annotated[tuple[WebOrigin, ...], BeforeValidator(_comma_separated)] = ()
    # The CloudWatch namespace of the metrics (chalicelib/telemetry.py); the stack sets
    # `Hub/<stack name>`, so that two stacks in one account never mix their figures.
    metrics_namespace: str = Field(default="Hub", min_length=1, max_length=255)
    # Notifications (chalicelib/services/notifications.py). The queue the notifier fans out
    # through; the stack sets it, the local runner creates one in the embedded stack.
    notifications_queue_url: str | None = None
    # The web client's address, for the links in emails (no trailing slash). The local
    # stage's is the API's origin; the notifier refuses to send email without one.
    web_url: Annotated[str, AfterValidator(lambda url: url.rstrip("/"))] | None = None
    # The sender of every email, an identity SES has verified: `Hub <hub@city.example>`.
    mail_from: str | None = None
    # Emails per second the whole stack may send (SES's sending rate, or less).
    ses_rate: float = Field(default=10.0, gt=0, le=1000)
    # Locally, every email sent is also written here as an .eml file (never on the cloud).
    outbox: str | None = None
    # Emailed invitations one person may create a day (anyone may found an association, so
    # anyone may invite: the Hub is no relay for spam).
    invitation_emails_per_day: int = Field(default=20, ge=1, le=10_000)
    # Hours before `closes_at` when the eligible who have not taken part yet are reminded.
    closing_soon_h: int = Field(default=24, ge=1, le=720)
    # Days the audit log keeps an entry (docs/privacy.md); 0 keeps it as long as the table.
    audit_retention_days: int = Field(default=1827, ge=0, le=36_500)
    # The licence a public consultation's open data is published under (its name, its text).
    open_data_licence: str = Field(default="Licence Ouverte 2.0", min_length=1, max_length=200)
    open_data_licence_url: str = Field(
        default="https://www.etalab.gouv.fr/licence-ouverte-open-licence/", min_length=1
    )

    @model_validator(mode="before")
    @classmethod
    def _local_defaults(cls, values: Any) -> Any:
        # A fresh clone runs with nothing set but the dev secret: the local stage names its
        # own table and issuer, while the cloud stage must be told both.
        if isinstance(values, dict) and values.get("stage", "local") != "cloud":
            defaults = {
                "table": "hub-local",
                "jwt_issuer": "hub-local",
                "web_url": "http://127.0.0.1:8000",
                "mail_from": "Hub <hub@hub.localhost>",
            }
            derived = {"cursor_secret": _local_cursor_secret(values.get("dev_jwt_secret"))}
            return {**defaults, "web_origins": LOCAL_WEB_ORIGINS, **derived, **values}
        return values

    @model_validator(mode="after")
    def _stage_rules(self) -> Settings:
        if self.stage == "cloud":
            if self.dev_jwt_secret:
                raise ValueError("HUB_DEV_JWT_SECRET must not be set on the cloud stage")
            if self.dynamodb_endpoint:
                raise ValueError("HUB_DYNAMODB_ENDPOINT is for the local stage only")
            if not self.jwks_url:
                raise ValueError("HUB_JWKS_URL is required on the cloud stage")
            if self.outbox:
                raise ValueError("HUB_OUTBOX is for the local stage only")
        else:
            if self.running_in_lambda:
                raise ValueError("the local stage cannot run inside AWS Lambda")
            if not self.dev_jwt_secret or len(self.dev_jwt_secret) < 32:
                raise ValueError(
                    "HUB_DEV_JWT_SECRET (32+ characters, as HS256 wants) is required locally"
                )
        if not self.cursor_secrets or any(len(secret) < 32 for secret in self.cursor_secrets):
            raise ValueError(
                "HUB_CURSOR_SECRET (32+ characters; `new,old` while rotating) is required"
                " on the cloud stage"
            )
        return self

    @property
    def cursor_secrets(self) -> tuple[str, ...]:
        """The cursor secrets: the first encrypts, every one decrypts (`new, old`: spaces
        around the comma are not part of a secret)."""
        parts = self.cursor_secret.split(",") if self.cursor_secret else []
        return tuple(part.strip() for part in parts)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings `environ` describes, and nothing else (os.environ is not read): the
        environment only, so no .env file or secrets directory can change a deployment."""
        values: dict[str, str] = {}
        for name in cls.model_fields:
            value = next((environ[v] for v in _variables(name) if environ.get(v)), None)
            if value is not None:
                values[name] = value
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(_problem(error) for error in error.errors())
            raise ConfigurationError(f"invalid Hub configuration: {problems}") from None


def _local_cursor_secret(dev_jwt_secret: object) -> str | None:
    """The local stage's cursor secret: the dev secret's, under a label of its own, so that
    the two never serve as the same key."""
    if not isinstance(dev_jwt_secret, str) or not dev_jwt_secret:
        return None
    label = b"hub local cursor secret"
    return hmac.new(dev_jwt_secret.encode(), label, hashlib.sha256).hexdigest()


def _problem(error: ErrorDetails) -> str:
    """One validation error, naming the field and the variable that sets it."""
    if not error["loc"]:
        return f"settings: {error['msg']}"
    name = str(error["loc"][0])
    return f"{name} ({_variables(name)[0]}): {error['msg']}"


def _variables(name: str) -> tuple[str, ...]:
    """The environment variables that set the field `name`, the first set one winning:
    `HUB_<NAME>`, or the AWS variables its `validation_alias` lists."""
    field = Settings.model_fields.get(name)
    alias = field.validation_alias if field else None
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    return (f"HUB_{name.upper()}",)


@cache
def get_settings() -> Settings:
    return Settings.from_environ(os.environ)
