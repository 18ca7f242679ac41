"""Registration questions: the organiser's questions per event, presets, and the answers.

Rules (issue 17):
- A question has a kind (`QUESTION_KINDS`), a label (≤ 300 characters), help text
  (≤ 500), choices for choice kinds (1–50, each ≤ 200, no duplicates, no line breaks),
  `required`, the categories it is asked of (empty: everyone) and at most one level of
  dependency: shown only when another question — a choice, multiple choice or yes/no
  question that depends on nothing — has a given answer.
- Answers are keyed by question id. An answer to a question that does not apply (its
  condition unmet, another category) is ignored and not stored; one to a removed question
  is ignored; one to an id the event never had is refused. Text ≤ 200 characters, long
  text ≤ 2,000; a choice from the list (or typed, where "other" is allowed); dates in
  1970–2200 and, by the question's `date_rule`, around the event, after it, or past.
- Removing a question keeps it (`removed_at`) and its answers, which exports show marked
  "(removed)"; its dependents go with it. A question's kind stays once answered.
- The registrant changes their answers until the event's cut-off (`answers_until`, a
  local day at the venue, inclusive); staff at any time.
Every write is one unit of work under the event's lock, with an audit entry.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..database import lock_event, unit_of_work
from ..extensions import db
from ..inputs import check_text, date_out_of_range
from ..models import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    Answer,
    Event,
    Question,
    QuestionSettings,
    Registration,
    User,
    utcnow,
)
from ..models.questions import (
    BOOLEAN,
    CHOICE,
    CHOICE_KINDS,
    DATE,
    LONG_TEXT,
    MULTI_CHOICE,
    NUMBER,
    QUESTION_KINDS,
    TEXT,
)
from ..reference import CATEGORIES
from ..registration import services as registrations
from ..registration.validation import RegistrationInput
from ..textnorm import escape_like, is_invisible_only, normalize_text

LABEL_MAX = 300
HELP_MAX = 500
CHOICE_MAX = 200
CHOICES_MAX = 50
TEXT_MAX = 200
LONG_TEXT_MAX = 2_000
NUMBER_MAX = Decimal(10) ** 12
QUESTIONS_MAX = 100  # per event
DATE_RULES = {"": "Any date", "near_event": "Around the event (60 days before or after)",
              "after_event": "After the event's last day", "past": "In the past"}
NEAR_DAYS = 60
KIND_LABELS = {TEXT: "Short text", LONG_TEXT: "Long text", CHOICE: "Single choice",
               MULTI_CHOICE: "Multiple choice", BOOLEAN: "Yes/no", DATE: "Date",
               NUMBER: "Number"}
YES, NO = "yes", "no"
# "Other" chosen with nothing typed (a form's Other box left empty): refused, not dropped.
OTHER_UNSAID = "__other__"


class QuestionError(ValueError):
    """A refused question or answers; `errors` maps a field (or a question id) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class AnswersLocked(ValueError):
    """The organiser's cut-off for changing answers has passed."""


class AnswersRefused(ValueError):
    """This registration's answers cannot be changed by anyone: it was cancelled, declined
    or anonymised (the message says which)."""


# --- questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    """A question as the organiser typed it, checked by `clean_question`."""

    label: str
    kind: str
    help_text: str = ""
    choices: tuple[str, ...] = ()
    allow_other: bool = False
    required: bool = False
    categories: tuple[str, ...] = ()
    depends_on_id: int | None = None
    depends_value: str = ""
    date_rule: str = ""
    sensitive: bool = False
    preset: str = ""


def _text(value: Any, label: str, max_length: int, *, required: bool = False,
          multiline: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text.")
    check_text(value, label, multiline=multiline)
    if is_invisible_only(value):
        raise ValueError(f"{label} has only invisible characters.")
    text = normalize_text(value, multiline=multiline)
    if required and not text:
        raise ValueError(f"Enter the {label.lower()}.")
    if len(text) > max_length:
        raise ValueError(f"{label} must be at most {max_length:,} characters long "
                         f"(it has {len(text):,}).")
    return text


def clean_question(event: Event, raw: Mapping[str, Any], *,
                   question: Question | None = None) -> QuestionData:
    """Check an organiser's question (form or API values).

    `choices` is a list of strings or text with one choice per line; `categories` a list
    of category keys; `depends_on` a question id (or "" / None).

    :raises QuestionError: every field's messages at once.
    """
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        label = _text(raw.get("label"), "Question", LABEL_MAX, required=True)
    except ValueError as exc:
        fail("label", str(exc))
        label = ""
    kind = raw.get("type", raw.get("kind"))
    if kind not in QUESTION_KINDS:
        fail("type", "Choose the kind of answer: " + ", ".join(QUESTION_KINDS) + ".")
        kind = TEXT
    try:
        help_text = _text(raw.get("help_text"), "Help text", HELP_MAX)
    except ValueError as exc:
        fail("help_text", str(exc))
        help_text = ""
    choices: list[str] = []
    raw_choices = raw.get("choices") or []
    if isinstance(raw_choices, str):
        raw_choices = raw_choices.splitlines()
    if not isinstance(raw_choices, list | tuple):
        fail("choices", "Choices must be a list of texts.")
        raw_choices = []
    for value in raw_choices:
        try:
            choice = _text(value, "A choice", CHOICE_MAX)
        except ValueError as exc:
            fail("choices", str(exc))
            continue
        if choice and choice not in choices:
            choices.append(choice)
    if kind in CHOICE_KINDS:
        if not choices:
            fail("choices", "Give at least one choice, one per line.")
        if len(choices) > CHOICES_MAX:
            fail("choices", f"Give at most {CHOICES_MAX} choices.")
    else:
        choices = []
    flags = {}
    for name in ("required", "allow_other", "sensitive"):
        value = raw.get(name, False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            fail(name, f"{name} must be true or false.")
            value = False
        flags[name] = value
    raw_categories = raw.get("categories") or []
    if not isinstance(raw_categories, list | tuple) or any(
            c not in CATEGORIES for c in raw_categories):
        fail("categories", "Choose categories from the list.")
        raw_categories = []
    categories = tuple(c for c in CATEGORIES if c in raw_categories)
    if len(categories) == len(CATEGORIES):
        categories = ()  # every category is everyone
    date_rule = raw.get("date_rule") or ""
    if date_rule not in DATE_RULES or (date_rule and kind != DATE):
        date_rule = "" if kind != DATE else date_rule
        if date_rule not in DATE_RULES:
            fail("date_rule", "Choose when the date may fall from the list.")
            date_rule = ""
    depends_on_id, depends_value = _clean_dependency(event, raw, question, fail)
    preset = raw.get("preset") or (question.preset if question is not None else "")
    if errors:
        raise QuestionError(errors)
    return QuestionData(label=label, kind=kind, help_text=help_text, choices=tuple(choices),
                        allow_other=flags["allow_other"] and kind in CHOICE_KINDS,
                        required=flags["required"], categories=categories,
                        depends_on_id=depends_on_id, depends_value=depends_value,
                        date_rule=date_rule, sensitive=flags["sensitive"], preset=preset)


def _clean_dependency(event: Event, raw: Mapping[str, Any], question: Question | None,
                      fail) -> tuple[int | None, str]:
    depends_on = raw.get("depends_on")
    if depends_on in (None, "", 0, "0"):
        return None, ""
    try:
        parent_id = int(depends_on)
    except (TypeError, ValueError):
        fail("depends_on", "Choose the question this one depends on from the list.")
        return None, ""
    parent = db.session.get(Question, parent_id)
    if (parent is None or parent.event_id != event.id or parent.is_removed
            or (question is not None and parent.id == question.id)):
        fail("depends_on", "Choose the question this one depends on from the list.")
        return None, ""
    if parent.kind not in (CHOICE, MULTI_CHOICE, BOOLEAN):
        fail("depends_on", "A question can depend only on a choice or yes/no question.")
        return None, ""
    if parent.depends_on_id is not None:
        fail("depends_on", f"“{parent.label}” depends on another question itself; only one "
                           "level of dependency is possible.")
        return None, ""
    if question is not None and dependents(question):
        fail("depends_on", "Other questions depend on this one, so it cannot depend on "
                           "another (one level only).")
        return None, ""
    value = raw.get("depends_value")
    offered = [YES, NO] if parent.kind == BOOLEAN else list(parent.choices)
    if value not in offered:
        fail("depends_value", f"Choose the answer of “{parent.label}” that shows this "
                              "question: " + ", ".join(offered) + ".")
        return None, ""
    return parent.id, value


def questions_of(event: Event, *, removed: bool = False) -> list[Question]:
    """The event's questions in the form's order; with `removed`, the removed ones too
    (after the others, for exports)."""
    stmt = select(Question).where(Question.event_id == event.id)
    if not removed:
        stmt = stmt.where(Question.removed_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Question.removed_at.is_not(None),
                                                 Question.position, Question.id)))


def dependents(question: Question) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.depends_on_id == question.id, Question.removed_at.is_(None))
        .order_by(Question.position)))


def has_answers(question: Question) -> bool:
    return bool(db.session.scalar(select(exists().where(Answer.question_id == question.id))))


def _fields(data: QuestionData) -> dict[str, Any]:
    return {"label": data.label, "kind": data.kind, "help_text": data.help_text,
            "choices": list(data.choices), "allow_other": data.allow_other,
            "required": data.required, "categories": list(data.categories),
            "depends_on_id": data.depends_on_id, "depends_value": data.depends_value,
            "date_rule": data.date_rule, "sensitive": data.sensitive, "preset": data.preset}


def _locked_event(event_id: int) -> Event:
    return lock_event(event_id)


def add_question(event: Event, data: QuestionData, *, user: User | None) -> Question:
    """Add `data` at the end of the event's questions.

    :raises QuestionError: the event has `QUESTIONS_MAX` questions already.
    """
    with unit_of_work():
        ev = _locked_event(event.id)
        return _insert(ev, data, user)


def _insert(ev: Event, data: QuestionData, user: User | None) -> Question:
    count = db.session.scalar(select(func.count()).select_from(Question).where(
        Question.event_id == ev.id, Question.removed_at.is_(None)))
    if count >= QUESTIONS_MAX:
        raise QuestionError({"label": [f"An event has at most {QUESTIONS_MAX} questions."]})
    last = db.session.scalar(select(func.max(Question.position)).where(
        Question.event_id == ev.id)) or 0
    question = Question(event_id=ev.id, position=last + 1, **_fields(data))
    db.session.add(question)
    db.session.flush()
    audit.record("question_added", question, event_id=ev.id, user=user, label=data.label,
                 kind=data.kind)
    return question


def update_question(question: Question, data: QuestionData, *, user: User | None) -> bool:
    """Change a question; returns whether anything changed (saved unchanged: nothing).

    :raises QuestionError: the kind changed while answers exist.
    """
    with unit_of_work():
        _locked_event(question.event_id)
        q = db.session.get(Question, question.id, populate_existing=True)
        new = _fields(data)
        changed = [k for k, v in new.items() if getattr(q, k) != v]
        if not changed:
            return False
        if "kind" in changed and has_answers(q):
            raise QuestionError({"type": ["This question has answers already, so its kind "
                                          "stays; add a new question instead."]})
        for name in changed:
            setattr(q, name, new[name])
        q.updated_at = utcnow()
        audit.record("question_changed", q, event_id=q.event_id, user=user, label=q.label,
                     fields=changed)
        return True


def move_question(question: Question, direction: str, *, user: User | None) -> bool:
    """Swap the question with its neighbour ("up" or "down"); False at either end."""
    if direction not in ("up", "down"):
        raise QuestionError({"direction": ["Move a question up or down."]})
    with unit_of_work():
        ev = _locked_event(question.event_id)
        ordered = questions_of(ev)
        ids = [q.id for q in ordered]
        if question.id not in ids:
            return False
        i = ids.index(question.id)
        j = i - 1 if direction == "up" else i + 1
        if not 0 <= j < len(ordered):
            return False
        ordered[i], ordered[j] = ordered[j], ordered[i]
        for n, q in enumerate(ordered, start=1):
            q.position = n
        audit.record("question_moved", ordered[j], event_id=ev.id, user=user,
                     label=ordered[j].label, direction=direction)
        return True


def remove_question(question: Question, *, user: User | None) -> list[Question]:
    """Remove a question and those that depend on it (kept with their answers, marked
    removed). Returns what was removed."""
    with unit_of_work():
        _locked_event(question.event_id)
        q = db.session.get(Question, question.id, populate_existing=True)
        if q.is_removed:
            return []
        gone = [q, *dependents(q)]
        now = utcnow()
        for item in gone:
            item.removed_at = item.updated_at = now
            audit.record("question_removed", item, event_id=item.event_id, user=user,
                         label=item.label)
        return gone


# --- presets ---------------------------------------------------------------------------------

NO_NEEDS = "No special requirements"  # the dietary preset's choice that excludes the others
DIETARY_CHOICES = (NO_NEEDS, "Vegetarian", "Vegan", "Halal", "Kosher",
                   "Gluten-free", "Lactose-free", "Nut allergy")


@dataclass(frozen=True)
class Preset:
    title: str
    questions: tuple[QuestionData, ...]
    # Questions shown only when the first one is answered `when` (e.g. "yes").
    follow_ups: tuple[QuestionData, ...] = ()
    when: str = ""


PRESETS: dict[str, Preset] = {
    "dietary": Preset("Dietary needs", (QuestionData(
        "Dietary needs", MULTI_CHOICE, "Choose all that apply; under Other, tell us more.",
        DIETARY_CHOICES, allow_other=True, sensitive=True, preset="dietary"),)),
    "accessibility": Preset("Accessibility needs", (QuestionData(
        "Accessibility needs", LONG_TEXT, "For example step-free access, a sign language "
        "interpreter, large print or a quiet room.", sensitive=True,
        preset="accessibility"),)),
    "travel": Preset("Arrival and departure", (
        QuestionData("Arrival date", DATE, "The day you arrive at the venue's city.",
                     date_rule="near_event", preset="arrival_date"),
        QuestionData("Arrival flight", TEXT, "Flight number, e.g. MH 123.",
                     preset="arrival_flight"),
        QuestionData("Departure date", DATE, date_rule="near_event", preset="departure_date"),
        QuestionData("Departure flight", TEXT, "Flight number, e.g. MH 124.",
                     preset="departure_flight"),
    )),
    "hotel": Preset("Hotel", (QuestionData("Hotel", TEXT, "Where you will stay.",
                                           preset="hotel"),)),
    "visa": Preset("Visa support letter", (QuestionData(
        "I need a visa support letter", BOOLEAN, "The secretariat issues a letter to "
        "confirmed participants who need one; we then need your passport details.",
        preset="visa"),), follow_ups=(
        QuestionData("Nationality", TEXT, "As in your passport.", required=True,
                     sensitive=True, preset="nationality"),
        QuestionData("Passport number", TEXT, required=True, sensitive=True,
                     preset="passport_number"),
        QuestionData("Passport expiry date", DATE, "Must be after the event's last day.",
                     required=True, date_rule="after_event", sensitive=True,
                     preset="passport_expiry"),
        QuestionData("Date of birth", DATE, required=True, date_rule="past", sensitive=True,
                     preset="date_of_birth"),
    ), when=YES),
}


# The registration's fixed fields that a preset asks again: field → the preset's question.
FIELDS_ASKED_BY_PRESETS = {"dietary": "dietary", "accessibility": "accessibility"}


def fields_asked_as_questions(event: Event) -> frozenset[str]:
    """The fixed registration fields (`dietary`, `accessibility`) that the event asks as its
    preset question, of everyone and always: the registrant's forms leave those fields out,
    so nobody is asked twice. A preset question asked only of some categories or only after
    another answer does not count (the others would be asked nothing). Values stored in the
    fields stay (`with_stored_fields`); pages show the answer instead of the field."""
    asked = {q.preset for q in db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.removed_at.is_(None),
        Question.preset.in_(FIELDS_ASKED_BY_PRESETS.values()))) if _asked_of_everyone(q)}
    return frozenset(f for f, preset in FIELDS_ASKED_BY_PRESETS.items() if preset in asked)


def _asked_of_everyone(question: Question) -> bool:
    """Asked of every category, whatever else they answered (no condition)."""
    return question.depends_on_id is None and not question.categories


def with_stored_fields(registration: Registration, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A registrant's submitted details with the fields their form left out (asked as
    questions instead) taken as stored, so that saving the form never clears them."""
    hidden = fields_asked_as_questions(registration.event)
    return {**raw, **{name: getattr(registration, name) for name in hidden}}


class AddedPreset(list):
    """The questions `add_preset` added, in order; `carried_over` counts the registrations
    whose fixed field's value became an answer of the new question."""

    carried_over: int = 0


def add_preset(event: Event, key: str, *, user: User | None) -> AddedPreset:
    """Add a preset's questions; refused if the event asks them already.

    Adding the dietary or accessibility preset carries what each active registration
    wrote in the fixed field of that name into an answer of the new question, in the same
    unit of work (`_carry_over_fixed_field`), so nobody's earlier answer is orphaned: the
    forms leave the field out from now on (`fields_asked_as_questions`).

    :raises QuestionError: unknown preset, or one the event has.
    """
    preset = PRESETS.get(key)
    if preset is None:
        raise QuestionError({"preset": ["There is no such preset."]})
    with unit_of_work():
        ev = _locked_event(event.id)
        first = preset.questions[0].preset
        if db.session.scalar(select(exists().where(
                Question.event_id == ev.id, Question.preset == first,
                Question.removed_at.is_(None)))):
            raise QuestionError({"preset": [f"This event asks about “{preset.title}” "
                                            "already."]})
        added = [_insert(ev, data, user) for data in preset.questions]
        for data in preset.follow_ups:
            added.append(_insert(ev, QuestionData(**{**_fields(data), "choices": (),
                                                     "categories": (),
                                                     "depends_on_id": added[0].id,
                                                     "depends_value": preset.when}), user))
        result = AddedPreset(added)
        field_name = next((f for f, p in FIELDS_ASKED_BY_PRESETS.items()
                           if p == added[0].preset), None)
        if field_name is not None:
            result.carried_over = _carry_over_fixed_field(ev, added[0], field_name, user)
        return result


def _same_choice(text: str) -> str:
    return " ".join(text.split()).casefold()


def carried_answer(question: Question, fixed_value: str) -> str:
    """The stored answer of `question` for what someone wrote in the fixed field: for a
    choice question, the choice it equals (case and spacing aside), else the text typed
    under "Other" on one line; for a text question, the text; "" for nothing."""
    text = (fixed_value or "").strip()
    if not text:
        return ""
    if question.kind not in CHOICE_KINDS:
        return text
    wanted = _same_choice(text)
    match = next((c for c in question.choices if _same_choice(c) == wanted), None)
    if match is not None:
        return match
    return " ".join(text.split()) if question.allow_other else ""


def _carry_over_fixed_field(ev: Event, question: Question, field_name: str,
                            user: User | None) -> int:
    """Answer the new preset `question` for each active registration (in the open unit of
    work, under the event's lock) with its latest word on the matter: its answer to the
    same preset asked before and removed since (the most recently removed), else what it
    wrote in the fixed field `field_name`. The fixed value is kept as the person wrote it;
    pages leave it out while the question is asked. Returns how many answers were carried
    over (audited once, with the count)."""
    column = getattr(Registration, field_name)
    rows = db.session.execute(select(Registration.id, column).where(
        Registration.event_id == ev.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)).all()
    # Ordered by removal, so the dict keeps each registration's latest removed answer.
    earlier = dict(db.session.execute(
        select(Answer.registration_id, Answer.value).join(Question).where(
            Question.event_id == ev.id, Question.preset == question.preset,
            Question.removed_at.is_not(None)).order_by(Question.removed_at, Question.id)).all())
    now = utcnow()
    answers = [Answer(registration_id=reg_id, question_id=question.id, value=value,
                      updated_at=now)
               for reg_id, value in ((r, earlier.get(r) or carried_answer(question, v))
                                     for r, v in rows)
               if value]
    db.session.add_all(answers)
    db.session.flush()
    if answers:
        audit.record("answers_carried_over", question, event_id=ev.id, user=user,
                     label=question.label, field=field_name, count=len(answers))
    return len(answers)


def _mirror_fixed_fields(registration: Registration, questions: Iterable[Question],
                         clean: Mapping[int, str], changed: Iterable[int]) -> None:
    """While the dietary or accessibility preset is asked of everyone, the fixed field of
    that name holds its answer as shown (`display_value`), so exports, letters and the
    preset asked again later read the person's latest answer, not what they typed before
    the question existed. Only answers that changed are copied: an unchanged save writes
    nothing."""
    changed = set(changed)
    for q in questions:
        field_name = next((f for f, p in FIELDS_ASKED_BY_PRESETS.items() if p == q.preset),
                          None)
        if field_name is None or q.id not in changed or not _asked_of_everyone(q):
            continue
        column = getattr(Registration, field_name)
        text = display_value(q, clean.get(q.id, ""))[:column.type.length]
        if getattr(registration, field_name) != text:
            setattr(registration, field_name, text)


# --- answers ---------------------------------------------------------------------------------


def applies(question: Question, category: str, answers: Mapping[int, str]) -> bool:
    """Whether `question` is asked of someone of `category` whose (clean) answers so far
    are `answers`: the category fits and the condition, if any, is met."""
    if question.categories and category not in question.categories:
        return False
    if question.depends_on_id is None:
        return True
    given = answers.get(question.depends_on_id, "")
    return question.depends_value in given.split("\n") if given else False


def _check_date(question: Question, event: Event, day: date) -> str | None:
    problem = date_out_of_range(day)
    if problem:
        return problem
    first, last = event.start_date, event.end_date or event.start_date
    if question.date_rule == "near_event" and first is not None:
        low, high = first - timedelta(days=NEAR_DAYS), last + timedelta(days=NEAR_DAYS)
        if not low <= day <= high:
            return (f"Give a date around the event, between {low.isoformat()} and "
                    f"{high.isoformat()}.")
    if question.date_rule == "after_event" and last is not None and day <= last:
        return f"Give a date after the event's last day ({last.isoformat()})."
    if question.date_rule == "past":
        if day >= _today(event) or day.year < 1900:
            return "Give a date in the past (after 1900)."
    return None


def _today(event: Event) -> date:
    return utcnow().astimezone(ZoneInfo(event.timezone or "UTC")).date()


def clean_answer(question: Question, event: Event, value: Any) -> str:
    """The stored form of one answer ("" for none).

    :raises ValueError: with the registrant's message.
    """
    if value is None:
        return ""
    kind = question.kind
    if kind in (TEXT, LONG_TEXT):
        return _text(value, "The answer", TEXT_MAX if kind == TEXT else LONG_TEXT_MAX,
                     multiline=kind == LONG_TEXT)
    if kind == CHOICE:
        if value == "":
            return ""
        if not isinstance(value, str):
            raise ValueError("Choose one answer from the list.")
        if value == OTHER_UNSAID and question.allow_other:
            raise ValueError(_say_other(question))
        if value in question.choices:
            return value
        if question.allow_other:
            return _text(value, "Your answer", CHOICE_MAX)
        raise ValueError("Choose an answer from the list.")
    if kind == MULTI_CHOICE:
        if isinstance(value, str):
            value = [value] if value else []
        if not isinstance(value, list | tuple) or len(value) > CHOICES_MAX + 1:
            raise ValueError("Give a list of answers from the choices.")
        chosen: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError("Give a list of answers from the choices.")
            if item == OTHER_UNSAID and question.allow_other:
                raise ValueError(_say_other(question))
            if item not in question.choices:
                if not question.allow_other:
                    raise ValueError(f"“{item[:40]}” is not one of the choices.")
                item = _text(item, "Your answer", CHOICE_MAX)
            if item and item not in chosen:
                chosen.append(item)
        if question.preset == "dietary" and NO_NEEDS in chosen and len(chosen) > 1:
            raise ValueError(f"“{NO_NEEDS}” excludes the others: untick it, or untick "
                             "the others.")
        # The list's order, then anything typed under "other".
        listed = [c for c in question.choices if c in chosen]
        return "\n".join(listed + [c for c in chosen if c not in listed])
    if kind == BOOLEAN:
        if value in (True, YES):
            return YES
        if value in (False, NO):
            return NO
        if value == "":
            return ""
        raise ValueError("Answer yes or no.")
    if kind == DATE:
        if value == "":
            return ""
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError("Give a date as YYYY-MM-DD.")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError("Give a date as YYYY-MM-DD.") from None
        problem = _check_date(question, event, day)
        if problem:
            raise ValueError(problem)
        return day.isoformat()
    if kind == NUMBER:
        if value == "":
            return ""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("Give a number.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("Give a number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("Give a number, e.g. 3 or 2.5.") from None
        if not number.is_finite() or abs(number) >= NUMBER_MAX or len(str(value)) > 30:
            raise ValueError("Give a number, e.g. 3 or 2.5.")
        text = format(number.normalize(), "f")
        return "0" if text in ("-0", "") else text
    raise ValueError("This question cannot be answered.")


def _say_other(question: Question) -> str:
    return ("Say what the other need is." if question.preset in FIELDS_ASKED_BY_PRESETS.values()
            else "Say what the other answer is.")


def clean_answers(event: Event, questions: list[Question], raw: Any, *, category: str,
                  partial: bool = False) -> dict[int, str]:
    """Check a registrant's answers (`{"<question id>": value}`) against `questions` (the
    event's, not removed) for someone of `category`.

    Returns {question id: stored value} for the questions that apply and were answered.
    Answers to questions that do not apply are dropped; ids of removed questions are
    ignored (removed while the person filled in the form).

    :raises QuestionError: keyed by question id (as text), or "answers" for the shape.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise QuestionError({"answers": ['Send answers as an object: {"<question id>": '
                                         'value}.']})
    by_id = {q.id: q for q in questions}
    errors: dict[str, list[str]] = {}
    given: dict[int, Any] = {}
    for key, value in raw.items():
        qid = int(key) if isinstance(key, str) and key.isdigit() and len(key) < 10 else None
        if qid is None or (qid not in by_id and not _removed_of(event, qid)):
            errors.setdefault("answers", []).append(
                f"There is no question {str(key)[:20]!r} for this event.")
            continue
        if qid in by_id:
            given[qid] = value
    clean: dict[int, str] = {}
    # Questions that depend on nothing first: the others read their answers.
    for question in sorted(questions, key=lambda q: q.depends_on_id is not None):
        if not applies(question, category, clean):
            continue  # hidden: an answer sent is ignored, not stored
        try:
            value = clean_answer(question, event, given.get(question.id))
        except ValueError as exc:
            errors[str(question.id)] = [str(exc)]
            continue
        if value:
            clean[question.id] = value
        elif question.required and not partial:
            errors[str(question.id)] = ["Answer this question." if question.kind != BOOLEAN
                                        else "Answer yes or no."]
    if errors:
        raise QuestionError(errors)
    return clean


def _removed_of(event: Event, qid: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Question.id == qid, Question.event_id == event.id, Question.removed_at.is_not(None)))))


def answers_of(registration: Registration) -> dict[int, str]:
    """{question id: stored value} of one registration (removed questions included)."""
    return dict(db.session.execute(select(Answer.question_id, Answer.value).where(
        Answer.registration_id == registration.id)).all())


def store_answers(registration: Registration, clean: Mapping[int, str],
                  questions: Iterable[Question]) -> list[int]:
    """Make the registration's answers to `questions` equal `clean` (in the open unit of
    work); answers to other (removed) questions stay. Returns the ids that changed."""
    ids = {q.id for q in questions}
    existing = {a.question_id: a for a in db.session.scalars(select(Answer).where(
        Answer.registration_id == registration.id))}
    changed = []
    now = utcnow()
    for qid in ids:
        value = clean.get(qid, "")
        answer = existing.get(qid)
        if answer is None and value:
            db.session.add(Answer(registration_id=registration.id, question_id=qid,
                                  value=value, updated_at=now))
            changed.append(qid)
        elif answer is not None and not value:
            db.session.delete(answer)
            changed.append(qid)
        elif answer is not None and answer.value != value:
            answer.value, answer.updated_at = value, now
            changed.append(qid)
    _mirror_fixed_fields(registration, questions, clean, changed)
    db.session.flush()
    return sorted(changed)


def _live_questions(event_id: int, category: str) -> list[Question]:
    """The event's questions as they are now, inside the unit of work (after its lock)."""
    return list(db.session.scalars(select(Question).where(
        Question.event_id == event_id, Question.removed_at.is_(None))))


def _keep_applicable(clean: Mapping[int, str], questions: list[Question],
                     category: str) -> dict[int, str]:
    kept: dict[int, str] = {}
    for q in sorted(questions, key=lambda q: q.depends_on_id is not None):
        if q.id in clean and applies(q, category, kept):
            kept[q.id] = clean[q.id]
    return kept


def _run_registering(function, *args, **kwargs):
    """One unit of work around a registration use case and the answers it stores; a
    unique index broken at commit is the registration rules' refusal."""
    try:
        with unit_of_work(expire_on_commit=False, reload=False):
            return function(*args, **kwargs)
    except IntegrityError as exc:
        raise registrations.integrity_refusal(exc) from exc


def register(event: Event, data: RegistrationInput, answers: Mapping[int, str] | None = None,
             **kwargs) -> registrations.Registered:
    """`registration.services.register` and the person's answers (checked by
    `clean_answers`) in one unit of work: both are stored, or neither."""
    def work():
        result = registrations.register(event, data, **kwargs)
        _store_new(result.registration, answers or {})
        return result
    return _run_registering(work)


def register_delegation(event: Event, head: RegistrationInput, members: list[RegistrationInput],
                        answers: Mapping[int, str] | None = None,
                        **kwargs) -> list[registrations.Registered]:
    """`registration.services.register_delegation`, with the head's answers; delegates
    answer on their own private page."""
    def work():
        done = registrations.register_delegation(event, head, members, **kwargs)
        for result in done:
            if result.registration.email_normalized == head.email_normalized:
                _store_new(result.registration, answers or {})
        return done
    return _run_registering(work)


def _store_new(reg: Registration, answers: Mapping[int, str]) -> None:
    if not answers:
        return
    questions = _live_questions(reg.event_id, reg.category)
    kept = _keep_applicable(answers, questions, reg.category)
    store_answers(reg, kept, questions)


def answers_until(event: Event) -> date | None:
    settings = db.session.get(QuestionSettings, event.id)
    return settings.answers_until if settings else None


def answers_open(event: Event, *, now: datetime | None = None) -> bool:
    """Whether registrants may still change their answers (the cut-off day included)."""
    until = answers_until(event)
    if until is None:
        return True
    today = (now or utcnow()).astimezone(ZoneInfo(event.timezone or "UTC")).date()
    return today <= until


def set_answers_until(event: Event, until: date | None, *, user: User | None) -> bool:
    """Set the cut-off; returns whether it changed.

    :raises QuestionError: the day is out of range.
    """
    if until is not None and date_out_of_range(until):
        raise QuestionError({"answers_until": [date_out_of_range(until)]})
    with unit_of_work():
        settings = db.session.get(QuestionSettings, event.id)
        if (settings.answers_until if settings else None) == until:
            return False
        if settings is None:
            settings = QuestionSettings(event_id=event.id)
            db.session.add(settings)
        settings.answers_until = until
        audit.record("answers_cutoff_changed", event, event_id=event.id, user=user,
                     answers_until=until.isoformat() if until else None)
        return True


def answers_refusal(registration: Registration) -> str | None:
    """Why nobody may change this registration's answers now, or None if they may."""
    if registration.anonymised_at is not None:
        return ("This registration has been anonymised: its answers were erased and cannot "
                "be changed.")
    if registration.status in (CANCELLED, DECLINED):
        return f"A {registration.status} registration's answers cannot be changed."
    return None


def update_answers(registration: Registration, raw: Any, *, user: User | None = None,
                   data: RegistrationInput | None = None) -> list[Question]:
    """The registrant (or staff, `user`) changes answers — with `data`, the registration's
    details too, in the same unit of work. Returns the questions whose answer changed, in
    the form's order; none when saved unchanged (then nothing is written, no audit entry).

    :raises AnswersLocked: a registrant after the event's cut-off.
    :raises AnswersRefused: the registration is cancelled, declined or anonymised.
    :raises QuestionError: an answer is refused (nothing is saved).
    """
    event = registration.event
    refusal = answers_refusal(registration)
    if refusal:
        raise AnswersRefused(refusal)
    if user is None and not answers_open(event):
        raise AnswersLocked(
            "Answers can no longer be changed: the organisers closed them on "
            f"{answers_until(event).isoformat()}. Write to the secretariat for a change.")
    category = data.category if data is not None else registration.category
    clean = clean_answers(event, questions_of(event), raw, category=category)

    def work():
        if data is not None:
            registrations.update_registration(registration, data, user=user)
        # Decided under the event's lock on the registration as it is now (a cancellation
        # may have been committed since the page was read).
        _, reg = registrations.locked(registration)
        refused = answers_refusal(reg)
        if refused:
            raise AnswersRefused(refused)
        questions = _live_questions(reg.event_id, reg.category)
        changed = store_answers(reg, _keep_applicable(clean, questions, category), questions)
        if not changed:
            return []
        ordered = sorted((q for q in questions if q.id in changed),
                         key=lambda q: (q.position, q.id))
        audit.record("answers_changed", reg, event_id=reg.event_id, user=user,
                     actor="" if user else "registrant", questions=changed,
                     labels=[q.label for q in ordered])
        return ordered
    return _run_registering(work)


# --- reading answers: pages, exports, counts, filters ----------------------------------------


def display_value(question: Question, value: str) -> str:
    if not value:
        return ""
    if question.kind == MULTI_CHOICE:
        return "; ".join(value.split("\n"))
    if question.kind == BOOLEAN:
        return "Yes" if value == YES else "No"
    return value


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    value: str  # as shown
    removed: bool


def answer_rows(registration: Registration) -> list[AnswerRow]:
    """Every answer of the registration in the form's order, removed questions last."""
    stored = answers_of(registration)
    return [AnswerRow(q, display_value(q, stored[q.id]), q.is_removed)
            for q in questions_of(registration.event, removed=True) if q.id in stored]


def export_header(questions: list[Question]) -> list[str]:
    """One column per question: its label, "(removed)" after a removed one's."""
    return [q.label + (" (removed)" if q.is_removed else "") for q in questions]


def answers_for(registration_ids: list[int]) -> dict[int, dict[int, str]]:
    """{registration id: {question id: stored value}}, in batches of 900 ids."""
    out: dict[int, dict[int, str]] = {}
    for i in range(0, len(registration_ids), 900):
        batch = registration_ids[i:i + 900]
        for reg_id, qid, value in db.session.execute(select(
                Answer.registration_id, Answer.question_id, Answer.value).where(
                Answer.registration_id.in_(batch))):
            out.setdefault(reg_id, {})[qid] = value
    return out


def export_cells(questions: list[Question], answers: Mapping[int, str]) -> list[str]:
    return [display_value(q, answers.get(q.id, "")) for q in questions]


@dataclass(frozen=True)
class ChoiceCount:
    question: Question
    counts: list[tuple[str, int]] = field(default_factory=list)  # (answer, people)
    answered: int = 0
    # Confirmed people the question is asked of who gave no answer; None for a follow-up
    # (asked only after another answer, so "no answer" is mostly "not asked").
    unanswered: int | None = None
    # What was typed under "Other", with how many people typed it: most typed first.
    others: list[tuple[str, int]] = field(default_factory=list)


OTHER = "Other"


def choice_counts(event: Event) -> list[ChoiceCount]:
    """Per choice, multiple-choice and yes/no question (not removed): how many confirmed
    registrants gave each answer, in the list's order; typed answers count as "Other" and
    are listed with their counts (`others`: a caterer needs "No pork 3", not "Other 3");
    and how many confirmed people it is asked of gave none (`unanswered`)."""
    out = []
    for q in questions_of(event):
        if q.kind not in (CHOICE, MULTI_CHOICE, BOOLEAN):
            continue
        offered = [YES, NO] if q.kind == BOOLEAN else list(q.choices)
        tally = dict.fromkeys(offered, 0)
        typed_texts: Counter[str] = Counter()
        other = answered = 0
        for value in db.session.scalars(select(Answer.value).join(
                Registration, Registration.id == Answer.registration_id).where(
                Answer.question_id == q.id, Registration.status == CONFIRMED)):
            answered += 1
            typed = False
            for part in value.split("\n"):
                if part in tally:
                    tally[part] += 1
                else:
                    typed = True
                    typed_texts[part] += 1
            other += typed
        counts = [(display_value(q, k), n) for k, n in tally.items()]
        if q.allow_other:
            counts.append((OTHER, other))
        unanswered = None
        if q.depends_on_id is None:
            asked = select(func.count()).select_from(Registration).where(
                Registration.event_id == event.id, Registration.status == CONFIRMED)
            if q.categories:
                asked = asked.where(Registration.category.in_(q.categories))
            # max: someone may have answered before moving to a category not asked.
            unanswered = max(0, db.session.scalar(asked) - answered)
        others = sorted(typed_texts.items(), key=lambda item: (-item[1], item[0].casefold()))
        out.append(ChoiceCount(q, counts, answered, unanswered, others))
    return out


def answer_filter(question_id: int, value: str):
    """A WHERE clause on Registration: it answered the question (with `value` if given;
    for multiple choice, `value` among the answers)."""
    cond = [Answer.registration_id == Registration.id, Answer.question_id == question_id]
    if value:
        v = escape_like(value)
        cond.append(or_(Answer.value == value,
                        Answer.value.like(f"{v}\n%", escape="\\"),
                        Answer.value.like(f"%\n{v}", escape="\\"),
                        Answer.value.like(f"%\n{v}\n%", escape="\\")))
    return exists().where(*cond)


def filter_choices(event: Event) -> list[tuple[str, str]]:
    """The registrations list's answer filter: ("<id>" or "<id>:<value>", label) pairs."""
    out = []
    for q in questions_of(event):
        out.append((str(q.id), f"{q.label[:60]}: answered"))
        if q.kind in (CHOICE, MULTI_CHOICE, BOOLEAN):
            offered = [YES, NO] if q.kind == BOOLEAN else list(q.choices)
            out += [(f"{q.id}:{v}", f"{q.label[:60]}: {display_value(q, v)[:60]}")
                    for v in offered]
    return out


def parse_filter(event: Event, raw: str) -> tuple[int | None, str]:
    """(question id, value) of a filter choice of `filter_choices`, or (None, "")."""
    head, _, value = (raw or "").partition(":")
    if not head.isdigit() or len(head) > 9:
        return None, ""
    q = db.session.get(Question, int(head))
    if q is None or q.event_id != event.id:
        return None, ""
    return q.id, value


# --- privacy ---------------------------------------------------------------------------------


def erase_answers(registration_ids: list[int] | None = None, *, event_id: int | None = None,
                  sensitive_only: bool = False) -> int:
    """Delete answers (in the open unit of work): of these registrations, or of every
    registration of `event_id`; only those to sensitive questions with `sensitive_only`.
    Returns how many. Called by privacy/services.py (anonymising, retention)."""
    stmt = delete(Answer)
    if registration_ids is not None:
        stmt = stmt.where(Answer.registration_id.in_(registration_ids))
    if event_id is not None:
        stmt = stmt.where(Answer.registration_id.in_(
            select(Registration.id).where(Registration.event_id == event_id)))
    if sensitive_only:
        stmt = stmt.where(Answer.question_id.in_(
            select(Question.id).where(Question.sensitive.is_(True))))
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return result.rowcount or 0


def count_sensitive_answers(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer).join(
        Question, Question.id == Answer.question_id).where(
        Question.event_id == event_id, Question.sensitive.is_(True))) or 0


def answers_json(registration: Registration) -> dict[str, Any]:
    """The registration's answers as the API gives them: {"<question id>": value}, a list
    for multiple choice, true/false for yes/no, text otherwise (removed questions too)."""
    kinds = dict(db.session.execute(select(Question.id, Question.kind).where(
        Question.event_id == registration.event_id)).all())
    out: dict[str, Any] = {}
    for qid, value in sorted(answers_of(registration).items()):
        kind = kinds.get(qid)
        out[str(qid)] = (value.split("\n") if kind == MULTI_CHOICE
                         else value == YES if kind == BOOLEAN else value)
    return out


def question_json(q: Question) -> dict[str, Any]:
    return {"id": q.id, "label": q.label, "type": q.kind, "help_text": q.help_text,
            "choices": list(q.choices), "allow_other": q.allow_other, "required": q.required,
            "categories": list(q.categories), "depends_on": q.depends_on_id,
            "depends_value": q.depends_value or None, "date_rule": q.date_rule or None,
            "sensitive": q.sensitive, "position": q.position}


def registrations_answering(event: Event) -> list[Registration]:
    """The event's registrations that hold or await a place (pending, confirmed,
    waitlisted), by id: the rows of the summary's Answers sheet."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.in_(("pending", "confirmed", "waitlisted")))
        .order_by(Registration.id)))
