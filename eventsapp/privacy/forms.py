"""Privacy forms: the notice, an event's retention, confirmations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class NoticeForm(FlaskForm):
    controller = StringField("Data controller (who, and their address)",
                             validators=[DataRequired(), Length(max=300)])
    contact = StringField("How to contact them about personal data",
                          validators=[DataRequired(), Length(max=300)])
    purposes = TextAreaField("What the data is used for", validators=[
        DataRequired(), Length(max=5000)])
    retention = TextAreaField("How long it is kept", validators=[
        DataRequired(), Length(max=5000)])


class RetentionForm(FlaskForm):
    retention_days = IntegerField(
        "Anonymise registrations this many days after the event", validators=[
            InputRequired(), NumberRange(min=0, max=3650)])
    sensitive_retention_days = IntegerField(
        "Clear dietary, accessibility and passport details this many days after it",
        validators=[InputRequired(), NumberRange(min=0, max=3650)])


class AnonymiseForm(FlaskForm):
    confirm = BooleanField("I understand that names, addresses and every private link of "
                           "this event's registrations are removed for good",
                           validators=[DataRequired(message="Tick the box to confirm.")])


class ErasureForm(FlaskForm):
    """A POST with nothing but its CSRF token."""
