"""The API tests' fixtures (a fresh moto table, the test client, users), reused here."""

from tests.api.conftest import as_user, client, table  # noqa: F401
