"""Letters: visa support letters and certificates of attendance (issue 17).

- A template per event and kind (`LETTER_KINDS`): letterhead image (PNG or JPEG, checked
  by content with `documents/filetypes.detect`, ≤ 1.5 MB), signatory name and title, and a
  body with placeholders `{name}` … (`PLACEHOLDERS`). The body is checked with
  `string.Formatter().parse` when saved: an unknown placeholder, a conversion (`!r`), a
  format spec or an attribute (`{name.__class__}`) is refused with a message. It is filled
  by joining the parsed pieces with the values — never `str.format` on objects.
- Who may have one: a visa letter, a confirmed registrant who answered the visa preset
  question "yes" and gave nationality, passport number and expiry and date of birth (a
  refusal names what is missing); a certificate, a registrant checked in at least once.
- Numbers per event and kind, `CODE/VISA/001`, `CODE/CERT/001`: the next one is read and
  used under the event's lock, `UNIQUE(event, kind, seq)` behind it; one letter of a kind
  per registration (`UNIQUE(registration, kind)`), issued again = the same number.
- Each issue is a row of `issued_letter` and an audit entry. The PDF is drawn when it is
  downloaded, from the registration as it is then: passport details erased by the
  retention rules leave no copy in a stored file.
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select

from .. import audit
from ..checkin.services import local_today
from ..database import lock_event, unit_of_work
from ..documents.filetypes import FileRefused, detect
from ..documents.numbering import default_event_code
from ..extensions import db
from ..inputs import check_text
from ..labels import date_label, venue_label
from ..models import (
    CERTIFICATE,
    CONFIRMED,
    LETTER_KINDS,
    ONLINE,
    VISA_LETTER,
    Answer,
    CheckIn,
    Event,
    IssuedLetter,
    LetterTemplate,
    OnlineAttendance,
    Question,
    Registration,
    User,
    utcnow,
)
from ..questions.services import YES, answers_of
from ..reference import ECONOMIES
from ..textnorm import normalize_text

TITLES = {VISA_LETTER: "Visa support letter", CERTIFICATE: "Certificate of attendance"}
PLURAL_TITLES = {VISA_LETTER: "Visa support letters", CERTIFICATE: "Certificates of attendance"}
KIND_CODES = {VISA_LETTER: "VISA", CERTIFICATE: "CERT"}
LETTERHEAD_MAX = 1_500_000  # under the 2 MB body limit of organiser pages
BODY_MAX = 10_000
PLACEHOLDERS = {
    "name": "the person's name as protocol writes it (title, given and family name)",
    "given_name": "given name", "family_name": "family name",
    "organisation": "organisation", "job_title": "job title",
    "economy": "the economy the person represents",
    "nationality": "nationality (visa question)",
    "passport_number": "passport number (visa question)",
    "passport_expiry": "passport expiry date (visa question)",
    "date_of_birth": "date of birth (visa question)",
    "event": "the event's title", "dates": "the event's dates", "venue": "the venue",
    "number": "the letter's number", "date": "the day the letter was issued",
    "signatory": "the signatory's name", "signatory_title": "the signatory's title",
}
PASSPORT_FIELDS = {"nationality": "nationality", "passport_number": "passport number",
                   "passport_expiry": "passport expiry date", "date_of_birth": "date of birth"}
DEFAULT_BODIES = {
    VISA_LETTER: (
        "To whom it may concern,\n\n"
        "This is to confirm that {name}, {job_title}, {organisation}, {economy}, holder of "
        "passport number {passport_number} (nationality: {nationality}; date of birth: "
        "{date_of_birth}; passport valid until {passport_expiry}), is registered to attend "
        "the {event}, to be held on {dates} at {venue}.\n\n"
        "We should be grateful for any assistance you may give in issuing the visa needed "
        "for this travel. The organisers do not cover the cost of travel or accommodation."),
    CERTIFICATE: (
        "This is to certify that {name}, {organisation}, {economy}, attended the {event}, "
        "held on {dates} at {venue}."),
}


class LetterError(ValueError):
    """A refused letter or template; the message is for the organiser or registrant."""


# --- templates -------------------------------------------------------------------------------


def check_body(body: str) -> list[str]:
    """Messages for what is wrong with a letter body; empty when usable."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return ["The text has an unmatched { or }. Write placeholders as {name}; for a "
                "brace itself write {{ or }}."]
    problems = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            problems.append(f"{{{field}}} is not a placeholder. Use: "
                            + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ".")
        elif spec or conversion:
            problems.append(f"Write {{{field}}} without a format or conversion.")
    if len(body) > BODY_MAX:
        problems.append(f"Keep the text under {BODY_MAX:,} characters.")
    return list(dict.fromkeys(problems))


# A list of details with an empty one ("Ana Lima, , , Thailand"): one comma stays.
_EMPTY_ITEMS = re.compile(r",(?:[ \t]*,)+")


def fill(body: str, values: dict[str, str]) -> str:
    """`body` with each placeholder replaced by its value (`check_body` passed).

    A detail left empty (no job title, no organisation) leaves no empty item behind in a
    list of them: ", , ," becomes ",".
    """
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(body):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return _EMPTY_ITEMS.sub(",", "".join(out))


@dataclass(frozen=True)
class TemplateData:
    code: str
    signatory_name: str
    signatory_title: str
    body: str


def template_for(event: Event, kind: str) -> LetterTemplate:
    """The event's template of `kind`, or the default (not stored) when none was saved."""
    saved = db.session.scalar(select(LetterTemplate).where(
        LetterTemplate.event_id == event.id, LetterTemplate.kind == kind))
    if saved is not None:
        return saved
    return LetterTemplate(event_id=event.id, kind=kind, code=default_event_code(event),
                          signatory_name="", signatory_title="", body=DEFAULT_BODIES[kind],
                          letterhead=None, letterhead_type="")


def clean_template(raw: dict) -> TemplateData:
    """:raises LetterError: with every problem, for the organiser."""
    problems = []
    values = {}
    for name, label, max_length, multiline in (
            ("code", "Code", 40, False), ("signatory_name", "Signatory", 200, False),
            ("signatory_title", "Signatory's title", 200, False),
            ("body", "Text", BODY_MAX, True)):
        value = raw.get(name) or ""
        try:
            check_text(value, label, multiline=multiline)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        value = normalize_text(value, multiline=multiline)
        if len(value) > max_length:
            problems.append(f"{label}: at most {max_length:,} characters.")
        values[name] = value
    code = values.get("code", "")
    if code and not all(c.isascii() and (c.isalnum() or c in "-_.") for c in code):
        problems.append("Code: letters, digits, - _ . only (it goes into the letter's number).")
    if not values.get("body", "x"):
        problems.append("Text: write the letter's text.")
    problems += check_body(values.get("body", ""))
    if problems:
        raise LetterError(" ".join(problems))
    return TemplateData(**values)


def check_letterhead(data: bytes) -> str:
    """The letterhead's content type.

    :raises LetterError: not a complete PNG or JPEG image, or too large.
    """
    if len(data) > LETTERHEAD_MAX:
        raise LetterError("The letterhead image must be at most 1.5 MB.")
    try:
        kind = detect(io.BytesIO(data), len(data))
    except FileRefused as exc:
        raise LetterError(f"Letterhead: {exc}") from None
    if kind.kind not in ("png", "jpeg"):
        raise LetterError("The letterhead must be a PNG or JPEG image.")
    return kind.content_type


def save_template(event: Event, kind: str, data: TemplateData, *, letterhead: bytes | None,
                  remove_letterhead: bool = False, user: User | None) -> bool:
    """Store the template; returns whether anything changed (saved unchanged: nothing).

    :raises LetterError: a bad letterhead.
    """
    content_type = check_letterhead(letterhead) if letterhead else None
    with unit_of_work():
        lock_event(event.id)
        tpl = db.session.scalar(select(LetterTemplate).where(
            LetterTemplate.event_id == event.id, LetterTemplate.kind == kind))
        new = tpl is None
        if new:
            tpl = template_for(event, kind)
        changed = [n for n in ("code", "signatory_name", "signatory_title", "body")
                   if getattr(tpl, n) != getattr(data, n)]
        for name in changed:
            setattr(tpl, name, getattr(data, name))
        if letterhead:
            tpl.letterhead, tpl.letterhead_type = letterhead, content_type
            changed.append("letterhead")
        elif remove_letterhead and tpl.letterhead is not None:
            tpl.letterhead, tpl.letterhead_type = None, ""
            changed.append("letterhead")
        if not changed:
            if new and tpl in db.session:  # the default, never stored: keep it out
                db.session.expunge(tpl)
            return False
        tpl.updated_at = utcnow()
        if new:
            db.session.add(tpl)
        db.session.flush()
        audit.record("letter_template_changed", tpl, event_id=event.id, user=user, kind=kind,
                     fields=changed)
        return True


# --- who may have one ------------------------------------------------------------------------


def _preset_answers(reg: Registration) -> dict[str, str]:
    """{preset: stored answer} of the registration (removed questions included)."""
    stored = answers_of(reg)
    if not stored:
        return {}
    rows = db.session.execute(select(Question.id, Question.preset).where(
        Question.id.in_(list(stored)), Question.preset != "")).all()
    return {preset: stored[qid] for qid, preset in rows}


def _asked_for_visa():
    return exists().where(
        Answer.registration_id == Registration.id, Answer.value == YES,
        Answer.question_id.in_(select(Question.id).where(Question.preset == "visa")))


def _attended(event: Event, now: datetime | None):
    """Checked in at the door, or attended online (the platform's report, uploaded), on a
    day of the event that has come at the venue: a row for a day still to come (a check-in
    recorded ahead of the meeting before that was refused) is no attendance."""
    today = local_today(event, now)
    return or_(exists().where(CheckIn.registration_id == Registration.id,
                              CheckIn.day <= today),
               exists().where(OnlineAttendance.registration_id == Registration.id,
                              OnlineAttendance.day <= today))


def eligible(event: Event, kind: str, now: datetime | None = None) -> list[Registration]:
    """Who may have a letter of `kind` (passport details not checked here), by name."""
    stmt = select(Registration).where(Registration.event_id == event.id,
                                      Registration.anonymised_at.is_(None))
    if kind == VISA_LETTER:
        stmt = stmt.where(Registration.status == CONFIRMED, _asked_for_visa())
    else:
        stmt = stmt.where(_attended(event, now))
    return list(db.session.scalars(stmt.order_by(func.lower(Registration.family_name),
                                                 func.lower(Registration.given_name),
                                                 Registration.id)))


def refusal(reg: Registration, kind: str, now: datetime | None = None) -> str | None:
    """Why `reg` may not have a letter of `kind`, in words; None if it may."""
    if reg.anonymised_at is not None:
        return "This registration holds no personal data any more."
    if kind == VISA_LETTER:
        if reg.status != CONFIRMED:
            return (f"{reg.full_name}: a visa support letter is issued only to confirmed "
                    "participants.")
        if reg.participation == ONLINE:
            # Nobody travels to take part online (walk finding: letters said "registered to
            # attend … at Pulau Pinang" for online participants).
            return (f"{reg.full_name} takes part online: a visa support letter is for "
                    "travelling to the meeting.")
        answers = _preset_answers(reg)
        if answers.get("visa") != YES:
            return f"{reg.full_name} has not asked for a visa support letter."
        missing = [label for key, label in PASSPORT_FIELDS.items() if not answers.get(key)]
        if missing:
            return (f"{reg.full_name}: the visa support letter needs the "
                    + _and(missing) + ", which " + ("is" if len(missing) == 1 else "are")
                    + " missing. They can be added on the registrant's own page.")
        return None
    if kind == CERTIFICATE:
        if db.session.scalar(select(Registration.id).where(
                Registration.id == reg.id, _attended(reg.event, now))) is None:
            return (f"{reg.full_name}: a certificate of attendance is issued only to "
                    "participants checked in at the meeting or recorded as attending online.")
        return None
    return "There is no such kind of letter."


def visa_details_missing(reg: Registration) -> list[str]:
    """What a registrant who asked for a visa support letter has still to give (the labels
    of the passport details not answered); empty when nothing is missing or none was asked.

    Shown on their private page, so they are told before an organiser tries to issue it.
    """
    answers = _preset_answers(reg)
    if answers.get("visa") != YES or reg.participation == ONLINE:
        return []
    return [label for key, label in PASSPORT_FIELDS.items() if not answers.get(key)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- issuing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    issued: list[IssuedLetter]
    already: list[IssuedLetter]
    refused: list[str]  # one message per person refused


def issue(event: Event, kind: str, registration_ids: Iterable[int], *,
          user: User | None, now: datetime | None = None) -> Issued:
    """Issue letters of `kind` to these registrations of `event`, numbered in order
    (family name, given name). Those with one already keep it; those not eligible are
    refused, each with a message naming the reason (missing passport details)."""
    if kind not in LETTER_KINDS:
        raise LetterError("There is no such kind of letter.")
    ids = sorted({int(i) for i in registration_ids})
    with unit_of_work():
        ev = lock_event(event.id)
        regs = list(db.session.scalars(select(Registration).where(
            Registration.event_id == ev.id, Registration.id.in_(ids)).order_by(
            func.lower(Registration.family_name), func.lower(Registration.given_name),
            Registration.id))) if ids else []
        existing = {letter.registration_id: letter for letter in db.session.scalars(
            select(IssuedLetter).where(IssuedLetter.event_id == ev.id,
                                       IssuedLetter.kind == kind,
                                       IssuedLetter.registration_id.in_(ids)))} if ids else {}
        seq = db.session.scalar(select(func.max(IssuedLetter.seq)).where(
            IssuedLetter.event_id == ev.id, IssuedLetter.kind == kind)) or 0
        code = template_for(ev, kind).code or default_event_code(ev)
        issued, already, refused = [], [], []
        for reg in regs:
            if reg.id in existing:
                already.append(existing[reg.id])
                continue
            problem = refusal(reg, kind, now)
            if problem:
                refused.append(problem)
                continue
            seq += 1
            letter = IssuedLetter(event_id=ev.id, registration_id=reg.id, kind=kind, seq=seq,
                                  number=f"{code}/{KIND_CODES[kind]}/{seq:03d}",
                                  issued_at=utcnow(),
                                  issued_by_id=user.id if user is not None else None)
            db.session.add(letter)
            issued.append(letter)
        db.session.flush()
        for letter in issued:
            audit.record("letter_issued", letter, event_id=ev.id, user=user, kind=kind,
                         number=letter.number, registration_id=letter.registration_id)
        return Issued(issued, already, refused)


@dataclass(frozen=True)
class LetterView:
    kind: str
    title: str
    number: str
    issued_on: date  # at the venue


def issued_to(reg: Registration) -> list[LetterView]:
    return [LetterView(letter.kind, TITLES[letter.kind], letter.number,
                       issued_day(letter, reg.event))
            for letter in db.session.scalars(select(IssuedLetter).where(
                IssuedLetter.registration_id == reg.id).order_by(IssuedLetter.kind))]


def issued_day(letter: IssuedLetter, event: Event) -> date:
    """The day a letter was issued at the venue (the organisers' list shows the venue's time
    too), so the PDF, the private page and the list agree."""
    return letter.issued_at.astimezone(ZoneInfo(event.timezone)).date()


def issued_letter(reg: Registration, kind: str) -> IssuedLetter | None:
    return db.session.scalar(select(IssuedLetter).where(
        IssuedLetter.registration_id == reg.id, IssuedLetter.kind == kind))


def issued_for_event(event: Event, kind: str) -> list[tuple[IssuedLetter, Registration]]:
    return list(db.session.execute(select(IssuedLetter, Registration).join(
        Registration, Registration.id == IssuedLetter.registration_id).where(
        IssuedLetter.event_id == event.id, IssuedLetter.kind == kind).order_by(
        IssuedLetter.seq)).all())


def letter_values(reg: Registration, letter: IssuedLetter, tpl: LetterTemplate) -> dict[str, str]:
    """The placeholders' values for `reg`'s letter.

    :raises LetterError: a visa letter whose passport details are gone (erased by the
        retention rules, or removed since).
    """
    event = reg.event
    answers = _preset_answers(reg)
    if letter.kind == VISA_LETTER:
        missing = [label for key, label in PASSPORT_FIELDS.items() if not answers.get(key)]
        if missing or reg.anonymised_at is not None:
            raise LetterError("This letter can no longer be produced: the passport details "
                              "it needs are no longer kept.")
    name = " ".join(p for p in (reg.honorific, reg.given_name, reg.family_name) if p)
    return {
        "name": name, "given_name": reg.given_name, "family_name": reg.family_name,
        "organisation": reg.organisation, "job_title": reg.job_title,
        "economy": ECONOMIES.get(reg.economy or "", ""),
        "nationality": answers.get("nationality", ""),
        "passport_number": answers.get("passport_number", ""),
        "passport_expiry": answers.get("passport_expiry", ""),
        "date_of_birth": answers.get("date_of_birth", ""),
        "event": event.title, "dates": date_label(event), "venue": venue_label(event),
        "number": letter.number, "date": issued_day(letter, event).isoformat(),
        "signatory": tpl.signatory_name, "signatory_title": tpl.signatory_title,
    }
