"""Sign-in, password change, API token and user forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..formfields import choices
from ..models import ROLES
from ..reference import ECONOMIES
from .services import MIN_PASSWORD_LENGTH

ROLE_LABELS = {"admin": "Administrator", "organiser": "Organiser", "checkin": "Check-in staff",
               "focal_point": "Economy focal point"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    # The password rules live in services.check_password_rules; the form checks shape only.
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()],
                                 description=f"At least {MIN_PASSWORD_LENGTH} characters.")
    confirm_password = PasswordField("Confirm new password", validators=[
        DataRequired(), EqualTo("new_password", message="The new passwords do not match.")])


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[Optional(), Length(max=100)],
                       description="For example: agenda import script.")


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField("Role", choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    password = PasswordField("Password", validators=[DataRequired(), Length(min=12, max=1024)],
                             description="At least 12 characters; give it to the person safely.")
    economy = SelectField("Economy (focal points only)",
                          choices=choices([("", "None"), *ECONOMIES.items()]),
                          description="The one economy a focal point acts for.")
    events = SelectMultipleField(
        "Limited to events", coerce=int, validators=[Optional()],
        description="Leave empty for all events. Hold Ctrl or Cmd to choose several.")
