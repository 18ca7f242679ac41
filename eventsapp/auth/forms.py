"""Sign-in, password change, API token and user forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import choices
from ..models import DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES
from ..reference import ECONOMIES
from .passwords import MIN_PASSWORD_LENGTH

PASSWORD_HINT = (f"At least {MIN_PASSWORD_LENGTH} characters; not a common password, a pattern "
                 "(123456789012, passwordpassword) or your email address. A few unrelated "
                 "words make a good one.")
SCOPE_LABELS = {
    "read": "read: see what your account can see",
    "agenda": "agenda: change agenda items",
    "registrations": "registrations: approve, decline and change registrations; capacity, "
                     "waiting list and registration window",
    "checkin": "checkin: check people in at the door",
    "messages": "messages: write to participants and read each delivery",
}

ROLE_LABELS = {"admin": "Administrator", "organiser": "Organiser", "checkin": "Check-in staff",
               "focal_point": "Economy focal point"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    # The password rules live in services.check_password_rules; the form checks shape only.
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()],
                                 description=PASSWORD_HINT)
    confirm_password = PasswordField("Confirm new password", validators=[
        DataRequired(), EqualTo("new_password", message="The new passwords do not match.")])


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token."""


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[Optional(), Length(max=100)],
                       description="For example: agenda import script.")
    scopes = SelectMultipleField(
        "What it may do", choices=choices((s, SCOPE_LABELS[s]) for s in TOKEN_SCOPES),
        default=list(DEFAULT_TOKEN_SCOPES), validators=[DataRequired(
            message="Choose at least one thing the token may do.")],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    days = SelectField("Expires after", coerce=int, validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (no Ctrl-click to learn)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_HINTS = {
    "checkin": "Check people in at the door of the chosen events. Nothing else.",
    "focal_point": "Nominate, approve and manage the delegation of one economy at the chosen "
                   "events.",
    "organiser": "Edit the chosen events, their agendas and registrations; badges and reports.",
    "admin": "Everything, for every event, and user accounts and the audit log.",
}
SCOPES = {"some": "Only the events ticked below",
          "all": "Every event, including those created later"}


class UserAccessForm(FlaskForm):
    """What an account may do: least privilege unless chosen otherwise."""

    # Check-in first and by default: a new account can do the least until given more.
    role = RadioField("Role", choices=choices((r, ROLE_LABELS[r]) for r in
                                              ("checkin", "focal_point", "organiser", "admin")),
                      default="checkin", validators=[DataRequired()])
    economy = SelectField("Economy (focal points only)",
                          choices=choices([("", "None"), *ECONOMIES.items()]),
                          validators=[Optional()],
                          description="The one economy a focal point acts for.")
    scope = RadioField("Events", choices=choices(SCOPES.items()), default="some",
                       validators=[DataRequired()],
                       description="Administrators always have every event.")
    # No Optional(): it would stop the chain before validate_events when nothing is ticked.
    events = MultiCheckboxField("Limited to these events", coerce=int)

    def validate_events(self, field) -> None:
        if self.role.data != "admin" and self.scope.data == "some" and not field.data:
            raise ValidationError("Tick at least one event, or choose every event.")

    def validate_economy(self, field) -> None:
        if self.role.data == "focal_point" and not field.data:
            raise ValidationError("A focal point acts for one economy: choose it.")

    def chosen_economy(self) -> str | None:
        """The economy of a focal point's account; None for every other role."""
        return (self.economy.data or None) if self.role.data == "focal_point" else None

    def chosen_event_ids(self) -> list[int]:
        """The events the account is limited to; empty means every event."""
        if self.role.data == "admin" or self.scope.data == "all":
            return []
        return list(self.events.data or [])


class InviteForm(UserAccessForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)],
                       description="They are emailed a link to choose their password.")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])


class SetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired()],
                                 description=PASSWORD_HINT)
    confirm_password = PasswordField("Confirm new password", validators=[
        DataRequired(), EqualTo("new_password", message="The passwords do not match.")])


class SecondFactorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)],
                       description="The 6 digits your authenticator app shows now, or one of "
                                   "your recovery codes.")
    remember = BooleanField("Remember this browser for 12 hours")


class MfaSetupForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=12)],
                       description="The 6 digits the app shows for eventsapp.")


class RecoveryCodesForm(FlaskForm):
    code = StringField("Code from your app", validators=[DataRequired(), Length(max=12)],
                       description="Your old recovery codes stop working.")
