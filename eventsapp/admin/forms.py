"""Organisers' forms: events and registrations. Shapes only; the rules are in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..formfields import choices
from ..reference import CATEGORIES, ECONOMIES, EVENT_KINDS, EVENT_STATUSES, SECTORS

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
    start_date = DateField("First day", validators=[Optional()])
    end_date = DateField("Last day", validators=[Optional()])
    tentative_month = MonthField("Month, if the days are not known yet", validators=[Optional()],
                                 description="Used only while the first day is empty.")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(0, MAX_CAPACITY)],
                            description="Confirmed places; empty means no limit.")
    waitlist_enabled = BooleanField("Waiting list when full")
    per_economy_limit = IntegerField("Places per economy",
                                     validators=[Optional(), NumberRange(1, 10_000)],
                                     description="Empty means no per-economy limit.")
    registration_opens_at = DateTimeLocalField("Registration opens", validators=[Optional()],
                                               format="%Y-%m-%dT%H:%M")
    registration_closes_at = DateTimeLocalField("Registration closes", validators=[Optional()],
                                                format="%Y-%m-%dT%H:%M")
    fold = RadioField("Which one?", choices=[], validate_choice=False, validators=[Optional()])


class NewEventForm(EventForm):
    slug = StringField("Address (slug)", validators=[DataRequired(), Length(max=80)],
                       description="Lower-case letters, digits and hyphens, e.g. ctwg-17. "
                                   "It cannot be changed later.")


class CloneForm(FlaskForm):
    slug = StringField("Address (slug) of the new event",
                       validators=[DataRequired(), Length(max=80)])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    start_date = DateField("First day", validators=[Optional()],
                           description="The agenda moves with it. Leave empty if not known.")
    tentative_month = MonthField("Month, if the days are not known yet", validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1_000)])


class PromoteForm(ReasonForm):
    over_capacity = BooleanField("Confirm over capacity",
                                 description="Needed when no place is free: a place that frees "
                                             "up always goes to the head of the waiting list.")


class RegistrationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField("Status", choices=choices([("", "Any"), ("pending", "Awaiting approval"),
                                                    ("confirmed", "Confirmed"),
                                                    ("waitlisted", "Waiting list"),
                                                    ("declined", "Declined"),
                                                    ("cancelled", "Cancelled")]),
                         validators=[Optional()])
    economy = SelectField("Economy", choices=choices([("", "Any"), *ECONOMIES.items()]),
                          validators=[Optional()])
    category = SelectField("Category", choices=choices([("", "Any"), *CATEGORIES.items()]),
                           validators=[Optional()])


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
