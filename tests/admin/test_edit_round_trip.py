"""Every edit form, opened and saved unchanged, changes nothing (issue 14, item 11).

The test walks `app.url_map`: each rule that answers both GET and POST is either an edit
form of an existing thing (listed in EDIT_FORMS with how to fill its URL) or a form that
creates or acts (NOT_EDIT_FORMS, with the reason). A new form must be put in one of them.
For each edit form it GETs the page, posts back exactly what the form shows, as a browser
would (text areas with CR LF line ends, HTML §4.10.21.8), and compares every table of the
database, row by row, before and after: no row, sequence, version or audit entry moves.
"""

from __future__ import annotations

from datetime import time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from eventsapp.agenda import services as agenda
from eventsapp.auth.services import create_user
from eventsapp.events import editing
from eventsapp.events.services import event_starts_at
from eventsapp.extensions import db
from eventsapp.letters import services as letters
from eventsapp.messages import reminders
from eventsapp.messages import services as messages
from eventsapp.messages.recipients import Criteria
from eventsapp.models import AgendaItem, Deliverable, Event
from eventsapp.questions import services as questions
from eventsapp.registration.validation import clean_registration
from eventsapp.reports.services import update_deliverable
from tests.auth.fixtures import PASSWORD, sign_in
from tests.support import table_checksums

# endpoint → why it is not an edit form of an existing thing
NOT_EDIT_FORMS = {
    "admin.event_new": "creates an event",
    "admin.event_clone": "creates an event from another",
    "admin.event_cancel": "an action (confirm cancelling)",
    "admin_users.users": "creates an account (invites); the page edits no account",
    "admin_users.deactivate": "an action (confirm deactivating)",
    "admin_registrations.cancel": "an action (confirm cancelling)",
    "registration.cancel": "an action (confirm cancelling)",
    "agenda.delete_item": "an action (confirm deleting)",
    "auth.forgot_password": "an action (asks for a one-time link)",
    "auth.set_password": "an action (a new password from a one-time link)",
    "documents_admin.documents": "uploads a paper",
    "documents_admin.document": "a paper's details and its next revision: an upload form, "
                                "checked in tests/documents",
    "agenda.new_item": "creates an agenda item",
    "auth.login": "signs in",
    "auth.login_mfa": "signs in: the second step",
    "auth.mfa_setup": "sets up a second factor; shows no stored value",
    "auth.change_password": "an action (a new password), shows no stored value",
    "badges.batch_pdf": "prints badges",
    "badges.one_pdf": "prints a badge",
    "checkin.desk": "checks people in",
    "registration.register": "creates a registration",
    "registration.register_delegation": "creates registrations",
    "registration.new_link": "an action (a new private link)",
    "accreditation.substitute": "creates a substitute's registration in place of another",
    "accreditation.head_substitute": "creates a substitute's registration in place of another",
    "invitations.respond": "registers, or declines, by invitation",
    "messages.compose_event": "creates a draft message",
    "messages.compose_year": "creates a draft message",
    "messages.new_reminder": "creates a reminder rule",
    "my.start": "an action (asks for a sign-in link to My meetings)",
    "my.sign_in": "an action (uses a one-time sign-in link)",
    "mail_templates.reset": "an action (confirm going back to the default wording)",
    "questions.remove_question": "an action (confirm removing)",
}
EDIT_FORMS = {"admin.event_edit", "agenda.edit_item", "admin_registrations.registration",
              "registration.edit", "reports.edit_deliverable", "admin_users.edit",
              "documents_admin.settings", "privacy.edit_notice", "accreditation.settings",
              "mail_templates.edit", "messages.edit", "messages.edit_reminder",
              "questions.edit_question", "questions.edit_answers", "letters.template",
              "participation.settings"}


class Forms(HTMLParser):
    """The POST forms of a page with the values a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = []
            self.forms.append((a.get("action") or "", self._fields))
        if self._fields is None:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._fields.append((a["name"], a.get("value", "on")))
            else:
                self._fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""
        elif tag == "select":
            self._select, self._options, self._multiple = a.get("name"), [], "multiple" in a
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser's parser reads CR LF as LF and drops one newline right after
            # <textarea>; it submits line ends as CR LF.
            text = self._text.replace("\r\n", "\n").replace("\r", "\n")
            text = text[1:] if text.startswith("\n") else text
            self._fields.append((self._textarea, text.replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]
            self._fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "form":
            self._fields = None


def the_form(page: str, url: str) -> list[tuple[str, str]]:
    """The page's form that posts back to its own address (the edit form, not cancel)."""
    parser = Forms()
    parser.feed(page)
    mine = [fields for action, fields in parser.forms
            if action in ("", url) or urlsplit(action).path == urlsplit(url).path]
    assert len(mine) == 1, parser.forms
    return mine[0]


@pytest.fixture
def things(seeded):
    """Stored values of every kind an edit form shows: lists, several lines, accents."""
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        start = event.agenda_items[0].starts_at if event.agenda_items else None
        assert start is not None
        item, _ = agenda.add_item(event, agenda.ItemData(
            title="Délégations: tour de table", starts_at=start, ends_at=start.replace(
                hour=start.hour + 1), room="Salle A", chairs=["Amb. Ana Ruiz", "Dr. 李 小龍"],
            speakers=["Ms. Nguyễn Thị Minh Khai"],
            description="First line.\nSecond line, with “quotes” & <markup>."), user=None)
        agenda.publish(event, user=None)
        data = editing.EventData.of(event)
        data.description = "First paragraph.\n\nSecond paragraph: Café “Ñandú”."
        data.co_sponsors = "Chile\nPeru\nViet Nam"
        editing.edit_event(event, data, user=None)
        visa = questions.add_preset(event, "visa", user=None)
        diet = questions.add_preset(event, "dietary", user=None)[0]
        letters.save_template(event, "visa", letters.clean_template({
            "code": "CTWG15", "signatory_name": "Dr. 李 小龍", "signatory_title": "Chair",
            "body": "Dear {name},\n\nSecond paragraph: “{event}”."}), letterhead=None,
            user=None)
        answers = {visa[0].id: "yes", visa[1].id: "Chilena", visa[2].id: "P1234567",
                   visa[3].id: "2030-01-31", visa[4].id: "1980-05-06",
                   diet.id: "Vegetarian\nSin cebolla"}
        registered = questions.register(event, clean_registration({
            "given_name": "Álvaro", "family_name": "NÚÑEZ", "email": "alvaro@example.org",
            "economy": "CHL", "organisation": "Ministerio", "job_title": "Director",
            "dietary": "Vegetarian", "accessibility": "Step-free access",
            "badge_name": "Álvaro Núñez", "native_name": "", "consent_to_list": True}),
            answers, notify=False,
            now=event_starts_at(event) - timedelta(days=1))  # 2020: before it
        deliverable = db.session.scalar(select(Deliverable).order_by(Deliverable.id))
        update_deliverable(deliverable, status=deliverable.status,
                           narrative="Done.\n\nSecond paragraph.",
                           focus_area_numbers=[1], user=None)
        door = create_user("door@example.org", PASSWORD, "checkin", events=[event])
        draft = messages.save_draft(messages.Scope(event=event), messages.MessageInput(
            subject="Logistics: {event}", body="Dear {given_name},\n\nThe hotel: “Ñandú”.",
            criteria=Criteria(status=("confirmed",), economy=("CHL",))), by=door)
        rule = reminders.save_rule(event, reminders.RuleInput(
            days_before=2, local_time=time(7, 30), criteria=Criteria(status=("confirmed",)),
            subject="Soon: {event}", body="Dear {given_name},\nsee you at {venue}."), by=door)
        return {"slug": event.slug, "item_id": item.id, "reg_id": registered.registration.id,
                "token": registered.token, "year": 2020, "number": deliverable.number,
                "user_id": door.id, "key": "confirmation", "message_id": draft.id,
                "rule_id": rule.id, "question_id": diet.id, "kind": "visa"}


def edit_urls(app, things) -> dict[str, str]:
    urls = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not {"GET", "POST"} <= (rule.methods or set()):
                continue
            assert rule.endpoint in EDIT_FORMS | set(NOT_EDIT_FORMS), (
                f"{rule.endpoint}: classify this form in test_edit_round_trip.py")
            if rule.endpoint in EDIT_FORMS:
                urls[rule.endpoint] = url_for(
                    rule.endpoint, **{k: things[k] for k in rule.arguments})
    assert set(urls) == EDIT_FORMS
    return urls


def test_every_edit_form_saved_unchanged_changes_nothing(seeded, things, make_user):
    client = seeded.test_client()
    assert sign_in(client, make_user("admin")).status_code == 303
    url_db = seeded.config["SQLALCHEMY_DATABASE_URI"]
    for endpoint, url in sorted(edit_urls(seeded, things).items()):
        page = client.get(url)
        assert page.status_code == 200, endpoint
        fields = the_form(page.text, url)
        before = table_checksums(url_db)
        response = client.post(url, data=_multidict(fields))
        assert response.status_code == 303, (endpoint, response.text[:3000])
        assert table_checksums(url_db) == before, (endpoint, _last_audit(seeded))


def test_agenda_item_form_shows_one_name_per_line(seeded, things, make_user):
    client = seeded.test_client()
    assert sign_in(client, make_user("admin")).status_code == 303
    fields = dict(the_form(client.get(
        f"/admin/events/ctwg-15/agenda/{things['item_id']}/edit").text,
        f"/admin/events/ctwg-15/agenda/{things['item_id']}/edit"))
    assert (fields["chairs"], fields["speakers"]) == ("Amb. Ana Ruiz\r\nDr. 李 小龍",
                                                      "Ms. Nguyễn Thị Minh Khai")
    with seeded.app_context():
        item = db.session.get(AgendaItem, things["item_id"])
        assert item.chairs == ["Amb. Ana Ruiz", "Dr. 李 小龍"]


def _last_audit(app) -> tuple | None:
    """What the save wrote to the audit log, to name the field in a failure."""
    from eventsapp.models import AuditEntry

    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        return entry and (entry.action, entry.details)


def _multidict(fields):
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)


assert PASSWORD  # the fixtures' password signs in
