"""Forms of the messages pages: shapes only; messages/services.py checks the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import choices
from ..models import BEFORE_START, EACH_MORNING
from ..reference import CATEGORIES, ECONOMIES
from .recipients import NO_ECONOMY, STATUSES, Criteria

STATUS_LABELS = {"confirmed": "Confirmed", "waitlisted": "On the waiting list",
                 "cancelled": "Cancelled", "pending": "Pending", "declined": "Declined"}



def line_ends(value: str | None) -> str | None:
    """Browsers send a textarea's lines with CRLF (HTML spec); keep one form, LF, so a
    text saved unchanged is the same text."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if value else value

class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RecipientsMixin:
    """The recipient criteria (recipients.Criteria) as form fields."""

    status = Checkboxes("Status", choices=choices((s, STATUS_LABELS[s]) for s in STATUSES),
                        validators=[Optional()])
    economy = Checkboxes("Economy", choices=choices(
        [*ECONOMIES.items(), (NO_ECONOMY, "No economy")]), validators=[Optional()])
    category = Checkboxes("Category", choices=choices(CATEGORIES.items()),
                          validators=[Optional()])
    checked_in = RadioField("Check-in", choices=choices([("", "Either"), ("yes", "Checked in"),
                                                         ("no", "Not checked in")]), default="",
                            validators=[Optional()])
    without_head = BooleanField("Only economies with no confirmed head of delegation")
    ids = HiddenField()

    def criteria(self) -> Criteria:
        ids = [int(v) for v in (self.ids.data or "").split(",") if v.strip().isdigit()]
        return Criteria(status=tuple(self.status.data or ()),
                        economy=tuple(self.economy.data or ()),
                        category=tuple(self.category.data or ()),
                        checked_in={"yes": True, "no": False}.get(self.checked_in.data or ""),
                        ids=tuple(ids), without_head_of_delegation=bool(self.without_head.data))

    def fill_criteria(self, c: Criteria) -> None:
        self.status.data = list(c.status)
        self.economy.data = list(c.economy)
        self.category.data = list(c.category)
        self.checked_in.data = {True: "yes", False: "no"}.get(c.checked_in, "")
        self.without_head.data = c.without_head_of_delegation
        self.ids.data = ",".join(map(str, c.ids))


class MessageForm(RecipientsMixin, FlaskForm):
    subject = StringField("Subject")
    body = TextAreaField("Message", render_kw={"rows": 14}, filters=[line_ends])
    attach_calendar = BooleanField("Attach the event's calendar file (.ics)")
    document_id = SelectField("Attach a document", choices=choices([("", "No document")]),
                              default="",
                              validators=[Optional()])
    reply_to = StringField("Replies go to", description="An address of the secretariat; "
                           "leave empty for no Reply-To.")


class SendForm(FlaskForm):
    expected = IntegerField(validators=[InputRequired()])
    repeat = BooleanField("Yes, send it again")


class ReminderForm(RecipientsMixin, FlaskForm):
    kind = RadioField("When", choices=choices([
        (BEFORE_START, "Days before the first day"),
        (EACH_MORNING, "The morning of each day of the event")]), default=BEFORE_START)
    days_before = IntegerField("Days before the start", default=1,
                               validators=[Optional(), NumberRange(min=0, max=90)])
    local_time = TimeField("At (the event's local time)", default=None,
                           validators=[InputRequired(message="Give a time, e.g. 08:00.")])
    subject = StringField("Subject")
    body = TextAreaField("Message", render_kw={"rows": 10}, filters=[line_ends])
    attach_calendar = BooleanField("Attach the event's calendar file (.ics)")
    reply_to = StringField("Replies go to", description="Leave empty for none.")
