"""Forms of the participation pages: shapes only; the rules are in services.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..formfields import choices

PARTICIPATION_MODE_CHOICES = choices([
    ("in_person", "In person: everyone comes to the venue"),
    ("online", "Online: everyone joins by the meeting link"),
    ("hybrid", "Hybrid: each person takes part in person or online, with places for each"),
])
PARTICIPATION_CHOICES = choices([("in_person", "In person, at the venue"),
                                 ("online", "Online")])


class ParticipationForm(FlaskForm):
    participation_mode = RadioField("How people take part", choices=PARTICIPATION_MODE_CHOICES)
    capacity_in_person = IntegerField(
        "Places in person (hybrid)", validators=[Optional(), NumberRange(0, 100_000)],
        description="Empty: no limit. An in-person or online event uses its capacity "
                    "(Edit) instead.")
    capacity_online = IntegerField(
        "Places online (hybrid)", validators=[Optional(), NumberRange(0, 100_000)],
        description="Empty: no limit.")
    online_url = StringField(
        "Online meeting link", validators=[Optional()],
        description="Shown only to confirmed online participants: on their private page, "
                    "in their calendar and confirmation. Starts with https://.")
    online_details = TextAreaField(
        "Passcode and dial-in", validators=[Optional()],
        description="Optional; shown with the link.")


class SwitchForm(FlaskForm):
    participation = RadioField("How you take part", choices=PARTICIPATION_CHOICES,
                               validators=[DataRequired("Choose in person or online.")])


class AttendanceUploadForm(FlaskForm):
    day = SelectField("Day of the report", validators=[DataRequired("Choose the day.")])
    file = FileField("Participant report (CSV)",
                     validators=[FileRequired("Choose the report's CSV file.")],
                     description="The meeting platform's participant report, saved as CSV "
                                 "UTF-8, with columns for name, email and minutes (Zoom: "
                                 "“User Email”, “Total Duration (Minutes)”). At most 5,000 "
                                 "lines and 1 MB.")


class AttendanceSaveForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])
    report = HiddenField(validators=[DataRequired()])
