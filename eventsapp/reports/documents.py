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


def _counts(heading: str, counts, s: EventSummary) -> list:
    """Registered, and attended when the desk checked people in, per row."""
    if s.has_attendance:
        return [pdf.table([heading, "Registered", "Attended"],
                          [[c.label, c.count, c.attended] for c in counts],
                          [WIDTH * 0.6, WIDTH * 0.2, WIDTH * 0.2])]
    return [pdf.table([heading, "Registered"], [[c.label, c.count] for c in counts],
                      [WIDTH * 0.7, WIDTH * 0.3])]


def _summary_story(s: EventSummary) -> list:
    capacity = pdf.Num("No limit") if s.capacity is None else s.capacity
    fill = pdf.Num("") if s.fill_percent is None else pdf.Num(f"{s.fill_percent}%")
    attended = (f"Attended: {s.attended} people checked in on at least one day."
                if s.has_attendance else
                "Attended: no check-in was recorded, so the figures below are registrations "
                "only; they do not say who came.")
    story = [
        pdf.para("Registrations", "h2"),
        pdf.table(["Capacity", "Registered", "Fill", "Waiting list", "Cancelled"],
                  [[capacity, s.confirmed, fill, s.waitlisted, s.cancelled]], [WIDTH / 5] * 5),
        pdf.para("Registered means a confirmed registration."),
        pdf.para(attended),
        *([pdf.para(f"Online: {s.confirmed_online} registered, {s.attended_online} attended "
                    f"({s.online_minutes} minutes in all); in person: "
                    f"{s.confirmed_in_person} registered, {s.attended} checked in.")]
          if s.has_online else []),
        pdf.para("Attendance by day", "h2"),
        pdf.table(["Day", "Checked in"],
                  [[day_label(d.day), d.count] for d in s.attendance]
                  + [["People checked in on at least one day", s.attended]],
                  [WIDTH * 0.7, WIDTH * 0.3]),
        pdf.para("By economy", "h2"),
        pdf.para(f"Economies represented: {s.economies_represented} of {len(s.by_economy)}"
                 + (f" registered, {s.economies_attended} attended." if s.has_attendance
                    else " registered.")),
        *_counts("Economy", s.by_economy, s),
        Spacer(1, 4 * mm),
        KeepTogether(pdf.bar_chart([Bar(c.label, c.count) for c in s.by_economy],
                                   "Registered by economy")),
        pdf.para("Organisations that are not economies", "h2"),
    ]
    story += _counts("Organisation", s.organisations, s) if s.organisations else [
        pdf.para("None.")]
    story += [pdf.para("By sector", "h2"), *_counts("Sector", s.by_sector, s),
              pdf.para("By category", "h2"), *_counts("Category", s.by_category, s)]
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
    """The List; the organisers' one (with email addresses) is marked INTERNAL on every page."""
    title = f"List of Participants: {lop.title}"
    internal = not lop.public
    story = [pdf.para(title, "title")]
    if internal:
        story.append(pdf.para("INTERNAL: for the organisers. It gives email addresses and "
                              "people who did not agree to be listed; share the public list "
                              "instead.", "marking"))
    story += [pdf.para(f"{date_label(event)} · {venue_label(event)}"),
              pdf.para(f"{lop.count} registered (confirmed).")]
    with_email = internal
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
    return pdf.render(story, title=title + (" (internal)" if internal else ""),
                      group_name=group_name, subject="List of Participants",
                      marking="INTERNAL" if internal else "")


def year_report_pdf(report: YearReport) -> bytes:
    story = [pdf.para(report.title, "title"),
             pdf.para("Report to the APEC Steering Committee on Economic and Technical "
                      "Cooperation (SCE)."),
             *([pdf.para("Limited to the events of the reader's account: "
                         + ("; ".join(report.limited_to) or "none in this work plan")
                         + ". The whole year's report is for administrators and organisers "
                         "of every event.")] if report.limited else []),
             pdf.para("Totals for the year" + (": these events" if report.limited else ""),
                      "h2"),
             pdf.table(["Events held", "Registered", "Attended", "Economies represented"],
                       [[report.events_held, report.registered, report.attended,
                         len(report.economies_represented)]], [WIDTH / 4] * 4),
             pdf.para("Held means the event had dates and they are past. Registered counts "
                      "confirmed registrations at events held, attended the people checked "
                      "in there; someone at two events counts twice."),
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
    out.append(pdf.para(f"{e.title}: {e.dates}, {e.venue} ({e.state_label})"))
    if e.held:
        s = e.summary
        sectors = ", ".join(f"{c.label} {c.count}" for c in s.by_sector if c.count) or "none"
        attendance = "; ".join(f"{day_label(a.day)}: {a.count}" for a in s.attendance) or "none"
        came = (f" Attended: {s.attended}." if s.has_attendance
                else " Attended: no check-in recorded.")
        others = (" and " + ngettext("%(num)d other organisation", "%(num)d other organisations",
                                     len(s.organisations))) if s.organisations else ""
        out.append(pdf.para(
            f"Registered: {s.confirmed} from "
            + ngettext("%(num)d economy", "%(num)d economies", s.economies_represented)
            + f"{others}.{came}"))
        rows = [*s.represented_economies, *s.organisations]
        if rows:
            header = ["Economy or organisation", "Registered"] + (
                ["Attended"] if s.has_attendance else [])
            widths = ([WIDTH * 0.5, WIDTH * 0.17, WIDTH * 0.17] if s.has_attendance
                      else [WIDTH * 0.5, WIDTH * 0.17])
            out.append(pdf.table(header, [[c.label, c.count] + (
                [c.attended] if s.has_attendance else []) for c in rows], widths))
        out += [
            pdf.para(f"By sector (registered): {sectors}."),
            pdf.para(f"Checked in by day: {attendance}."),
        ]
    return out


