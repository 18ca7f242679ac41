from tests.auth.fixtures import admin_client, make_user, organiser_client  # noqa: F401
