"""Forms of the invitation pages (shapes only; invitations/services.py checks the input)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..formfields import choices
from ..reference import CATEGORIES, ECONOMIES

CATEGORY_CHOICES = choices([("", "Let them choose (among the public categories)"),
                            *CATEGORIES.items()])
ECONOMY_CHOICES = choices([("", "Let them choose"), *ECONOMIES.items()])


class _Defaults(FlaskForm):
    category = SelectField("Category", choices=CATEGORY_CHOICES, validators=[Optional()])
    economy = SelectField("Economy", choices=ECONOMY_CHOICES, validators=[Optional()])
    days = IntegerField("Valid for (days)", validators=[Optional(), NumberRange(1, 365)],
                        description="Empty: 30 days, or until registration closes if sooner.")


class InviteForm(_Defaults):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=320)])


class UploadForm(_Defaults):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     description="One address per row; optional columns category and economy "
                                 "(a header row naming an email column is recognised). At most "
                                 "2,000 rows, saved as CSV UTF-8.")


class SendForm(_Defaults):
    rows = HiddenField(validators=[DataRequired()])
    count = HiddenField(validators=[DataRequired()])
