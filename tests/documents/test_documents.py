"""Documents: numbers, revisions, bytes through every route, access per visitor, downloads."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.documents import files
from tests.documents.helpers import api_upload, form_upload, stored


def numbers_listed(html: str) -> list[str]:
    return re.findall(r'<span class="doc-number">([^<]+)</span>', html)


def test_uploads_are_numbered_by_the_scheme_and_revisions_keep_the_number(
        app, meeting, signed_in):
    admin = signed_in(meeting.admin)
    for title in ("Agenda", "Work plan"):
        assert form_upload(admin, "ctwg-99", files.pdf_bytes(title), title=title).status_code \
            == 303
    page = admin.get("/admin/events/ctwg-99/documents").get_data(as_text=True)
    assert numbers_listed(page)[1:] == ["2030/CTWG99/001", "2030/CTWG99/002"]

    revised = files.pdf_bytes("Agenda, revised")
    response = admin.post("/admin/events/ctwg-99/documents/1/revisions",
                          data={"file": (__import__("io").BytesIO(revised), "agenda.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    listing = admin.get("/events/ctwg-99/documents").get_data(as_text=True)
    assert '<span class="doc-number">2030/CTWG99/001</span> <span class="doc-rev">rev1</span>' \
        in listing
    assert admin.get("/events/ctwg-99/documents/1").data == revised
    assert admin.get("/events/ctwg-99/documents/1/revisions/0").data == \
        files.pdf_bytes("Agenda")
    assert admin.get("/events/ctwg-99/documents/1/revisions/1").data == revised

    response = admin.post("/admin/events/ctwg-99/documents/settings", data={
        "event_code": "CTWG-99", "number_scheme": "{year}/{event_code}/{seq:04d}",
        "deadline": ""})
    assert response.status_code == 303
    form_upload(admin, "ctwg-99", files.pdf_bytes("Third"), title="Third")
    page = admin.get("/admin/events/ctwg-99/documents").get_data(as_text=True)
    # Numbers given earlier never change; the new scheme numbers what comes next.
    assert numbers_listed(page)[1:] == ["2030/CTWG99/001", "2030/CTWG99/002",
                                        "2030/CTWG-99/0003"]


@pytest.mark.parametrize("scheme, message", [
    ("{year}/{event_code}", "The scheme must contain {seq}"),
    ("{seq.__class__}", "{seq.__class__} is not a field"),
    ("{year}/{seq:>10}", "takes no format here"),
    ("{year}/<b>{seq}", "Outside the {fields}, use only"),
    ("{seq", "unmatched { or }"),
])
def test_numbering_schemes_that_could_break_are_refused(meeting, signed_in, scheme, message):
    admin = signed_in(meeting.admin)
    response = admin.post("/admin/events/ctwg-99/documents/settings",
                          data={"event_code": "", "number_scheme": scheme, "deadline": ""})
    assert response.status_code == 422
    assert message in unquote(response.get_data(as_text=True)).replace("&lt;", "<")


def test_bytes_come_back_identical_through_every_route(app, client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    pdf, docx = files.pdf_bytes("Chile", pages=40), files.docx_bytes()
    form_upload(admin, "ctwg-99", pdf, title="Preliminary report", access="participants")
    created = api_upload(client, "ctwg-99", meeting.api_token, docx, "annex.docx",
                         title="Annex", access="public")
    assert created.status_code == 201
    assert (created.json["number"], created.json["revision"]) == ("2030/CTWG99/002", 0)

    routes = {
        "staff download": (admin, "/events/ctwg-99/documents/1", pdf),
        "staff revision": (admin, "/events/ctwg-99/documents/1/revisions/0", pdf),
        "participant link": (client, f"/registrations/{meeting.confirmed}/documents/1", pdf),
        "public download": (client, "/events/ctwg-99/documents/2", docx),
        "API url": (client, created.json["url"].replace("http://events.test", ""), docx),
    }
    for name, (who, path, expected) in routes.items():
        response = who.get(path)
        assert (name, response.status_code, response.data) == (name, 200, expected)
    # …and in pieces, through Range requests.
    pieces = [client.get(f"/registrations/{meeting.confirmed}/documents/1",
                         headers={"Range": f"bytes={start}-{start + 999}"}).data
              for start in range(0, len(pdf), 1000)]
    assert b"".join(pieces) == pdf


DOCS = [("Public paper", "public"), ("Participants' paper", "participants"),
        ("Staff paper", "staff")]
# Which of the three documents each visitor may open (and sees listed).
VISITORS = {
    "anonymous": ("public",),
    "confirmed link": ("public", "participants"),
    "waitlisted link": ("public",),
    "cancelled link": ("public",),
    "check-in staff": ("public",),
    "organiser of another event": ("public",),
    "organiser of this event": ("public", "participants", "staff"),
    "admin": ("public", "participants", "staff"),
}


@pytest.mark.parametrize("visitor", list(VISITORS))
def test_each_visitor_sees_and_opens_only_what_their_access_allows(
        app, client, meeting, signed_in, visitor):
    admin = signed_in(meeting.admin)
    for title, access in DOCS:
        assert form_upload(admin, "ctwg-99", files.pdf_bytes(title), title=title,
                           access=access).status_code == 303
    tokens = {"confirmed link": meeting.confirmed, "waitlisted link": meeting.waitlisted,
              "cancelled link": meeting.cancelled}
    emails = {"check-in staff": meeting.checkin, "organiser of another event":
              meeting.other_organiser, "organiser of this event": meeting.organiser,
              "admin": meeting.admin}
    who = signed_in(emails[visitor]) if visitor in emails else client
    if visitor in tokens:
        list_path = f"/registrations/{tokens[visitor]}/documents"
        path = f"/registrations/{tokens[visitor]}/documents/{{}}"
        api_path = f"/api/v1/registrations/{tokens[visitor]}/documents"
    else:
        list_path, path = "/events/ctwg-99/documents", "/events/ctwg-99/documents/{}"
        api_path = "/api/v1/events/ctwg-99/documents"
    allowed = VISITORS[visitor]
    expected_titles = [t for t, a in DOCS if a in allowed]

    page = who.get(list_path).get_data(as_text=True)
    assert [t for t, _ in DOCS if f">{t.replace(chr(39), '&#39;')}</a>" in page] == \
        expected_titles
    statuses = [who.get(path.format(n)).status_code for n in (1, 2, 3)]
    assert statuses == [200 if a in allowed else 404 for _, a in DOCS]
    # The API takes no session cookie: without a token a signed-in organiser is the public.
    api_titles = expected_titles if visitor not in emails else ["Public paper"]
    assert [d["title"] for d in who.get(api_path).json["documents"]] == api_titles
    # Earlier revisions are for staff only.
    revision = who.get("/events/ctwg-99/documents/1/revisions/0").status_code
    assert revision == (200 if "staff" in allowed else 404)


def test_the_api_lists_everything_to_a_staff_token_and_refuses_a_bad_one(
        client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    for title, access in DOCS:
        form_upload(admin, "ctwg-99", files.pdf_bytes(title), title=title, access=access)
    body = client.get("/api/v1/events/ctwg-99/documents",
                      headers={"Authorization": f"Bearer {meeting.api_token}"}).json
    assert [(d["number"], d["access"]) for d in body["documents"]] == [
        ("2030/CTWG99/001", "public"), ("2030/CTWG99/002", "participants"),
        ("2030/CTWG99/003", "staff")]
    assert [r["revision"] for r in body["documents"][0]["revisions"]] == [0]
    bad = client.get("/api/v1/events/ctwg-99/documents",
                     headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


@pytest.mark.parametrize("data, name, status, message", [
    (files.HTML, "agenda.pdf", 415, "Its content is an HTML page."),
    (files.EXE, "agenda.pdf", 415, "Its content is a Windows program."),
    (b"", "agenda.pdf", 422, "The file is empty (0 bytes)."),
    (files.pdf_bytes(), "../agenda.pdf", 422, "must not contain a path"),
    (files.pdf_bytes(), "agenda\x00.pdf", 422, "control or invisible characters"),
    (files.pdf_bytes(), "agenda\u202efdp.exe", 422, "direction control character"),
    (files.pdf_bytes()[:-300], "agenda.pdf", 422, "The PDF is incomplete"),
    (files.zip_bomb(), "agenda.docx", 422, "possible zip bomb"),
])
def test_bad_uploads_are_refused_and_store_nothing(app, client, meeting, signed_in, data,
                                                   name, status, message):
    admin = signed_in(meeting.admin)
    response = form_upload(admin, "ctwg-99", data, name)
    assert response.status_code == status
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    api = api_upload(client, "ctwg-99", meeting.api_token, data, name)
    assert api.status_code == status
    assert message in api.json["errors"]["file"][0]
    assert stored(app) == (0, 0, 0)


def test_an_api_upload_names_the_fields_it_refuses(client, meeting):
    response = api_upload(client, "ctwg-99", meeting.api_token, files.pdf_bytes(), title="",
                          access="secret", agenda_item_id="999999", deliverable="9.9")
    assert response.status_code == 422
    assert sorted(response.json["errors"]) == ["access", "title"]
    response = api_upload(client, "ctwg-99", meeting.api_token, files.pdf_bytes(),
                          agenda_item_id="999999")
    assert response.json == {"errors": {"agenda_item_id": [
        "This event's agenda has no such item."]}}
    assert client.post("/api/v1/events/ctwg-99/documents").status_code == 401


def test_range_and_conditional_requests(client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    data = files.pdf_bytes("Ranges", pages=30)
    form_upload(admin, "ctwg-99", data)
    url, size = "/events/ctwg-99/documents/1", len(data)

    full = client.get(url)
    etag = full.headers["ETag"]
    assert (full.status_code, full.headers["Accept-Ranges"], full.content_length) == (
        200, "bytes", size)
    cases = {
        "bytes=0-99": (206, data[:100], f"bytes 0-99/{size}"),
        "bytes=-100": (206, data[-100:], f"bytes {size - 100}-{size - 1}/{size}"),
        f"bytes={size - 10}-": (206, data[-10:], f"bytes {size - 10}-{size - 1}/{size}"),
        f"bytes=100-{size * 2}": (206, data[100:], f"bytes 100-{size - 1}/{size}"),
        "bytes=0-9,20-29": (200, data, None),  # several ranges: the whole file
        "items=0-9": (200, data, None),
    }
    for header, (status, body, content_range) in cases.items():
        response = client.get(url, headers={"Range": header})
        assert (header, response.status_code, response.data,
                response.headers.get("Content-Range")) == (header, status, body, content_range)
    unsatisfiable = client.get(url, headers={"Range": f"bytes={size}-"})
    assert (unsatisfiable.status_code, unsatisfiable.headers["Content-Range"]) == (
        416, f"bytes */{size}")
    # A Range on a stale copy (If-Range names another version) gets the whole file.
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"0000"'})
    assert (stale.status_code, stale.data) == (200, data)
    fresh = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert (fresh.status_code, fresh.data) == (206, data[:10])
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_downloads_are_attachments_that_cannot_run(client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    form_upload(admin, "ctwg-99", files.pdf_bytes(), "informe.pdf",
                title='Informe preliminar: "Gestión" del comercio/estratégico')
    response = client.get("/events/ctwg-99/documents/1")
    h = response.headers
    assert h["Content-Type"] == "application/pdf"
    assert h["Content-Disposition"] == (
        'attachment; filename="2030-CTWG99-001 Informe preliminar Gestion del comercio '
        'estrategico.pdf"; filename*=UTF-8\'\'2030-CTWG99-001%20Informe%20preliminar%20'
        'Gesti%C3%B3n%20del%20comercio%20estrat%C3%A9gico.pdf')
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    assert h["Cache-Control"] == "public, no-cache"
    form_upload(admin, "ctwg-99", files.pdf_bytes(), title="For participants",
                access="participants")
    private = client.get(f"/registrations/{meeting.confirmed}/documents/2")
    assert (private.headers["Cache-Control"], private.headers["Referrer-Policy"]) == (
        "private, no-store", "no-referrer")


def test_papers_after_the_deadline_are_flagged_late(app, meeting, signed_in):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from eventsapp.database import unit_of_work
    from eventsapp.extensions import db
    from eventsapp.models import DocumentRevision

    admin = signed_in(meeting.admin)
    form_upload(admin, "ctwg-99", files.pdf_bytes(), title="On time")
    form_upload(admin, "ctwg-99", files.pdf_bytes(), title="After the deadline")
    with app.app_context(), unit_of_work():  # the first came in 2019
        db.session.execute(update(DocumentRevision).where(DocumentRevision.document_id == 1)
                           .values(submitted_at=datetime(2019, 12, 31, tzinfo=UTC)))
    admin.post("/admin/events/ctwg-99/documents/settings", data={
        "event_code": "", "number_scheme": "", "deadline": "2020-01-01T09:00"})
    csv = admin.get("/events/ctwg-99/documents.csv").get_data(as_text=True).splitlines()
    assert [line.rsplit(",", 1)[1] for line in csv[1:]] == ["no", "yes"]
    page = admin.get("/admin/events/ctwg-99/documents").get_data(as_text=True)
    assert page.count('<strong class="late-flag">Late</strong>') == 1
    # A deadline moved later un-flags it: lateness is judged against the deadline now.
    admin.post("/admin/events/ctwg-99/documents/settings", data={
        "event_code": "", "number_scheme": "", "deadline": "2999-01-01T09:00"})
    csv = admin.get("/events/ctwg-99/documents.csv").get_data(as_text=True).splitlines()
    assert [line.rsplit(",", 1)[1] for line in csv[1:]] == ["no", "no"]
