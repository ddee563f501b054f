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


def _one_table_backup_per_transaction() -> None:
    """moto backs a table up before each item of a transaction, to roll a failed one back:
    the same deep copy of the whole table (stream records included), taken once per item.
    One copy per table per transaction rolls back exactly the same way, and a transaction
    no longer costs as many copies of the table as it has items."""
    import copy
    import threading
    from types import SimpleNamespace

    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    taken = threading.local()  # the backups of the transaction running on this thread

    def deepcopy(value: object, memo: dict[int, object] | None = None) -> object:
        backups = getattr(taken, "backups", None)
        if backups is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in backups:
            backups[id(value)] = copy.deepcopy(value, memo)
        return backups[id(value)]

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: models.DynamoDBBackend, transact_items: list[dict]) -> None:
        taken.backups = {}
        try:
            return original(self, transact_items)
        finally:
            taken.backups = None

    models.copy = SimpleNamespace(deepcopy=deepcopy)  # what the module calls `copy.deepcopy`
    models.DynamoDBBackend.transact_write_items = transact_write_items


_one_table_backup_per_transaction()

# The test client matches greedy routes as API Gateway (and `make run`) do: local/gateway.py.
from local.gateway import match_greedy_routes  # noqa: E402

match_greedy_routes()
