from tests.auth.fixtures import admin_client, make_user  # noqa: F401
