"""Organisers' forms for decisions and action items. Shapes only; the rules are in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..formfields import choices
from ..reference import ECONOMIES
from .services import OWNER_LABELS


class DecisionForm(FlaskForm):
    text = TextAreaField("Decision", validators=[Length(max=5000)])
    agenda_item = SelectField("Agenda item", choices=[], validators=[Optional()])
    deliverable = SelectField("Work plan deliverable", choices=[], validators=[Optional()])


class ActionForm(FlaskForm):
    text = TextAreaField("Action", validators=[Length(max=5000)],
                         description="What is to be done.")
    owner_kind = SelectField("Who", choices=choices(OWNER_LABELS.items()))
    owner_economy = SelectField("Economy", choices=choices([("", "—"), *ECONOMIES.items()]),
                                description="When an economy is to act.")
    owner_name = StringField("Person", validators=[Optional(), Length(max=200)],
                             description="When a named person is to act.")
    due_date = DateField("By", validators=[Optional()])
    agenda_item = SelectField("Agenda item", choices=[], validators=[Optional()])
    deliverable = SelectField("Work plan deliverable", choices=[], validators=[Optional()])


class CloseForm(FlaskForm):
    note = StringField("Note", validators=[Optional(), Length(max=500)],
                       description="Done, superseded, dropped…")
