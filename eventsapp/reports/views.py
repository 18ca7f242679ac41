"""Event summaries, the List of Participants and the year's report: pages, PDFs, exports."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import (
    can_edit_unattached,
    managed_event_or_404,
    require_event_access,
    roles_required,
)
from ..auth.roles import event_scope
from ..events.services import get_public_event
from ..i18n import ngettext
from ..models import ADMIN, ORGANISER, Event
from ..questions import services as questions
from ..timelimit import pdf_time_limit
from . import documents, exports
from .charts import Bar, bar_chart_svg
from .forms import DeliverableForm
from .participants import list_of_participants
from .queries import EventSummary, event_summary
from .services import ReportError, update_deliverable
from .yearly import deliverable_by_number, event_state, work_plan_for_year, year_report

bp = Blueprint("reports", __name__)
managers = roles_required(ADMIN, ORGANISER)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", filename)
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'{disposition}; filename="{safe}"'})


def _group_name(event: Event) -> str:
    return event.work_plan.group_name if event.work_plan else ""


def _charts(s: EventSummary) -> dict:
    charts = {"economy": bar_chart_svg(
        [Bar(c.label, c.count) for c in s.by_economy], chart_id="chart-economy",
        title="Registered by economy",
        desc=ngettext("Confirmed registrations from each of the %(num)d member economy; ",
                      "Confirmed registrations from each of the %(num)d member economies; ",
                      len(s.by_economy))
        + ngettext("%(num)d is represented.", "%(num)d are represented.",
                   s.economies_represented)
        + " The table above gives the numbers.")}
    if s.fill:
        unit = "day" if s.fill_step_days == 1 else "week"
        last = s.fill[-1]
        charts["fill"] = bar_chart_svg(
            [Bar(p.day.isoformat(), p.count) for p in s.fill], chart_id="chart-fill",
            title="Registrations held over time",
            desc=f"Registrations held, confirmed and waiting list less cancellations, at the end "
                 f"of each {unit}; {last.count} on {last.day.isoformat()}."
                 + (f" Capacity {s.capacity}." if s.capacity else ""),
            limit=s.capacity, limit_label=f"Capacity {s.capacity}" if s.capacity else "")
    return charts


# --- per event, organisers ------------------------------------------------------------------


@bp.get("/admin/events/<slug>/summary")
@managers
def summary(slug: str) -> str:
    event = managed_event_or_404(slug)
    s = event_summary(event)
    counted = questions.choice_counts(event)
    answer_charts = [bar_chart_svg(
        [Bar(label, n) for label, n in c.counts], chart_id=f"chart-q{c.question.id}",
        title=c.question.label,
        desc=ngettext("Answers of the %(num)d confirmed registrant who answered; ",
                      "Answers of the %(num)d confirmed registrants who answered; ", c.answered)
        + "the table beside it gives the numbers.") for c in counted]
    return render_template("reports/summary.html", event=event, s=s, charts=_charts(s),
                           answers=list(zip(counted, answer_charts, strict=True)))


@bp.get("/admin/events/<slug>/summary.pdf")
@managers
def summary_pdf(slug: str) -> Response:
    event = managed_event_or_404(slug)
    summary, group = event_summary(event), _group_name(event)
    with pdf_time_limit():
        data = documents.summary_pdf(summary, event, group)
    return _file(data, "application/pdf", f"{event.slug}-summary.pdf", inline=True)


@bp.get("/admin/events/<slug>/summary.csv")
@managers
def summary_csv(slug: str) -> Response:
    event = managed_event_or_404(slug)
    data = exports.to_csv(exports.COUNT_HEADER, exports.count_rows(event_summary(event))
                          + exports.answer_count_rows(questions.choice_counts(event)))
    return _file(data, "text/csv", f"{event.slug}-summary.csv")


@bp.get("/admin/events/<slug>/summary.xlsx")
@managers
def summary_xlsx(slug: str) -> Response:
    event = managed_event_or_404(slug)
    asked = questions.questions_of(event, removed=True)
    regs = questions.registrations_answering(event)
    data = exports.summary_xlsx(
        event_summary(event), list_of_participants(event),
        answers=exports.answer_sheet(regs, asked, questions.answers_for([r.id for r in regs]))
        if asked else None,  # an Answers sheet only where the event asks questions
        answer_counts=exports.answer_count_rows(questions.choice_counts(event)))
    return _file(data, XLSX, f"{event.slug}-summary.xlsx")


@bp.get("/admin/events/<slug>/participants")
@managers
def participants(slug: str) -> str:
    event = managed_event_or_404(slug)
    return render_template("reports/participants.html", event=event,
                           lop=list_of_participants(event))


@bp.get("/admin/events/<slug>/participants.pdf")
@managers
def participants_pdf(slug: str) -> Response:
    event = managed_event_or_404(slug)
    lop, group = list_of_participants(event), _group_name(event)
    with pdf_time_limit():
        data = documents.participants_pdf(lop, event, group)
    return _file(data, "application/pdf", f"{event.slug}-participants.pdf", inline=True)


@bp.get("/admin/events/<slug>/participants.csv")
@managers
def participants_csv(slug: str) -> Response:
    event = managed_event_or_404(slug)
    data = exports.to_csv(exports.PARTICIPANT_HEADER,
                          exports.participant_rows(list_of_participants(event)))
    return _file(data, "text/csv", f"{event.slug}-participants.csv")


# --- per event, public, once it has ended ---------------------------------------------------


def _ended_event(slug: str) -> Event:
    event = get_public_event(slug)
    # Who attends a counter-terrorism meeting is not announced before it has happened.
    if event is None or event_state(event) != "held":
        abort(404, "There is no summary of this event: it has not been held yet.")
    return event


@bp.get("/events/<slug>/summary")
def public_summary(slug: str) -> str:
    event = _ended_event(slug)
    s = event_summary(event)
    return render_template("reports/public_summary.html", event=event, s=s)


@bp.get("/events/<slug>/participants")
def public_participants(slug: str) -> str:
    event = _ended_event(slug)
    return render_template("reports/public_participants.html", event=event,
                           lop=list_of_participants(event, public=True))


# --- the year's report ----------------------------------------------------------------------


def _work_plan_or_404(year: int):
    wp = work_plan_for_year(year)
    if wp is None:
        abort(404, f"There is no work plan for {year}.")
    return wp


def _year_report_for_reader(year: int):
    """The whole year, or for an organiser limited to some events those events only."""
    return year_report(_work_plan_or_404(year),
                       only_events=event_scope(current_user._get_current_object()))


@bp.get("/admin/reports/<int:year>")
@managers
def year(year: int) -> str:
    return render_template("reports/year.html", report=_year_report_for_reader(year))


@bp.get("/admin/reports/<int:year>.pdf")
@managers
def year_pdf(year: int) -> Response:
    report = _year_report_for_reader(year)
    with pdf_time_limit():
        data = documents.year_report_pdf(report)
    return _file(data, "application/pdf", f"{report.group_abbr}-{report.year}-report.pdf",
                 inline=True)


@bp.route("/admin/reports/<int:year>/deliverables/<number>", methods=["GET", "POST"])
@managers
def edit_deliverable(year: int, number: str) -> Response | tuple[str, int] | str:
    wp = _work_plan_or_404(year)
    deliverable = deliverable_by_number(wp, number)
    if deliverable is None:
        abort(404, f"The {year} work plan has no deliverable {number}.")
    if deliverable.event is not None:
        require_event_access(deliverable.event)
    elif not can_edit_unattached(current_user):
        # A deliverable of no event belongs to no organiser's events: administrators only.
        abort(403, "Only an administrator can edit a deliverable that belongs to no event.")
    submitted = request.method == "POST"
    form = DeliverableForm(obj=None if submitted else deliverable)
    form.focus_areas.choices = [SelectChoice(fa.number, f"{fa.number}. {fa.text}")
                               for fa in wp.focus_areas]
    if not submitted:
        form.focus_areas.data = list(deliverable.focus_area_numbers or [])
    error = None
    if form.validate_on_submit():
        try:
            update_deliverable(deliverable, status=form.status.data,
                               narrative=form.narrative.data or "",
                               focus_area_numbers=form.focus_areas.data or [],
                               user=current_user._get_current_object())
        except ReportError as exc:
            error = str(exc)
        else:
            flash(f"Deliverable {deliverable.number} saved.", "success")
            return redirect(url_for("reports.year", year=year, _anchor=f"d-{number}"), 303)
    status = 400 if submitted else 200
    return render_template("reports/deliverable_form.html", form=form, deliverable=deliverable,
                           year=year, error=error), status
