"""The audit log in words: a pure function from an entry to a sentence a person reads.

"Olivia Hartley · cancelled by admin@example.org · Reason: asked by phone", not
"cancelled Registration #12 previous_status confirmed delegation_head_id None". The entry's
`details` are what audit.record() was given (audit.py); values of kinds this module does not
know are shown as they are, so a new action is never hidden, only less polished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..questions.services import KIND_LABELS
from ..reference import CATEGORIES, ECONOMIES, SECTORS

# Every action the app records, as the log's filter offers it.
ACTION_LABELS: dict[str, str] = {
    "registered": "Registered",
    "cancelled": "Registration cancelled",
    "promoted": "Confirmed from the waiting list",
    "updated": "Registration details changed",
    "link_renewed": "New private link",
    "badge_printed": "Badge printed",
    "badge_reprinted": "Badge reprinted",
    "badges_printed": "Badges printed",
    "capacity_changed": "Capacity changed",
    "waitlist_changed": "Waiting list turned on or off",
    "event_created": "Event created",
    "event_changed": "Event changed",
    "event_cancelled": "Event cancelled",
    "event_cloned": "Event cloned",
    "assumptions_confirmed": "Assumptions confirmed",
    "agenda_item_added": "Agenda item added",
    "agenda_item_changed": "Agenda item changed",
    "agenda_item_deleted": "Agenda item deleted",
    "agenda_item_cancelled": "Agenda item cancelled",
    "agenda_published": "Agenda published",
    "agenda_confirmed": "Agenda times confirmed",
    "user_created": "Account created",
    "user_invited": "Account invited",
    "invitation_resent": "Invitation sent again",
    "user_changed": "Account's role or events changed",
    "user_activated": "Account reactivated",
    "user_deactivated": "Account deactivated",
    "password_changed": "Password changed",
    "password_set": "Password set with a link",
    "password_reset_requested": "Password reset asked for",
    "api_token_created": "API token created",
    "api_token_revoked": "API token revoked",
    "update": "Deliverable report entry changed",
    "local_times_kept": "Time zone changed, local times kept",
    "agenda_moved_with_dates": "Agenda moved with the dates",
    "checkin_undone": "Check-in undone",
    # Accreditation and invitations (issue 16)
    "approved": "Registration approved",
    "declined": "Registration declined",
    "nominated": "Registration nominated",
    "head_named": "Head of delegation named",
    "substituted": "Replaced by a substitute",
    "accreditation_changed": "Registration mode or quotas changed",
    "invited": "Invitations sent",
    "invitations_reminded": "Invitations reminded",
    "invitation_declined": "Invitation declined",
    # Questions, participation and letters (issue 17)
    "question_added": "Question added",
    "question_changed": "Question changed",
    "question_moved": "Question moved",
    "question_removed": "Question removed",
    "answers_changed": "Answers changed",
    "answers_carried_over": "Earlier answers carried over to a question",
    "answers_cutoff_changed": "Answers cut-off changed",
    "participation_changed": "Participation mode or capacities changed",
    "participation_switched": "Switched between in person and online",
    "online_attendance_recorded": "Online attendance recorded",
    "letter_template_changed": "Letter template changed",
    "letter_issued": "Letter issued",
    # Messages, reminders and My meetings (issue 18)
    "message_sent": "Message sent",
    "reminder_saved": "Reminder saved",
    "reminder_deleted": "Reminder deleted",
    "reminder_sent": "Reminder sent",
    "mail_template_changed": "Email wording changed",
    "mail_template_reset": "Email wording reset",
    "year_feed_alarms": "Year calendar alarms changed",
    "year_feed_stopped": "Year calendar stopped",
    # Documents, outcomes, privacy and accounts (issues 19 and 20)
    "create": "Created",
    "revise": "Revised",
    "publish": "Published",
    "close": "Closed",
    "delete": "Deleted",
    "erasure_requested": "Erasure asked for",
    "erasure_confirmed": "Erasure confirmed",
    "personal_data_purged": "Personal data purged",
    "registrations_anonymised": "Registrations anonymised",
    "retention_changed": "Retention changed",
    "privacy_notice_published": "Privacy notice published",
    "mfa_enabled": "Two-step sign-in turned on",
    "mfa_reset": "Two-step sign-in reset",
    "mfa_recovery_code_used": "Recovery code used",
    "mfa_recovery_codes_regenerated": "Recovery codes made anew",
    "signed_out_everywhere": "Signed out everywhere",
}

ACTORS = {"registrant": "the registrant", "system": "the system", "cli": "the command line",
          "scheduler": "the reminder scheduler",
          "anonymous": "someone at the sign-in page", "": "the system"}
ROLE_NAMES = {"admin": "administrator", "organiser": "organiser", "checkin": "check-in staff",
              "focal_point": "focal point"}
STATUS_NAMES = {"confirmed": "confirmed", "waitlisted": "on the waiting list",
                "cancelled": "cancelled", "pending": "awaiting approval",
                "declined": "declined"}
# A question's settings as its form names them (question_changed lists the attributes).
QUESTION_FIELD_NAMES = {"label": "question", "kind": "type", "help_text": "help text",
                        "choices": "choices", "required": "required",
                        "allow_other": "“Other” allowed", "categories": "asked of",
                        "depends_on_id": "shown only if", "depends_value": "shown only if",
                        "date_rule": "dates allowed", "sensitive": "sensitive"}
FIELD_NAMES = {
    "given_name": "given name", "family_name": "family name", "badge_name": "name on badge",
    "native_name": "native name", "email": "email", "economy": "economy",
    "organisation": "organisation", "job_title": "job title", "sector": "sector",
    "category": "category", "dietary": "dietary needs", "accessibility": "accessibility needs",
    "consent_to_list": "listing consent", "starts_at": "start", "ends_at": "end",
    "title": "title", "room": "room", "kind": "kind", "chairs": "chairs",
    "speakers": "speakers", "description": "description", "status": "status",
}


@dataclass(frozen=True)
class AuditLine:
    subject: str  # who or what the entry is about: "Olivia Hartley", "Capacity"
    what: str  # what happened to it: "cancelled", "changed from 40 to 50"
    by: str  # who did it ("" when nobody in particular)
    notes: tuple[str, ...] = ()  # the reason and other facts, each a short sentence


def actor_label(user_email: str | None, actor: str) -> str:
    """Who acted: the account's address, else the kind of actor the entry names."""
    if user_email:
        return user_email
    return ACTORS.get(actor, actor)


def _short(value: Any, limit: int = 80) -> str:
    text = "—" if value in (None, "", []) else (
        ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def describe(action: str, object_type: str, object_id: int | None, details: dict[str, Any], *,
             subject: str | None, by: str) -> AuditLine:
    """The entry as a sentence.

    :param subject: the name of what the entry is about as it is now (the registration's
        person, the account's address, the event's title), or None when it is gone.
    :param by: who acted, from `actor_label`.
    """
    d = details or {}
    reg = subject or (f"Registration {object_id}" if object_id else "A registration")
    reason = (f"Reason: {d['reason']}",) if d.get("reason") and d["reason"] != "place freed" \
        else ()
    title = d.get("title")
    if isinstance(title, list):  # a change: [old, new]
        title = title[-1]
    title = subject or title or "An item"
    account = d.get("email") or subject or f"Account {object_id}"
    match action:
        case "registered":
            status = STATUS_NAMES.get(d.get("status"), d.get("status", ""))
            notes = ("as part of a delegation",) if d.get("delegation_head_id") not in (
                None, object_id) else ()
            return AuditLine(reg, f"registered ({status})", "" if by == ACTORS["registrant"]
                             else by, notes)
        case "cancelled":
            notes = reason
            if d.get("previous_status"):
                notes += (f"Was {STATUS_NAMES.get(d['previous_status'], d['previous_status'])}.",)
            if d.get("bulk"):
                notes += (f"One of {d['bulk']} cancelled together.",)
            if by == ACTORS["registrant"]:
                return AuditLine(reg, "cancelled their registration", "", notes)
            return AuditLine(reg, "cancelled", by, notes)
        case "promoted":
            if d.get("over_capacity"):
                return AuditLine(reg, "confirmed from the waiting list, over capacity", by,
                                 reason)
            return AuditLine(reg, "confirmed from the waiting list as a place freed up",
                             "" if by == ACTORS["system"] else by)
        case "updated":
            fields = [FIELD_NAMES.get(f, f.replace("_", " ")) for f in d.get("fields", [])]
            who = "" if by == ACTORS["registrant"] else by
            what = "changed their details" if not who else "details changed"
            return AuditLine(reg, what, who, (f"Changed: {', '.join(fields)}.",) if fields
                             else ())
        case "link_renewed":
            return AuditLine(reg, "asked for a new private link", "")
        case "badge_printed" | "badge_reprinted":
            what = "badge printed" if action == "badge_printed" else "badge reprinted"
            return AuditLine(reg, what, by, (f"Sheet: {d['layout']}.",) if d.get("layout")
                             else ())
        case "badges_printed":
            notes = tuple(n for n in (
                f"Sheet: {d['layout']}." if d.get("layout") else "",
                f"Category: {CATEGORIES.get(d['category'], d['category'])}."
                if d.get("category") else "",
                "Only badges not printed before." if d.get("not_printed") else "") if n)
            return AuditLine(_count(int(d.get("count") or 0), "badge"), "printed", by, notes)
        case "capacity_changed":
            return AuditLine("Capacity", f"changed from {_limit(d.get('previous'))} to "
                                         f"{_limit(d.get('capacity'))}", by)
        case "waitlist_changed":
            return AuditLine("Waiting list", "turned on" if d.get("enabled") else "turned off",
                             by)
        case "event_created" | "event_cancelled" | "event_cloned" | "assumptions_confirmed":
            what = {"event_created": "created", "event_cancelled": "marked as cancelled",
                    "event_cloned": f"created as a copy of {d.get('source', 'another event')}",
                    "assumptions_confirmed": "seed assumptions confirmed"}[action]
            return AuditLine(subject or d.get("title") or "The event", what, by, reason)
        case "event_changed":
            return AuditLine(subject or "The event", "changed", by, _changes(d))
        case "agenda_item_added":
            return AuditLine(f"Agenda item “{title}”", "added", by)
        case "agenda_item_changed":
            return AuditLine(f"Agenda item “{title}”", "changed", by, _changes(d))
        case "agenda_item_deleted" | "agenda_item_cancelled":
            what = "deleted" if action == "agenda_item_deleted" else "marked cancelled"
            return AuditLine(f"Agenda item “{title}”", what, by)
        case "agenda_published":
            changes = d.get("changes") or []
            notes = tuple(str(c) for c in changes[:10]) + (
                (f"… and {len(changes) - 10} more.",) if len(changes) > 10 else ())
            return AuditLine("Agenda", f"published as release {d.get('release', '?')} "
                                       f"({_count(len(changes), 'change')})", by, notes)
        case "agenda_confirmed":
            return AuditLine("Agenda times", "confirmed", by)
        case "user_created" | "user_invited":
            role = ROLE_NAMES.get(d.get("role"), d.get("role", ""))
            events = d.get("events") or []
            what = ("invited" if action == "user_invited" else "created") + f" as {role}"
            return AuditLine(account, what, by,
                             (f"Limited to: {', '.join(events)}.",) if events
                             else ("Every event.",) if d.get("role") != "admin" else ())
        case "invitation_resent":
            return AuditLine(account, "sent a new invitation", by)
        case "user_changed":
            notes = ()
            if "role" in d:
                old, new = d["role"]
                notes += (f"Role: {ROLE_NAMES.get(old, old)} → {ROLE_NAMES.get(new, new)}.",)
            if "events" in d:
                old, new = d["events"]
                notes += (f"Events: {_short(old) if old else 'every event'} → "
                          f"{_short(new) if new else 'every event'}.",)
            return AuditLine(account, "access changed", by, notes)
        case "user_activated" | "user_deactivated":
            return AuditLine(account, "reactivated" if action == "user_activated"
                             else "deactivated", by)
        case "password_changed":
            return AuditLine(account, "password changed", "" if by == account else by)
        case "password_set":
            return AuditLine(account, f"password set with {d.get('via', 'a link')}", "")
        case "password_reset_requested":
            return AuditLine(account, "a password reset link was emailed", "")
        case "api_token_created" | "api_token_revoked":
            name = f" “{d['name']}”" if d.get("name") else ""
            return AuditLine(f"API token{name}", "created" if action == "api_token_created"
                             else "revoked", by)
        case "approved":
            status = STATUS_NAMES.get(d.get("status"), d.get("status", ""))
            return AuditLine(reg, f"approved ({status})", by)
        case "declined":
            return AuditLine(reg, "declined", by, reason)
        case "answers_changed":
            # `labels` since staff can edit answers too; older entries carry only the ids.
            labels = d.get("labels") or []
            who = "" if by == ACTORS["registrant"] else by
            ids = d.get("questions") or []
            notes = ((f"Changed: {'; '.join(f'“{_short(x, 60)}”' for x in labels)}.",)
                     if labels else (f"Changed: {_count(len(ids), 'answer')}.",) if ids
                     else ())
            return AuditLine(reg, "changed their answers" if not who else "answers changed",
                             who, notes)
        case "answers_carried_over":
            field = FIELD_NAMES.get(d.get("field", ""), d.get("field", ""))
            return AuditLine(f"Question “{_short(d.get('label', ''), 60)}”",
                             f"{_count(int(d.get('count') or 0), 'earlier answer')} carried "
                             "over", by, ("From the same question asked before, else the "
                                          f"registrations' {field} field.",))
        case "question_added" | "question_changed" | "question_moved" | "question_removed":
            what = {"question_added": "added", "question_changed": "changed",
                    "question_moved": f"moved {d.get('direction', '')}".rstrip(),
                    "question_removed": "removed (its answers are kept)"}[action]
            notes = ((f"Type: {KIND_LABELS.get(d['kind'], d['kind'])}.",) if d.get("kind")
                     else ())
            if d.get("fields"):
                names = dict.fromkeys(QUESTION_FIELD_NAMES.get(f, f.replace("_", " "))
                                      for f in d["fields"])
                notes += (f"Changed: {', '.join(names)}.",)
            return AuditLine(f"Question “{_short(d.get('label', ''), 60)}”", what, by, notes)
        case "letter_issued":
            kind = {"visa": "visa support letter", "certificate": "certificate of attendance"}
            return AuditLine(f"Letter {d.get('number', object_id)}",
                             f"issued ({kind.get(d.get('kind'), d.get('kind', ''))})", by)
        case "message_sent":
            return AuditLine(f"Message “{_short(d.get('subject', ''), 60)}”",
                             f"sent to {_count(int(d.get('recipients') or 0), 'person', 'people')}",
                             by, (f"To: {_listed(d['criteria'])}.",) if d.get("criteria")
                             else ())
        case "reminder_sent":
            return AuditLine(f"Reminder “{_short(d.get('subject', ''), 60)}”",
                             f"sent to {_count(int(d.get('recipients') or 0), 'person', 'people')}"
                             + (f" for {d['day']}" if d.get("day") else ""), by)
        case "update" if object_type == "Deliverable":
            return AuditLine(f"Deliverable {d.get('number', object_id)}", "report entry changed",
                             by)
    # An action this module does not know yet: its own words, and its details as they are.
    label = ACTION_LABELS.get(action, action.replace("_", " "))
    return AuditLine(subject or (f"{object_type} {object_id}" if object_id else object_type),
                     label[:1].lower() + label[1:], by,
                     tuple(f"{k.replace('_', ' ')}: {_short(v)}" for k, v in d.items()))


def _listed(value: Any) -> str:
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def _limit(value: Any) -> str:
    return "no limit" if value is None else str(value)


def _changes(d: dict[str, Any]) -> tuple[str, ...]:
    """{field: [old, new]} as "start: 09:00 → 09:15" lines; other values as they are."""
    out = []
    for key, value in d.items():
        name = FIELD_NAMES.get(key, key.replace("_", " "))
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            out.append(f"{name[:1].upper() + name[1:]}: {_value(key, old)} → {_value(key, new)}.")
        else:
            out.append(f"{name[:1].upper() + name[1:]}: {_value(key, value)}.")
    return tuple(out)


def _value(key: str, value: Any) -> str:
    if key in ("economy", "lead_economy", "venue_economy") and isinstance(value, str):
        return ECONOMIES.get(value, value)
    if key == "sector" and isinstance(value, str):
        return SECTORS.get(value, value)
    if key == "category" and isinstance(value, str):
        return CATEGORIES.get(value, value)
    return _short(value, 60)
