"""Agenda item forms: local date and times in the event's time zone."""

from __future__ import annotations

from datetime import time

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..formfields import DateInRange, choices
from ..reference import AGENDA_KINDS
from .services import MAX_DESCRIPTION, MAX_ROOM, MAX_TITLE


class EndTimeField(TimeField):
    """A time of day that also takes 24:00, midnight at the end of the day.

    `data` is then 00:00 and `end_of_day` is True; the view puts it on the next day.
    """

    end_of_day = False

    def process_formdata(self, valuelist):
        self.end_of_day = bool(valuelist) and valuelist[0].strip() in ("24:00", "24:00:00")
        if self.end_of_day:
            self.data = time(0)
            return
        super().process_formdata(valuelist)


class ItemForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE)])
    kind = SelectField("Kind", choices=choices(AGENDA_KINDS.items()))
    day = DateField("Day", validators=[InputRequired(message="Enter the day."), DateInRange()])
    start = TimeField("Starts", validators=[InputRequired(message="Enter the start time.")])
    end = EndTimeField("Ends", validators=[InputRequired(message="Enter the end time.")],
                       description="At or before the start: the next day.")
    room = StringField("Room", validators=[Optional(), Length(max=MAX_ROOM)])
    chairs = TextAreaField("Chairs", validators=[Optional(), Length(max=10_000)],
                           description="One name per line.")
    speakers = TextAreaField("Speakers", validators=[Optional(), Length(max=10_000)],
                             description="One name per line.")
    description = TextAreaField("Description",
                                validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    status = SelectField("Status", choices=choices([("confirmed", "Confirmed"),
                                                    ("cancelled", "Cancelled")]),
                         default="confirmed")
    fold = RadioField("Which one?", choices=[], validate_choice=False, validators=[Optional()])


class MoveForm(FlaskForm):
    """Where a dragged item was dropped: a local day and start time."""

    item_id = IntegerField(validators=[InputRequired()])
    day = DateField(validators=[InputRequired(), DateInRange()])
    time = TimeField(validators=[InputRequired()])


class ShiftForm(FlaskForm):
    minutes = HiddenField(validators=[AnyOf(["-15", "15"])])
