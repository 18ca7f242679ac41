"""Forms of the accreditation pages: shapes only; the rules are in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import choices
from ..reference import CATEGORIES, ECONOMIES

MODE_CHOICES = choices([
    ("open", "Open: anyone registers and gets a place at once"),
    ("approval", "Approval: every registration waits for a focal point or the secretariat"),
    ("invitation", "Invitation: only invited addresses can register"),
])


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token."""


class DeclineForm(FlaskForm):
    reason = TextAreaField("Reason (emailed to the person)", validators=[
        DataRequired("Give the reason for declining: it is emailed to the person."),
        Length(max=1_000)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Reason (optional, emailed to the person)",
                           validators=[Optional(), Length(max=1_000)])


class HeadForm(FlaskForm):
    replace_current = BooleanField("Replace the current head (who becomes a delegate)")
    # The head the page showed: a page open since another change replaces nobody else.
    replacing = IntegerField(validators=[Optional()])


class EconomyFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    economy = SelectField("Economy", choices=choices([("", "All economies"),
                                                      *ECONOMIES.items()]),
                          validators=[Optional()])


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    registration_mode = RadioField("How people register", choices=MODE_CHOICES)
    approval_steps = RadioField("Approval", coerce=int, choices=choices([
        (1, "One step: a focal point or the secretariat approves"),
        (2, "Two steps: the focal point nominates, the secretariat accredits")]))
    public_categories = _Checkboxes(
        "Categories people may choose themselves", choices=choices(CATEGORIES.items()),
        description="The others are assigned by the secretariat or a focal point.")


def limit_field(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(0, 10_000)],
                        description="Empty: no limit.")


# One limit field per category, named limit_<category>.
for _code, _label in CATEGORIES.items():
    setattr(SettingsForm, f"limit_{_code}", limit_field(f"Most places for {_label.lower()}"))
