"""The form organisers edit a system email's wording with; mail/templates.py checks it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class WordingForm(FlaskForm):
    subject = StringField("Subject", description="One line. Placeholders such as {event} "
                                                 "are filled for each person.")
    body = TextAreaField("Body", render_kw={"rows": 18},
                         description="Placeholders in braces, e.g. {given_name}; write {{ "
                                     "or }} for a brace of its own. The event page and "
                                     "privacy lines are added below it.")
