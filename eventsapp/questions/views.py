"""The organisers' questions page: add (or a preset), edit, order, remove; the answers'
cut-off; and staff correcting one registrant's answers. Thin: the rules are in services.py."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..extensions import db
from ..models import Event, Question, Registration, User
from . import services
from .forms import ActionForm, CutoffForm, PresetForm, QuestionForm, answers_from_form, form_values

bp = Blueprint("questions", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _question(event: Event, question_id: int) -> Question:
    q = db.session.get(Question, question_id)
    if q is None or q.event_id != event.id or q.is_removed:
        abort(404, "There is no such question for this event.")
    return q


def _page(event: Event, form: QuestionForm | None = None, status: int = 200,
          cutoff: CutoffForm | None = None):
    questions = services.questions_of(event)
    if form is None:
        form = QuestionForm(formdata=None)
    form.set_parents(questions)
    if cutoff is None:
        cutoff = CutoffForm(formdata=None)
        cutoff.answers_until.data = services.answers_until(event)
    by_id = {q.id: q for q in questions}
    asked = {p.questions[0].preset for p in services.PRESETS.values()}
    present = {q.preset for q in questions if q.preset in asked}
    return render_template("questions/admin.html", event=event, questions=questions,
                           by_id=by_id, form=form, cutoff=cutoff, presets=services.PRESETS,
                           present=present, kinds=services.KIND_LABELS,
                           preset_form=PresetForm(formdata=None)), status


@bp.get("/admin/events/<slug>/questions")
@roles_required(*MANAGERS)
def questions(slug: str):
    return _page(managed_event_or_404(slug))


@bp.post("/admin/events/<slug>/questions")
@roles_required(*MANAGERS)
def add_question(slug: str):
    event = managed_event_or_404(slug)
    form = QuestionForm()
    form.set_parents(services.questions_of(event))
    if form.validate_on_submit():
        try:
            q = services.add_question(event, services.clean_question(event, form.raw()),
                                      user=_user())
        except services.QuestionError as exc:
            form.apply_errors(exc.errors)
        else:
            flash(f"Question added: “{q.label}”.", "success")
            return redirect(url_for(".questions", slug=slug, _anchor=f"q-{q.id}"), 303)
    return _page(event, form, 422)


@bp.post("/admin/events/<slug>/questions/presets")
@roles_required(*MANAGERS)
def add_preset(slug: str):
    event = managed_event_or_404(slug)
    form = PresetForm()
    key = form.valid_preset() if form.validate_on_submit() else None
    if key is None:
        abort(400, "Choose a preset from the page.")
    try:
        added = services.add_preset(event, key, user=_user())
    except services.QuestionError as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
    else:
        carried = (f" {added.carried_over} earlier answer"
                   f"{'' if added.carried_over == 1 else 's'} carried over."
                   if added.carried_over else "")
        flash(f"Added: {', '.join('“' + q.label + '”' for q in added)}.{carried}", "success")
    return redirect(url_for(".questions", slug=slug), 303)


@bp.post("/admin/events/<slug>/questions/cutoff")
@roles_required(*MANAGERS)
def set_cutoff(slug: str):
    event = managed_event_or_404(slug)
    cutoff = CutoffForm()
    if cutoff.validate_on_submit():
        try:
            services.set_answers_until(event, cutoff.answers_until.data, user=_user())
        except services.QuestionError as exc:
            cutoff.answers_until.errors = list(exc.errors["answers_until"])
        else:
            flash("The cut-off for changing answers is saved.", "success")
            return redirect(url_for(".questions", slug=slug), 303)
    return _page(event, cutoff=cutoff, status=422)


@bp.route("/admin/events/<slug>/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_question(slug: str, question_id: int):
    event = managed_event_or_404(slug)
    q = _question(event, question_id)
    form = QuestionForm()
    form.set_parents(services.questions_of(event), current=q)
    if request.method == "GET":
        form.fill(q)
    elif form.validate_on_submit():
        try:
            changed = services.update_question(
                q, services.clean_question(event, form.raw(), question=q), user=_user())
        except services.QuestionError as exc:
            form.apply_errors(exc.errors)
        else:
            flash("Question saved." if changed else "Nothing changed.", "success")
            return redirect(url_for(".questions", slug=slug, _anchor=f"q-{q.id}"), 303)
    status = 422 if form.is_submitted() and any(f.errors for f in form) else 200
    return render_template("questions/edit.html", event=event, question=q, form=form,
                           has_answers=services.has_answers(q)), status


@bp.post("/admin/events/<slug>/questions/<int:question_id>/move")
@roles_required(*MANAGERS)
def move_question(slug: str, question_id: int) -> Response:
    event = managed_event_or_404(slug)
    q = _question(event, question_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form has expired; reload the page and try again.")
    direction = request.form.get("direction", "")
    try:
        services.move_question(q, direction, user=_user())
    except services.QuestionError:
        abort(400, "Move a question up or down.")
    return redirect(url_for(".questions", slug=slug, _anchor=f"q-{q.id}"), 303)


@bp.route("/admin/events/<slug>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def remove_question(slug: str, question_id: int):
    event = managed_event_or_404(slug)
    q = _question(event, question_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        gone = services.remove_question(q, user=_user())
        flash("Removed: " + ", ".join(f"“{g.label}”" for g in gone)
              + ". Answers given stay in the exports, marked as removed.", "success")
        return redirect(url_for(".questions", slug=slug), 303)
    return render_template("questions/remove.html", event=event, question=q,
                           dependents=services.dependents(q), form=form)


# --- staff correcting a registrant's answers -------------------------------------------------


@bp.route("/admin/events/<slug>/registrations/<int:reg_id>/answers", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_answers(slug: str, reg_id: int):
    """A secretariat officer changes a registrant's answers (e.g. told by phone): the
    registrant's validation, no cut-off; refused (409) once the registration is cancelled,
    declined or anonymised."""
    event = managed_event_or_404(slug)
    reg = db.one_or_404(select(Registration).where(Registration.id == reg_id,
                                                   Registration.event_id == event.id),
                        description="There is no such registration for this event.")
    refusal = services.answers_refusal(reg)
    if refusal:
        abort(409, refusal)
    asked = services.questions_of(event)
    form = ActionForm()
    submitted = request.form if request.method == "POST" else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form has expired; reload the page and try again.")
        try:
            changed = services.update_answers(reg, answers_from_form(asked, request.form),
                                              user=_user())
        except services.QuestionError as exc:
            errors = exc.errors
        except services.AnswersRefused as exc:
            abort(409, str(exc))
        else:
            flash("Answers saved: " + ", ".join(f"“{q.label}”" for q in changed) + "."
                  if changed else "Nothing changed.", "success")
            return redirect(url_for("admin_registrations.registration", slug=slug,
                                    reg_id=reg.id), 303)
    labels = {str(q.id): q.label for q in asked}
    return render_template(
        "questions/answers_edit.html", event=event, reg=reg, form=form, questions=asked,
        values=form_values(asked, services.answers_of(reg), submitted), errors=errors,
        summary=[f"{labels.get(k, 'Answers')}: {m[0]}" for k, m in errors.items()],
        category=reg.category), 422 if errors else 200
