"""Organisers' forms: events and registrations. Shapes only; the rules are in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..formfields import DateInRange, choices
from ..reference import CATEGORIES, ECONOMIES, EVENT_KINDS, EVENT_STATUSES, SECTORS
from .audit_text import ACTION_LABELS
from .services import DEFAULT_PAGE_SIZE, DEFAULT_SORT, PAGE_SIZES, SORTS, RegistrationQuery

ECONOMY_CHOICES = choices([("", "None / to be confirmed"), *ECONOMIES.items()])
MAX_CAPACITY = 100_000


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    short_title = StringField("Short title", validators=[Optional(), Length(max=100)])
    kind = SelectField("Kind", choices=choices(EVENT_KINDS.items()))
    status = SelectField("Status", choices=choices(EVENT_STATUSES.items()),
                         description="Drafts are visible only to organisers.")
    theme = StringField("Theme", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)])
    lead_economy = SelectField("Lead economy", choices=ECONOMY_CHOICES)
    co_sponsors = TextAreaField("Co-sponsoring economies", validators=[Optional(),
                                                                       Length(max=2_000)])
    collaborating_fora = TextAreaField("Collaborating fora",
                                       validators=[Optional(), Length(max=2_000)])
    deliverables = SelectMultipleField("Work plan deliverables it serves", coerce=int,
                                       validators=[Optional()])
    venue_name = StringField("Venue", validators=[Optional(), Length(max=200)],
                             description="Leave empty while the venue is to be confirmed.")
    city = StringField("City", validators=[Optional(), Length(max=100)])
    venue_economy = SelectField("Host economy", choices=ECONOMY_CHOICES)
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)],
                           description="IANA name, e.g. Asia/Kuala_Lumpur. Agenda times and "
                                       "the registration window are in this zone.")
    start_date = DateField("First day", validators=[Optional(), DateInRange()])
    end_date = DateField("Last day", validators=[Optional(), DateInRange()])
    tentative_month = MonthField("Month, if the days are not known yet",
                                 validators=[Optional(), DateInRange()],
                                 description="Used only while the first day is empty.")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(0, MAX_CAPACITY)],
                            description="Confirmed places; empty means no limit.")
    waitlist_enabled = BooleanField("Waiting list when full")
    per_economy_limit = IntegerField("Places per economy",
                                     validators=[Optional(), NumberRange(1, 10_000)],
                                     description="Empty means no per-economy limit.")
    registration_opens_at = DateTimeLocalField(
        "Registration opens", validators=[Optional(), DateInRange()], format="%Y-%m-%dT%H:%M",
        description="Local time in the event's time zone. Empty: open once published.")
    registration_closes_at = DateTimeLocalField(
        "Registration closes", validators=[Optional(), DateInRange()], format="%Y-%m-%dT%H:%M",
        description="Local time in the event's time zone. Empty: registration closes when "
                    "the event begins (00:00 on its first day); a later time keeps it open "
                    "during the event. It always closes once the event is over.")
    fold = RadioField("Which one?", choices=[], validate_choice=False, validators=[Optional()])


class NewEventForm(EventForm):
    slug = StringField("Address (slug)", validators=[DataRequired(), Length(max=80)],
                       description="Lower-case letters, digits and hyphens, e.g. ctwg-17. "
                                   "It cannot be changed later.")


class CloneForm(FlaskForm):
    slug = StringField("Address (slug) of the new event",
                       validators=[DataRequired(), Length(max=80)])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    start_date = DateField("First day", validators=[Optional(), DateInRange()],
                           description="The agenda moves with it. Leave empty if not known.")
    tentative_month = MonthField("Month, if the days are not known yet",
                                 validators=[Optional(), DateInRange()])


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1_000)])


class PromoteForm(ReasonForm):
    over_capacity = BooleanField("Confirm over capacity",
                                 description="Needed when no place is free: a place that frees "
                                             "up always goes to the head of the waiting list.")


class RegistrationFilterForm(FlaskForm):
    """The registrations list's query string: filters, the status tab, sorting and the page."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField("Search", validators=[Optional(), Length(max=200)],
                    description="Name, email or organisation")
    status = SelectField("Status", choices=choices([("", "Any"), ("pending", "Awaiting approval"),
                                                    ("confirmed", "Confirmed"),
                                                    ("waitlisted", "Waiting list"),
                                                    ("declined", "Declined"),
                                                    ("cancelled", "Cancelled")]),
                         validators=[Optional()])
    economy = SelectField("Economy", choices=choices([("", "Any economy"), *ECONOMIES.items()]),
                          validators=[Optional()])
    category = SelectField("Category",
                           choices=choices([("", "Any category"), *CATEGORIES.items()]),
                           validators=[Optional()])
    checked_in = SelectField("Checked in", choices=choices([
        ("", "Any check-in"), ("yes", "Checked in"), ("no", "Not checked in")]),
        validators=[Optional()])
    # "<question id>" (answered) or "<question id>:<answer>"; choices set per event.
    answer = SelectField("Answer", choices=[], validate_choice=False, validators=[Optional()])
    participation = SelectField("Taking part", choices=choices([
        ("", "In person or online"), ("in_person", "In person"), ("online", "Online")]),
        validators=[Optional()])
    sort = SelectField("Sort by", choices=choices((k, k) for k in SORTS), validators=[Optional()])
    dir = SelectField("Order", choices=choices([("asc", "Ascending"), ("desc", "Descending")]),
                      validators=[Optional()])
    page = IntegerField("Page", validators=[Optional(), NumberRange(1, 1_000_000)])
    per_page = SelectField("Rows per page", choices=choices((n, str(n)) for n in PAGE_SIZES),
                           coerce=int, default=DEFAULT_PAGE_SIZE, validators=[Optional()])

    def to_query(self) -> RegistrationQuery:
        return RegistrationQuery(
            q=self.q.data or "", status=self.status.data or "", economy=self.economy.data or "",
            category=self.category.data or "", checked_in=self.checked_in.data or "",
            **_answer_filter(self.answer.data or ""),
            participation=self.participation.data or "",
            sort=self.sort.data or DEFAULT_SORT, descending=self.dir.data == "desc",
            page=self.page.data or 1, per_page=self.per_page.data or DEFAULT_PAGE_SIZE)


def _answer_filter(raw: str) -> dict:
    """{"question": id, "answer": value} of the answer filter; {} when it is not one."""
    head, _, value = raw.partition(":")
    if not head.isdigit() or len(head) > 9 or len(value) > 200:
        return {}
    return {"question": int(head), "answer": value}


class BulkCancelForm(FlaskForm):
    ids = HiddenField()
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1_000)],
                           description="Sent to each person in the cancellation email, and kept "
                                       "in the audit log.")


class BulkPromoteForm(FlaskForm):
    ids = HiddenField()
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1_000)],
                           description="Kept in the audit log.")
    over_capacity = BooleanField("Confirm over capacity",
                                 description="Needed when no place is free: a place that frees "
                                             "up always goes to the head of the waiting list.")


class RegistrationEditForm(FlaskForm):
    honorific = StringField("Title", validators=[Optional(), Length(max=40)],
                            description="Mr, Ms, Dr, H.E. Ms, ...")
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=200)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=200)])
    badge_name = StringField("Name on badge", validators=[Optional(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    economy = SelectField("Economy", choices=ECONOMY_CHOICES)
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=200)])
    sector = SelectField("Sector", choices=choices(SECTORS.items()))
    category = SelectField("Category", choices=choices(CATEGORIES.items()))
    dietary = StringField("Dietary needs", validators=[Optional(), Length(max=500)])
    accessibility = StringField("Accessibility needs", validators=[Optional(), Length(max=500)])

    FIELDS = ("honorific", "given_name", "family_name", "badge_name", "email", "economy",
              "organisation", "job_title", "sector", "category", "dietary", "accessibility")


class AuditFilterForm(FlaskForm):
    """The audit log's query string; the event and user choices are set by the view."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    event = SelectField("Event", choices=[], validators=[Optional()])
    user = SelectField("By", choices=[], validators=[Optional()])
    action = SelectField("What", choices=choices([("", "Anything"), *ACTION_LABELS.items()]),
                         validators=[Optional()])
    registration = IntegerField("Registration", validators=[Optional(), NumberRange(1)])
    page = IntegerField("Page", validators=[Optional(), NumberRange(1, 1_000_000)])
