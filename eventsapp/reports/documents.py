"""The reports as PDF: pure functions from the query dataclasses to bytes."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from ..i18n import ngettext
from ..labels import (
    date_label,
    day_label,
    end_time_label,
    time_label,
    utc_offset_label,
    venue_label,
    weekday_label,
    zone_label,
)
from ..models import Event
from ..reference import AGENDA_KINDS
from . import pdf
from .charts import Bar
from .participants import ParticipantList
from .queries import EventSummary
from .yearly import DeliverableReport, YearReport

WIDTH = 174 * mm


def summary_pdf(summary: EventSummary, event: Event, group_name: str) -> bytes:
    title = f"Summary: {summary.title}"
    story = [pdf.para(title, "title"),
             pdf.para(f"{date_label(event)} · {venue_label(event)}")]
    story += _summary_story(summary)
    return pdf.render(story, title=title, group_name=group_name, subject="Event summary")


def _summary_story(s: EventSummary) -> list:
    capacity = "No limit" if s.capacity is None else s.capacity
    fill = "" if s.fill_percent is None else f"{s.fill_percent}%"
    story = [
        pdf.para("Registrations", "h2"),
        pdf.table(["Capacity", "Confirmed", "Fill", "Waiting list", "Cancelled"],
                  [[capacity, s.confirmed, fill, s.waitlisted, s.cancelled]], [WIDTH / 5] * 5),
        pdf.para("Attendance by day", "h2"),
        pdf.table(["Day", "Checked in"],
                  [[day_label(d.day), d.count] for d in s.attendance]
                  + [["People checked in on at least one day", s.attended]],
                  [WIDTH * 0.7, WIDTH * 0.3]),
        pdf.para("Participants by economy", "h2"),
        pdf.para(f"Economies represented: {s.economies_represented} of {len(s.by_economy)}"),
        pdf.table(["Economy", "Participants"], [[c.label, c.count] for c in s.by_economy],
                  [WIDTH * 0.7, WIDTH * 0.3]),
        Spacer(1, 4 * mm),
        KeepTogether(pdf.bar_chart([Bar(c.label, c.count) for c in s.by_economy],
                                   "Participants by economy")),
        pdf.para("Organisations that are not economies", "h2"),
    ]
    if s.organisations:
        story.append(pdf.table(["Organisation", "Participants"],
                               [[c.label, c.count] for c in s.organisations],
                               [WIDTH * 0.7, WIDTH * 0.3]))
    else:
        story.append(pdf.para("None."))
    story += [
        pdf.para("Participants by sector", "h2"),
        pdf.table(["Sector", "Participants"], [[c.label, c.count] for c in s.by_sector],
                  [WIDTH * 0.7, WIDTH * 0.3]),
        pdf.para("Participants by category", "h2"),
        pdf.table(["Category", "Participants"], [[c.label, c.count] for c in s.by_category],
                  [WIDTH * 0.7, WIDTH * 0.3]),
    ]
    if s.fill:
        unit = "day" if s.fill_step_days == 1 else "week"
        story.append(KeepTogether([
            pdf.para("Registrations over time", "h2"),
            pdf.para(f"Registrations held (confirmed and waiting list, less cancellations) at "
                     f"the end of each {unit}."),
            pdf.bar_chart([Bar(day_label(p.day), p.count) for p in s.fill],
                          "Registrations held over time"),
        ]))
    story += [pdf.para("Agenda as held", "h2")]
    story += _agenda(s) if s.agenda else [pdf.para("No agenda was published.")]
    return story


def _agenda(s: EventSummary) -> list:
    zone = zone_label(s.timezone, [item.day for item in s.agenda])
    # One offset for the whole agenda is said once; when it changes, every row says its own.
    changes = " until " in zone
    rows = []
    for item in s.agenda:
        when = (f"{weekday_label(item.day)} {time_label(item.starts_at, s.timezone)}–"
                f"{end_time_label(item.starts_at, item.ends_at, s.timezone)}")
        if changes:
            when += f" ({utc_offset_label(s.timezone, item.starts_at)})"
        title = f"Cancelled: {item.title}" if item.cancelled else item.title
        rows.append([when, title, AGENDA_KINDS.get(item.kind, item.kind), item.room])
    return [pdf.para(f"Times are local time at the venue: {zone}."),
            pdf.table(["When", "Item", "Kind", "Room"], rows,
                      [WIDTH * 0.3, WIDTH * 0.45, WIDTH * 0.12, WIDTH * 0.13])]


def participants_pdf(lop: ParticipantList, event: Event, group_name: str) -> bytes:
    title = f"List of Participants: {lop.title}"
    story = [pdf.para(title, "title"),
             pdf.para(f"{date_label(event)} · {venue_label(event)}"),
             pdf.para(ngettext("%(num)d participant.", "%(num)d participants.", lop.count))]
    with_email = not lop.public
    for group in lop.groups:
        story.append(pdf.para(group.heading, "h2"))
        header = ["Name", "Position and organisation"] + (["Email"] if with_email else [])
        widths = [WIDTH * 0.38, WIDTH * 0.37, WIDTH * 0.25] if with_email else [
            WIDTH * 0.45, WIDTH * 0.55]
        rows = []
        for p in group.participants:
            name = p.name + (f"\n{p.native_name}" if p.native_name else "")
            if p.is_head:
                name += "\nHead of delegation"
            role = "\n".join(x for x in (p.job_title, p.organisation) if x)
            rows.append([name, role] + ([p.email] if with_email else []))
        story.append(pdf.table(header, rows, widths))
    if not lop.groups:
        story.append(pdf.para("No participants to list."))
    return pdf.render(story, title=title, group_name=group_name, subject="List of Participants")


def year_report_pdf(report: YearReport) -> bytes:
    story = [pdf.para(report.title, "title"),
             pdf.para("Report to the APEC Steering Committee on Economic and Technical "
                      "Cooperation (SCE)."),
             pdf.para("Totals for the year", "h2"),
             pdf.table(["Events held", "Participants", "Economies represented"],
                       [[report.events_held, report.participants,
                         len(report.economies_represented)]], [WIDTH / 3] * 3),
             pdf.para("Deliverables", "h2")]
    for d in report.deliverables:
        story += _deliverable(d)
    story.append(pdf.para("Cross-fora collaboration", "h2"))
    if report.collaborations:
        story.append(pdf.table(["Work", "With"], list(map(list, report.collaborations)),
                               [WIDTH * 0.55, WIDTH * 0.45]))
    else:
        story.append(pdf.para("None recorded."))
    story.append(pdf.para("Focus areas", "h2"))
    story += [pdf.para(f"{fa.number}. {fa.text}") for fa in report.focus_areas]
    return pdf.render(story, title=report.title, group_name=report.group_name,
                      subject=f"Report on {report.year}")


def _deliverable(d: DeliverableReport) -> list:
    out = [pdf.para(f"{d.number} {d.title}", "h3"), pdf.para(f"Status: {d.status_label}")]
    if d.narrative:
        out.append(pdf.para(d.narrative))
    if d.focus_areas:
        out.append(pdf.para("Focus areas: " + ", ".join(str(f.number) for f in d.focus_areas)))
    if d.collaborators:
        out.append(pdf.para(f"Collaboration: {d.collaborators}"))
    for heading, lines in (("Decisions", d.record.decisions), ("Documents", d.record.documents),
                           ("Open actions", d.record.open_actions)):
        if lines:
            out.append(pdf.para(f"{heading}: " + "; ".join(lines)))
    e = d.event
    if e is None:
        return out
    out.append(pdf.para(f"{e.title}: {e.dates}, {e.venue} ({e.state})"))
    if e.held:
        s = e.summary
        economies = ", ".join(f"{c.label} {c.count}" for c in s.represented_economies) or "none"
        sectors = ", ".join(f"{c.label} {c.count}" for c in s.by_sector if c.count) or "none"
        attendance = "; ".join(f"{day_label(a.day)}: {a.count}" for a in s.attendance) or "none"
        out += [
            pdf.para(f"Participants: {s.confirmed} from "
                     + ngettext("%(num)d economy", "%(num)d economies", s.economies_represented)
                     + " and " + ngettext("%(num)d other organisation.",
                                          "%(num)d other organisations.",
                                          len(s.organisations))),
            pdf.para(f"By economy: {economies}."),
            pdf.para(f"By sector: {sectors}."),
            pdf.para(f"Attendance: {attendance}."),
        ]
    return out
