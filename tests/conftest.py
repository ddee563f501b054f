"""Test configuration: the environment is set before anything imports the app.

PynamoDB binds models to the configured table when `chalicelib.store.models` is imported,
and botocore clients must be created after `import moto`, so both happen here first.
"""

from __future__ import annotations

import os

os.environ.update(
    {
        "HUB_STAGE": "local",
        "HUB_TABLE": "hub-test",
        "HUB_DEV_JWT_SECRET": "test-dev-secret-0123456789abcdef",
        "HUB_JWT_ISSUER": "hub-local",
        "HUB_JWT_AUDIENCE": "hub",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_REGION": "eu-west-3",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
)
for name in ("HUB_DYNAMODB_ENDPOINT", "HUB_JWKS_URL", "AWS_PROFILE", "AWS_LAMBDA_FUNCTION_NAME"):
    os.environ.pop(name, None)

import moto  # noqa: E402,F401  (before any botocore client exists)
