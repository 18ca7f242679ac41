"""API token scopes follow the role (auth/roles.py) in the service, the CLI and the form."""

import pytest
from sqlalchemy import func, select

from eventsapp.auth.roles import FOCAL_POINT_SCOPES, token_scopes_allowed
from eventsapp.auth.services import (
    TokenNotAllowedError,
    check_api_token,
    create_api_token,
    get_user_by_email,
    update_user,
)
from eventsapp.extensions import db
from eventsapp.models import ApiToken
from tests.auth.fixtures import sign_in


def _token_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_focal_point_scopes_are_read_and_registrations_only():
    assert FOCAL_POINT_SCOPES == ("read", "registrations")
    assert token_scopes_allowed("focal_point") == ("read", "registrations")
    assert token_scopes_allowed("checkin") == ()
    assert token_scopes_allowed("organiser") == (
        "read", "agenda", "registrations", "checkin", "messages")


def test_service_refuses_a_focal_point_token_with_the_agenda_scope(app, make_user):
    email = make_user("focal_point", economy="SGP")
    with app.app_context():
        with pytest.raises(TokenNotAllowedError) as refused:
            create_api_token(get_user_by_email(email), scopes=["read", "agenda", "messages"])
        assert str(refused.value) == ("A focal point's token may only have the scopes read, "
                                      "registrations; not agenda, messages.")
        assert _token_count() == 0


def test_service_gives_a_focal_point_read_and_registrations_by_default(app, make_user):
    email = make_user("focal_point", economy="SGP")
    with app.app_context():
        token = create_api_token(get_user_by_email(email))
        row = db.session.scalar(select(ApiToken))
        assert row.scopes == "read registrations"
        assert check_api_token(token, "registrations").problem == ""
        assert check_api_token(token, "agenda").problem == "scope"


def test_service_refuses_any_token_for_check_in_staff(app, make_user):
    email = make_user("checkin")
    with app.app_context():
        with pytest.raises(TokenNotAllowedError,
                           match="^Only administrators, organisers and focal points can have "
                                 "API tokens.$"):
            create_api_token(get_user_by_email(email), scopes=["checkin"])
        assert _token_count() == 0


def test_token_loses_scopes_its_account_no_longer_may_have(app, make_user):
    email, admin = make_user("organiser"), make_user("admin")
    with app.app_context():
        token = create_api_token(get_user_by_email(email), scopes=["read", "agenda"])
        update_user(get_user_by_email(email), "focal_point", [], by=get_user_by_email(admin),
                    economy="SGP")
        assert check_api_token(token, "read").problem == ""
        assert check_api_token(token, "agenda").problem == "scope"


def test_cli_refuses_a_focal_point_token_with_the_agenda_scope_exit_2(app, runner, make_user):
    email = make_user("focal_point", economy="SGP")
    result = runner.invoke(args=["create-token", email, "--scope", "agenda"])
    assert result.exit_code == 2
    assert ("A focal point's token may only have the scopes read, registrations; not agenda."
            in result.output)
    with app.app_context():
        assert _token_count() == 0


def test_cli_gives_a_focal_point_read_and_registrations_by_default(runner, make_user):
    email = make_user("focal_point", economy="SGP")
    result = runner.invoke(args=["create-token", email])
    assert result.exit_code == 0, result.output
    assert "Scopes: read registrations; expires" in result.output


def test_token_form_refuses_a_focal_point_the_agenda_scope(app, make_user):
    client = app.test_client()
    assert sign_in(client, make_user("focal_point", economy="SGP")).status_code == 303
    page = client.get("/account").text
    assert 'value="agenda"' not in page
    assert 'value="registrations"' in page
    response = client.post("/account/tokens", data={
        "name": "script", "scopes": ["read", "agenda"], "days": "90"})
    assert response.status_code == 422
    assert "&#39;agenda&#39; is not a valid choice" in response.text
    with app.app_context():
        assert _token_count() == 0
