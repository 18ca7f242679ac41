"""The organiser's menus: the site's top navigation and each event's management menu.

Who sees an entry follows the same predicates the pages check (auth/permissions.py), so a
menu never offers a page that would answer 403. The templates render both menus with one
macro file (templates/admin/_nav.html); `admin/base.html` shows the event menu on every
page whose context has an `event`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for

from ..auth.permissions import (
    MANAGERS,
    can_check_in,
    can_manage_event,
    can_read_audit_log,
    is_focal_point_of,
    manages_every_event,
)
from ..models import CHECKIN, FOCAL_POINT, Event, User


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str
    # "page" on the page itself, "true" on a page inside its section (aria-current), or "".
    current: str


@dataclass(frozen=True)
class _EventPage:
    label: str
    endpoint: str
    # Prefixes of the endpoints that belong to this entry's section.
    section: tuple[str, ...]
    allowed: Callable[[User, Event], bool]


EVENT_PAGES = (
    _EventPage("Overview", "admin.event_overview", ("admin.event_overview",), can_manage_event),
    _EventPage("Edit", "admin.event_edit",
               ("admin.event_edit", "admin.event_clone", "admin.event_cancel"), can_manage_event),
    _EventPage("Mode and quotas", "accreditation.settings", ("accreditation.settings",),
               can_manage_event),
    _EventPage("Participation", "participation.settings",
               ("participation.settings", "participation.attendance"), can_manage_event),
    # A registrant's answers (questions.edit_answers) belong to Registrations.
    _EventPage("Questions", "questions.questions",
               ("questions.questions", "questions.add_", "questions.set_cutoff",
                "questions.edit_question", "questions.move_", "questions.remove_"),
               can_manage_event),
    _EventPage("Agenda", "agenda.editor", ("agenda.",), can_manage_event),
    _EventPage("Registrations", "admin_registrations.registrations",
               ("admin_registrations.", "questions.edit_answers"), can_manage_event),
    _EventPage("Approvals", "accreditation.approvals",
               ("accreditation.approv", "accreditation.decline", "accreditation.delegation",
                "accreditation.register_member", "accreditation.name_head",
                "accreditation.withdraw", "accreditation.substitute"),
               lambda user, event: can_manage_event(user, event)
               or is_focal_point_of(user, event)),
    _EventPage("Invitations", "invitations.manage", ("invitations.",), can_manage_event),
    _EventPage("Documents", "documents_admin.documents", ("documents_admin.",),
               can_manage_event),
    _EventPage("Outcomes", "outcomes.outcomes", ("outcomes.outcomes", "outcomes.item"),
               can_manage_event),
    _EventPage("Messages", "messages.event_messages", ("messages.",), can_manage_event),
    _EventPage("Emails", "mail_templates.emails", ("mail_templates.",), can_manage_event),
    _EventPage("Letters", "letters.letters", ("letters.",), can_manage_event),
    _EventPage("Badges", "badges.page", ("badges.",), can_manage_event),
    _EventPage("Check-in", "checkin.desk", ("checkin.",), can_check_in),
    _EventPage("Summary", "reports.summary", ("reports.summary",), can_manage_event),
    _EventPage("Participants", "reports.participants", ("reports.participants",),
               can_manage_event),
    _EventPage("Privacy", "privacy.event_privacy", ("privacy.event_privacy",), can_manage_event),
)


def _current(endpoint: str | None, target: str, section: tuple[str, ...]) -> str:
    if not endpoint:
        return ""
    if endpoint == target:
        return "page"
    if any(endpoint.startswith(prefix) for prefix in section):
        return "true"
    return ""


def event_menu(user: User, event: Event) -> list[MenuEntry]:
    """The management pages of `event` that `user` may open, in the menu's order."""
    if not getattr(user, "is_authenticated", False) or event is None or event.id is None:
        return []
    endpoint = request.endpoint
    return [MenuEntry(p.label, url_for(p.endpoint, slug=event.slug),
                      _current(endpoint, p.endpoint, p.section))
            for p in EVENT_PAGES if p.allowed(user, event)]


def site_menu(user: User) -> list[MenuEntry]:
    """The top navigation of organiser pages for `user`'s role (empty when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return []
    endpoint = request.endpoint or ""
    entries: list[tuple[str, str, tuple[str, ...]]] = []
    if user.role in MANAGERS:
        entries.append(("Dashboard", "admin.dashboard",
                        ("admin.event", "admin_registrations.", "questions.edit_answers",
                         "agenda.", "badges.",
                         "checkin.", "reports.summary", "reports.participants")))
        entries.append(("Reports", "admin.reports", ("reports.year", "reports.edit_deliverable")))
        if manages_every_event(user):
            entries.append(("Messages", "messages.current_year", ("messages.year_messages",
                                                                   "messages.compose_year")))
    if user.role == FOCAL_POINT:
        entries.append(("Accreditation", "accreditation.home", ("accreditation.",)))
    if user.role == CHECKIN:
        entries.append(("Check-in desks", "auth.account", ("checkin.",)))
    if can_read_audit_log(user):
        entries.append(("Audit log", "admin.audit_log", ()))
        entries.append(("Users", "admin_users.users", ("admin_users.",)))
        entries.append(("Privacy notice", "privacy.edit_notice", ("privacy.edit_notice",)))
    if user.role != CHECKIN:
        entries.append(("Account", "auth.account", ("auth.change_password", "auth.mfa")))
    else:
        entries.append(("Password", "auth.change_password", ()))
    return [MenuEntry(label, url_for(target), _current(endpoint, target, section))
            for label, target, section in entries]
