"""Organisers' forms for documents. Shapes only; the rules are in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..formfields import choices
from ..reference import ECONOMIES
from .services import ACCESS_LABELS, LANGUAGES

ACCESS_HINT = ("Public: anyone. Participants: confirmed registrants, through their private "
               "link, and staff. Staff only: organisers of this event.")


class DetailsForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=300)])
    economy = SelectField("Submitted by economy",
                          choices=choices([("", "None (an organisation)"), *ECONOMIES.items()]))
    organisation = StringField("Submitting organisation", validators=[Optional(),
                                                                      Length(max=200)],
                               description="E.g. APEC Secretariat, or the economy's agency.")
    language = SelectField("Language", choices=choices(LANGUAGES.items()))
    access = SelectField("Who may open it", choices=choices(ACCESS_LABELS.items()),
                         description=ACCESS_HINT)
    agenda_item = SelectField("Agenda item", choices=[], validators=[Optional()])
    deliverable = SelectField("Work plan deliverable", choices=[], validators=[Optional()])


class UploadForm(DetailsForm):
    file = FileField("File", description="PDF, Word, Excel, PowerPoint, OpenDocument, PNG or "
                                         "JPEG; at most 50 MB.")


class RevisionForm(FlaskForm):
    file = FileField("New version of the file",
                     description="It keeps the document's number and becomes the next "
                                 "revision (rev1, rev2, …).")


class SettingsForm(FlaskForm):
    event_code = StringField("Event code", validators=[Optional(), Length(max=40)],
                             description="In document numbers, e.g. CTWG15. Empty: made from "
                                         "the event's short title.")
    number_scheme = StringField("Numbering scheme", validators=[Optional(), Length(max=100)],
                                description="Fields: {year}, {event_code}, {group}, {seq} "
                                            "(e.g. {seq:03d} for 005).")
    deadline = DateTimeLocalField("Submission deadline", validators=[Optional()],
                                  format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                  description="Local time at the venue. Papers after it are "
                                              "marked late.")
