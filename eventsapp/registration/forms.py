"""Flask-WTF forms: they carry the CSRF token and keep input; the rules are in validation.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice

from ..reference import CATEGORIES, ECONOMIES, SECTORS
from .validation import FIELD_NAMES, LABELS, PARTICIPATION_LABELS

ECONOMY_CHOICES = [SelectChoice("", "None: not representing an economy")] + [
    SelectChoice(code, f"{name} ({code})") for code, name in ECONOMIES.items()]
SECTOR_CHOICES = [SelectChoice(k, v) for k, v in SECTORS.items()]
CATEGORY_CHOICES = [SelectChoice(k, v) for k, v in CATEGORIES.items()]
MEMBER_CATEGORY_CHOICES = [c for c in CATEGORY_CHOICES if c.value != "head_of_delegation"]
DELEGATION_ROWS = 6


def _text(name: str, **kw) -> StringField:
    return StringField(LABELS[name], **kw)


def _choice(name: str, choices, **kw) -> SelectField:
    # Choices are checked once, by clean_registration, with the same message as the API.
    return SelectField(LABELS[name], choices=choices, validate_choice=False, **kw)


HONORIFICS = ("Mr", "Ms", "Mrs", "Dr", "Prof.", "H.E. Mr", "H.E. Ms", "H.E. Dr", "Hon.")


class _PersonFields:
    honorific = _text("honorific", description="How protocol addresses you, e.g. Ms, Dr or "
                                               "H.E. Mr. Optional.")
    given_name = _text("given_name")
    family_name = _text("family_name")
    email = EmailField(LABELS["email"])
    badge_name = _text("badge_name", description="As it should be printed; leave empty to "
                                                 "use your given and family name.")
    native_name = _text("native_name", description="Optional, for example 李小龍 or Иван Петров.")
    dietary = _text("dietary")
    accessibility = _text("accessibility")
    consent_to_list = BooleanField("Show my name, organisation and economy on the list of "
                                   "participants")
    # Shown only for a hybrid event; checked by clean_registration and the service.
    participation = RadioField(LABELS["participation"], validate_choice=False, choices=[
        SelectChoice("in_person", "In person, at the venue"),
        SelectChoice("online", PARTICIPATION_LABELS["online"])])

    def service_data(self) -> dict:
        """The submitted values, keyed like RegistrationInput."""
        return {name: self[name].data for name in FIELD_NAMES if name in self}

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            if name in self:
                self[name].errors = list(messages)


class RegistrationForm(_PersonFields, FlaskForm):
    economy = _choice("economy", ECONOMY_CHOICES)
    organisation = _text("organisation")
    job_title = _text("job_title")
    sector = _choice("sector", SECTOR_CHOICES, default="government")
    category = _choice("category", CATEGORY_CHOICES, default="delegate")


class MemberForm(_PersonFields, Form):
    """One delegate's row in the delegation form; a row left empty is skipped."""

    category = _choice("category", MEMBER_CATEGORY_CHOICES, default="delegate")

    def is_blank(self) -> bool:
        return not any((self[n].data or "").strip() for n in
                       ("given_name", "family_name", "email", "badge_name", "native_name"))


class DelegationForm(RegistrationForm):
    members = FieldList(FormField(MemberForm), min_entries=DELEGATION_ROWS,
                        max_entries=DELEGATION_ROWS)


def offer_categories(form, categories: list[str]) -> None:
    """Offer only `categories` (the event's public ones) in the form and its rows.

    The choice is checked again by the service, whatever the browser sent.
    """
    offered = [SelectChoice(c, CATEGORIES[c]) for c in categories]
    fields = [form.category] + [e.form.category for e in getattr(form, "members", [])]
    for field in fields:
        field.choices = offered
        if field.data not in categories and categories and not field.raw_data:
            field.data = categories[0]


def leave_out(form, names) -> None:
    """Remove the fields `names` from the form and its delegates' rows: neither shown nor
    read from what is posted (questions/services.py `fields_asked_as_questions`)."""
    for each in [form] + [e.form for e in getattr(form, "members", [])]:
        for name in names:
            if name in each:
                del each[name]


class NewLinkForm(FlaskForm):
    email = EmailField(LABELS["email"], description="The address you registered with.")
