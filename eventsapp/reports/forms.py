"""The organisers' form for a deliverable's entry in the year's report."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..reference import DELIVERABLE_STATUSES
from .services import MAX_NARRATIVE


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DeliverableForm(FlaskForm):
    status = SelectField("Status",
                         choices=[SelectChoice(k, v) for k, v in DELIVERABLE_STATUSES.items()],
                         validators=[DataRequired()])
    narrative = TextAreaField(
        "What happened", validators=[Length(max=MAX_NARRATIVE)],
        description=f"A short account for the report to the SCE; at most {MAX_NARRATIVE} "
                    "characters.")
    focus_areas = CheckboxesField("Focus areas served", coerce=int)
