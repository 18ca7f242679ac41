"""Forms of the questions page, and reading a registrant's answers out of a submitted form.

A question's answer travels in the field `q-<id>` (several values for multiple choice;
"Other" in `q-<id>-other`), so the form needs no knowledge of the questions to be posted.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import DateInRange
from ..formfields import choices as choice_list
from ..models import Question
from ..models.questions import CHOICE, MULTI_CHOICE, QUESTION_KINDS
from ..reference import CATEGORIES
from .services import DATE_RULES, KIND_LABELS, OTHER_UNSAID, PRESETS

OTHER_VALUE = OTHER_UNSAID  # the "Other" box's value; sent on when nothing is typed


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(FlaskForm):
    label = StringField("Question")
    type = SelectField("Kind of answer", choices=choice_list((k, KIND_LABELS[k])
                                                          for k in QUESTION_KINDS),
                       validate_choice=False)
    help_text = StringField("Help text", description="Shown under the question. Optional.")
    choices = TextAreaField("Choices", description="Single and multiple choice: one per line.")
    allow_other = BooleanField("Let people type another answer (“Other”)")
    required = BooleanField("An answer is required")
    categories = _Checkboxes("Asked of", choices=choice_list(CATEGORIES.items()),
                             validate_choice=False,
                             description="Tick none to ask everyone.")
    depends_on = SelectField("Shown only when", choices=[], validate_choice=False,
                             description="One level only: the other question must depend on "
                                         "nothing itself.")
    depends_value = StringField("has the answer",
                                description="Exactly as offered, e.g. yes, or a choice.")
    date_rule = SelectField("Dates allowed", choices=choice_list(DATE_RULES.items()),
                            validate_choice=False)
    sensitive = BooleanField("Sensitive (e.g. passport or health details): cleared after the "
                             "event's shorter retention period")

    def set_parents(self, questions: list[Question], current: Question | None = None) -> None:
        self.depends_on.choices = choice_list(
            [("", "Always shown")] + [(str(q.id), q.label[:80]) for q in questions
                                      if q.kind in (CHOICE, MULTI_CHOICE, "boolean")
                                      and q.depends_on_id is None
                                      and (current is None or q.id != current.id)])

    def fill(self, q: Question) -> None:
        self.label.data, self.type.data, self.help_text.data = q.label, q.kind, q.help_text
        self.choices.data = "\n".join(q.choices)
        self.allow_other.data, self.required.data = q.allow_other, q.required
        self.categories.data = list(q.categories)
        self.depends_on.data = str(q.depends_on_id or "")
        self.depends_value.data = q.depends_value
        self.date_rule.data, self.sensitive.data = q.date_rule, q.sensitive

    def raw(self) -> dict[str, Any]:
        return {"label": self.label.data, "type": self.type.data,
                "help_text": self.help_text.data, "choices": self.choices.data or "",
                "allow_other": bool(self.allow_other.data), "required": bool(self.required.data),
                "categories": list(self.categories.data or []),
                "depends_on": self.depends_on.data or None,
                "depends_value": self.depends_value.data or "",
                "date_rule": self.date_rule.data or "", "sensitive": bool(self.sensitive.data)}

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = getattr(self, name, None)
            if target is not None and hasattr(target, "errors"):
                target.errors = [*target.errors, *messages]
            else:
                self.label.errors = [*self.label.errors, *messages]


class PresetForm(FlaskForm):
    preset = HiddenField()

    def valid_preset(self) -> str | None:
        return self.preset.data if self.preset.data in PRESETS else None


class ActionForm(FlaskForm):
    """A button's form: the CSRF token only."""


class CutoffForm(FlaskForm):
    answers_until = DateField("Registrants may change their answers until",
                              validators=[Optional(), DateInRange()],
                              description="A day at the venue, included. Empty: no cut-off.")


def answers_from_form(questions: list[Question], form: MultiDict) -> dict[str, Any]:
    """The answers in a submitted registration form, shaped like the API's `answers`.

    "Other" ticked with its box left empty goes on as `OTHER_VALUE`, which `clean_answer`
    refuses ("Say what the other … is"). Text typed in the box without ticking Other
    counts as ticking it (multiple choice; single choice when no other answer is chosen):
    what someone typed is not dropped silently."""
    raw: dict[str, Any] = {}
    for q in questions:
        name = f"q-{q.id}"
        other = (form.get(f"{name}-other") or "").strip()
        if q.kind == MULTI_CHOICE:
            values = [v for v in form.getlist(name) if v and v != OTHER_VALUE]
            if OTHER_VALUE in form.getlist(name) or (other and q.allow_other):
                values.append(other or OTHER_VALUE)
            raw[str(q.id)] = values
        elif q.kind == CHOICE:
            value = form.get(name, "")
            if value == OTHER_VALUE or (not value and other and q.allow_other):
                value = other or OTHER_VALUE
            raw[str(q.id)] = value
        elif name in form:
            raw[str(q.id)] = form.get(name, "")
    return raw


def form_values(questions: list[Question], stored: dict[int, str],
                submitted: MultiDict | None) -> dict[int, dict[str, Any]]:
    """What each question's inputs show: {id: {"values": [...], "other": "..."}}."""
    out: dict[int, dict[str, Any]] = {}
    for q in questions:
        name = f"q-{q.id}"
        if submitted is not None:
            values = submitted.getlist(name)
            other = submitted.get(f"{name}-other", "")
        else:
            values = stored.get(q.id, "").split("\n") if stored.get(q.id) else []
            listed = set(q.choices)
            other = ""
            if q.kind in (CHOICE, MULTI_CHOICE) and q.allow_other:
                typed = [v for v in values if v not in listed]
                if typed:
                    other = typed[0]
                    values = [v for v in values if v in listed] + [OTHER_VALUE]
        out[q.id] = {"values": values, "other": other}
    return out
