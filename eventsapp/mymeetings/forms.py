"""Forms of My meetings; the rules are in services.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField


class AddressForm(FlaskForm):
    email = EmailField("Email address",
                       description="The address you registered with. We email it a link.")


class FeedForm(FlaskForm):
    alarms = BooleanField("Remind me 15 minutes before each session (calendar alarms)")


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""
