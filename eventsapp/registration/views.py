"""Registration pages: the public form, the delegation form, and the registrant's own page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ..events.services import availability, get_public_event, public_registration_state
from ..extensions import limiter
from ..letters import services as letters
from ..models import CANCELLED, DECLINED, PENDING, Registration
from ..privacy.notices import open_erasure_request
from ..questions import services as questions
from ..questions.forms import answers_from_form, form_values
from ..textnorm import canonical_email
from . import services
from .forms import DelegationForm, NewLinkForm, RegistrationForm, leave_out, offer_categories
from .validation import ValidationFailed, clean_email, clean_registration

bp = Blueprint("registration", __name__)


def registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def manage_limit() -> str:
    return current_app.config.get("RATELIMIT_MANAGE", "30 per minute")


# One budget per client address across the form, the delegation form and the API.
limit_registering = limiter.shared_limit(registration_limit, scope="registration",
                                         methods=["POST"])
limit_management = limiter.shared_limit(manage_limit, scope="management-link")


def _event_or_404(slug: str):
    ev = get_public_event(slug)
    if ev is None:
        abort(404, "There is no event at this address.")
    return ev


def _registration_or_404(token: str) -> Registration:
    reg = services.find_by_token(token)
    if reg is None:
        abort(404, "There is no registration at this address. Check that you copied the whole "
                   "link from your email.")
    return reg


def _status_message(result: services.Registered) -> str:
    if result.registration.status == PENDING:
        return ("Your registration has been received and awaits approval; it holds no place "
                "until it is approved.")
    if result.position is None:
        return "Your registration is confirmed."
    return (f"The event is full, so you are on the waiting list: you are number "
            f"{result.position}.")


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limit_registering
def register(slug: str):
    ev = _event_or_404(slug)
    form = RegistrationForm()
    offer_categories(form, services.public_categories(ev))
    leave_out(form, questions.fields_asked_as_questions(ev))
    refusal = None
    asked = Asked(ev)
    if form.validate_on_submit():
        data = _clean_with_answers(form, form.service_data(), asked)
        try:
            if data is not None:
                result = questions.register(ev, data, asked.clean)
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        except services.RegistrationError as exc:
            refusal = str(exc)
        else:
            if data is not None:
                flash(_status_message(result) + " We have emailed you this page's "
                      "private link; keep it to change or cancel your registration.",
                      "success")
                return redirect(url_for(".manage", token=result.token), 303)
    return _form_page("registration/register.html", ev, form, refusal, asked=asked)


class Asked:
    """The event's questions on a form: what was answered, the clean answers, the errors."""

    def __init__(self, event, stored: dict[int, str] | None = None) -> None:
        self.event = event
        self.questions = questions.questions_of(event)
        submitted = request.form if request.method == "POST" else None
        self.values = form_values(self.questions, stored or {}, submitted)
        self.raw = answers_from_form(self.questions, request.form) if submitted else {}
        self.clean: dict[int, str] = {}
        self.errors: dict[str, list[str]] = {}

    def check(self, category: str) -> bool:
        try:
            self.clean = questions.clean_answers(self.event, self.questions, self.raw,
                                                 category=category)
        except questions.QuestionError as exc:
            self.errors = exc.errors
            return False
        return True

    def summary(self) -> list[str]:
        labels = {str(q.id): q.label for q in self.questions}
        return [f"{labels.get(k, 'Answers')}: {m[0]}" for k, m in self.errors.items()]


def _clean_with_answers(form, raw: dict, asked: Asked):
    """The clean registration if it and its answers pass (every error shown at once)."""
    data = None
    try:
        data = clean_registration(raw)
    except ValidationFailed as exc:
        form.apply_errors(exc.errors)
    category = data.category if data is not None else (raw.get("category") or "delegate")
    answered = asked.check(category)
    return data if answered else None


@bp.route("/events/<slug>/register/delegation", methods=["GET", "POST"])
@limit_registering
def register_delegation(slug: str):
    ev = _event_or_404(slug)
    form = DelegationForm()
    offer_categories(form, services.public_categories(ev))
    leave_out(form, questions.fields_asked_as_questions(ev))
    refusal, problems = None, []
    asked = Asked(ev)
    if form.validate_on_submit():
        rows = [entry.form for entry in form.members if not entry.form.is_blank()]
        inputs = _clean_delegation(form, rows) if rows else None
        answered = asked.check(inputs[0].category if inputs else
                               (form.category.data or "delegate"))
        if not rows:
            problems.append("Add at least one delegate.")
        elif inputs is not None and answered:
            try:
                questions.register_delegation(ev, inputs[0], inputs[1:], asked.clean)
            except ValidationFailed as exc:
                form.apply_errors(exc.errors)
            except services.RegistrationError as exc:
                refusal = str(exc)
            else:
                # The same answer whoever of them was registered already (they are told by
                # email): the page must not say which addresses are registered.
                flash("Thank you: the delegation has been received. Each person in it gets "
                      "an email about their own registration, with their private link.",
                      "success")
                return redirect(url_for("events.event", slug=ev.slug), 303)
    return _form_page("registration/delegation.html", ev, form, refusal, problems, asked=asked)


def _clean_delegation(form: DelegationForm, rows: list) -> list | None:
    """Head first, then each delegate, who take the head's affiliation; None if any is invalid."""
    head_raw = form.service_data()
    inputs, failed = [], False
    for row, raw in [(form, head_raw)] + [
        (row, {**row.service_data(), "economy": head_raw.get("economy"),
               "organisation": head_raw.get("organisation"), "sector": head_raw.get("sector")})
        for row in rows
    ]:
        try:
            inputs.append(clean_registration(raw))
        except ValidationFailed as exc:
            row.apply_errors(exc.errors)
            failed = True
    return None if failed else inputs


def _form_page(template: str, ev, form, refusal: str | None, problems: list[str] = (), *,
               asked: Asked):
    is_open, closed_reason = public_registration_state(ev)
    status = 200
    if refusal:
        status = 409
    elif form.is_submitted() and (problems or _has_errors(form) or asked.errors):
        status = 422
    return render_template(template, event=ev, form=form, refusal=refusal,
                           problems=[*problems, *asked.summary()], asked=asked,
                           invalid=status != 200, registration_open=is_open,
                           closed_reason=closed_reason, availability=availability(ev)), status


def _has_errors(form) -> bool:
    for field in form:
        if field.type == "FieldList":
            if any(_has_errors(entry.form) for entry in field.entries):
                return True
        elif field.errors:
            return True
    return False


def new_link_limit() -> str:
    return current_app.config["RATELIMIT_NEW_LINK"]


def _new_link_key() -> str:
    # Per event and address, from any client: nobody can renew someone's link over and over.
    # The address in the form the registration is found by, so "victim@ｅxample.com" (a
    # full-width e) spends the budget of victim@example.com.
    return f"{request.view_args.get('slug')}|{canonical_email(request.form.get('email', ''))}"


@bp.route("/events/<slug>/new-link", methods=["GET", "POST"])
@limit_registering
@limiter.limit(new_link_limit, key_func=_new_link_key, methods=["POST"])
def new_link(slug: str):
    ev = _event_or_404(slug)
    form = NewLinkForm()
    if form.validate_on_submit():
        try:
            email = clean_email(form.email.data)
        except ValueError as exc:
            form.email.errors.append(str(exc))
        else:
            services.send_new_link(ev, email)
            # The same answer whether or not the address is registered.
            flash(f"If {email} is registered for this event, we have emailed it a new "
                  "private link, and the earlier link has stopped working.", "success")
            return redirect(url_for(".new_link", slug=slug), 303)
    invalid = form.is_submitted() and bool(form.errors or form.email.errors)
    return render_template("registration/new_link.html", event=ev, form=form,
                           invalid=invalid), 422 if invalid else 200


@bp.get("/registrations/<token>")
@limit_management
def manage(token: str):
    reg = _registration_or_404(token)
    feed_url = reset_feed_url = None
    if (reg.status not in (CANCELLED, DECLINED)
            and "calendar.personal_feed" in current_app.view_functions):
        feed_url = url_for("calendar.personal_feed",
                           feed_token=services.feed_token_for(reg, token), _external=True)
    if feed_url and "calendar.reset_feed" in current_app.view_functions:
        reset_feed_url = url_for("calendar.reset_feed", token=token)
    delegation_url = None
    if reg.is_head and reg.is_active and reg.economy:
        delegation_url = url_for("accreditation.head_delegation", token=token)
    return render_template("registration/manage.html", reg=reg, event=reg.event, token=token,
                           position=services.waitlist_position(reg), feed_url=feed_url,
                           reset_feed_url=reset_feed_url, delegation_url=delegation_url,
                           erasure_request=open_erasure_request(reg),
                           answers=questions.answer_rows(reg),
                           asked_fields=questions.fields_asked_as_questions(reg.event),
                           letters=letters.issued_to(reg),
                           visa_missing=letters.visa_details_missing(reg)
                           if reg.status not in (CANCELLED, DECLINED) else [])


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
@limit_management
def edit(token: str):
    reg = _registration_or_404(token)
    if reg.status in (CANCELLED, DECLINED):
        flash(f"A {reg.status} registration cannot be changed.", "error")
        return redirect(url_for(".manage", token=token), 303)
    form = RegistrationForm(obj=reg)
    # One's own category stays on offer: a speaker named by the organisers keeps it.
    offered = services.public_categories(reg.event)
    offer_categories(form, offered + ([reg.category] if reg.category not in offered else []))
    leave_out(form, questions.fields_asked_as_questions(reg.event))
    refusal = None
    asked = Asked(reg.event, questions.answers_of(reg))
    answers_open = questions.answers_open(reg.event)
    if form.validate_on_submit():
        raw = questions.with_stored_fields(reg, form.service_data())
        data = (_clean_with_answers(form, raw, asked) if answers_open
                else _clean_only(form, raw))
        try:
            if data is not None and answers_open:
                questions.update_answers(reg, asked.raw, data=data)
            elif data is not None:
                services.update_registration(reg, data)
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        except services.RegistrationError as exc:
            refusal = str(exc)
        except (questions.QuestionError, questions.AnswersLocked,
                questions.AnswersRefused) as exc:
            refusal = str(exc)
        else:
            if data is not None:
                flash("Your details have been saved.", "success")
                return redirect(url_for(".manage", token=token), 303)
    status = (409 if refusal else 422 if form.is_submitted() and (_has_errors(form)
                                                                  or asked.errors) else 200)
    return render_template("registration/edit.html", reg=reg, event=reg.event, form=form,
                           token=token, refusal=refusal, invalid=status != 200, asked=asked,
                           answers_open=answers_open,
                           answers_until=questions.answers_until(reg.event)), status


def _clean_only(form, raw: dict):
    try:
        return clean_registration(raw)
    except ValidationFailed as exc:
        form.apply_errors(exc.errors)
        return None


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
@limit_management
def cancel(token: str):
    """GET: "Cancel your registration?" with one button; POST: cancel."""
    reg = _registration_or_404(token)
    if request.method == "GET":
        if reg.status == CANCELLED:
            return redirect(url_for(".manage", token=token), 303)
        return render_template("registration/cancel.html", reg=reg, event=reg.event,
                               token=token)
    try:
        services.cancel_registration(reg)
    except services.AlreadyCancelled as exc:
        flash(str(exc), "info")
    else:
        flash("Your registration has been cancelled. We have emailed you a confirmation.",
              "success")
    return redirect(url_for(".manage", token=token), 303)
