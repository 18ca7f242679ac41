"""Badge pages and PDFs through the app's routes, read back as a client would."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CANCELLED, WAITLISTED, AuditEntry, Registration
from eventsapp.tokens import derive_feed_token, hash_token
from tests.badges.conftest import nfkc
from tests.checkin.factories import login, make_registration, make_user

A4 = (595.28, 841.89)
A6 = (297.64, 419.53)
LETTER = (612.0, 792.0)

# (given, family, badge name, native name, economy, organisation)
PEOPLE = [
    ("Zed", "Adams", "", "", "USA", ""),
    ("Bob", "Young", "", "", "AUS", ""),
    ("Amy", "Brown", "", "", "AUS", ""),
    ("Carl", "Doe", "", "", None, "Interpol"),
    ("Ana", "Ávila", "", "", None, "ASEAN Secretariat"),
    ("An", "Nguyễn Văn", "Nguyễn Văn An", "", "VN", ""),
    ("Xiaolong", "Li", "", "李小龍", "PRC", ""),
    ("Taro", "Takahashi", "髙橋太郎", "", "JPN", ""),
    ("Minjun", "Kim", "김민준", "", "ROK", ""),
    ("Somchai", "Jaidee", "สมชาย ใจดี", "", "THA", ""),
    ("Ivan", "Petrov", "Иван Петров", "", "RUS", ""),
    ("José", "Núñez", "José Ñúñez", "", "MEX", ""),
]
# APEC order: AUS (Brown, Young), PRC, JPN, ROK, MEX, RUS, THA, USA, VN, then organisations.
EXPECTED_ORDER = [
    "Amy Brown", "Bob Young", "Xiaolong Li", "髙橋太郎", "김민준", "José Ñúñez", "Иван Петров",
    "สมชาย ใจดี", "Zed Adams", "Nguyễn Văn An", "Ana Ávila", "Carl Doe",
]


@pytest.fixture
def event(make_event):
    return make_event(slug="ctwg-15", title="15th CTWG Meeting", timezone="Asia/Kuala_Lumpur",
                      start_date=date(2020, 2, 10), end_date=date(2020, 2, 11))


@pytest.fixture
def people(app, event):
    """Registration id → (management token, check-in code), in insertion order."""
    out = {}
    for given, family, badge, native, economy, org in PEOPLE:
        reg_id, token, code = make_registration(app, event, given, family, badge_name=badge,
                                                native_name=native, economy=economy,
                                                organisation=org)
        out[reg_id] = (token, code)
    return out


@pytest.fixture
def organiser(app, client, event):
    login(app, client, make_user(app, "organiser", (event,)))
    return client


def page_texts(probe, pdf: bytes) -> list[str]:
    return [nfkc(t) for t in probe.text(pdf).split("\f")[:-1]]


def printed_at(app) -> dict[int, object]:
    with app.app_context():
        rows = db.session.execute(select(Registration.id, Registration.badge_printed_at))
        return dict(rows.all())


def audit_actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]


def test_batch_pdf_is_in_apec_order_then_organisations_then_family_name(probe, organiser, people):
    response = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    texts = page_texts(probe, response.data)
    assert len(texts) == len(PEOPLE)
    for text, name in zip(texts, EXPECTED_ORDER, strict=True):
        assert nfkc(name) in text.replace("\n", " "), (name, text)


def test_names_in_every_script_extract_as_text_without_tofu(probe, organiser, people):
    pdf = organiser.get("/admin/events/ctwg-15/badges.pdf").data
    text = nfkc(probe.text(pdf)).replace("\n", " ")

    for name in [*EXPECTED_ORDER, "李小龍", "Viet Nam", "Republic of Korea", "Interpol"]:
        assert nfkc(name) in text, name
    assert "\u25a0" not in text and "\x00" not in text and "\ufffd" not in text


def test_every_font_is_embedded(probe, organiser, people):
    fonts = probe.fonts(organiser.get("/admin/events/ctwg-15/badges.pdf").data)
    assert len(fonts) >= 4
    assert {emb for _, emb in fonts} == {"yes"}


@pytest.mark.parametrize(("layout", "size", "pages"), [
    ("a6", A6, 12), ("a6x4", A4, 3), ("letter-4x3", LETTER, 2), ("letter-4x6", LETTER, 6),
    ("avery-l7169", A4, 3), ("a6-labels", A4, 3),
])
def test_page_size_and_count_per_layout(organiser, people, layout, size, pages):
    reader = PdfReader(io.BytesIO(
        organiser.get(f"/admin/events/ctwg-15/badges.pdf?layout={layout}").data))
    assert len(reader.pages) == pages
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == size
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"] == "/None"


def test_qr_codes_carry_the_checkin_code_in_badge_order_and_never_a_secret(app, probe,
                                                                           organiser, people):
    decoded = probe.qr_codes(organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6x4").data)

    with app.app_context():
        regs = sorted(db.session.scalars(select(Registration)),
                      key=lambda r: EXPECTED_ORDER.index(r.display_name))
        codes = [r.checkin_code for r in regs]
    # Four badges per sheet in printing order (the probe sorts the codes of a page).
    assert decoded == [sorted(codes[0:4]), sorted(codes[4:8]), sorted(codes[8:12])]
    secrets_ = [s for token, _ in people.values()
                for s in (token, hash_token(token), derive_feed_token(token, 1))]
    payloads = [text for page in decoded for text in page]
    assert [p for p in payloads if any(s in p or p in s for s in secrets_)] == []


def test_only_confirmed_registrations_get_badges(app, probe, organiser, event, people):
    make_registration(app, event, "Wait", "Listed", status=WAITLISTED)
    make_registration(app, event, "Gone", "Away", status=CANCELLED)
    pdf = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6").data
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(PEOPLE)
    assert "Listed" not in probe.text(pdf) and "Away" not in probe.text(pdf)


def ids_of(app, event_id=None) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Registration.id).order_by(Registration.id)))


def test_preview_records_nothing_however_often(app, organiser, people):
    for query in ("", "?layout=a6", "?not_printed=1", "?layout=letter-4x3&double_sided=1"):
        assert organiser.get(f"/admin/events/ctwg-15/badges.pdf{query}").status_code == 200

    assert set(printed_at(app).values()) == {None}
    assert audit_actions(app) == []


def test_post_to_the_pdf_is_not_a_way_to_mark(organiser, people):
    assert organiser.post("/admin/events/ctwg-15/badges.pdf").status_code == 405


def test_mark_printed_records_the_listed_badges_with_one_audit_entry(app, organiser, people):
    ids = ids_of(app)

    response = organiser.post("/admin/events/ctwg-15/badges/printed",
                              data={"layout": "a6x4", "not_printed": "1",
                                    "ids": " ".join(map(str, ids))})

    assert response.status_code == 303
    assert response.headers["Location"] == (
        "/admin/events/ctwg-15/badges?layout=a6x4&not_printed=1#print-heading")
    assert None not in printed_at(app).values()
    assert audit_actions(app) == [("badges_printed", {
        "count": 12, "layout": "a6x4", "category": "", "not_printed": True,
        "double_sided": False})]
    page = organiser.get(response.headers["Location"]).text
    assert "Marked 12 badges as printed." in page
    assert "No confirmed registration matches these choices" in page


def test_mark_printed_leaves_out_who_registered_after_the_preview_and_who_cancelled(
        app, organiser, event, people):
    listed = ids_of(app)
    late_id, _, _ = make_registration(app, event, "Late", "Comer", economy="NZ")
    with app.app_context():
        gone = db.session.get(Registration, listed[0])
        gone.status = CANCELLED
        db.session.commit()

    response = organiser.post("/admin/events/ctwg-15/badges/printed",
                              data={"ids": ",".join(map(str, listed)), "not_printed": "1"},
                              follow_redirects=True)

    marked = printed_at(app)
    assert sorted(i for i, at in marked.items() if at is not None) == sorted(listed[1:])
    assert marked[late_id] is None and marked[listed[0]] is None
    assert "Marked 11 badges as printed. 1 was left out: no longer confirmed." in response.text
    # The newcomer is still in "only badges not printed yet".
    only_new = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6&not_printed=1")
    assert len(PdfReader(io.BytesIO(only_new.data)).pages) == 1


def test_ids_of_another_event_are_not_marked(app, organiser, make_event, people):
    other = make_event(slug="other")
    other_id, _, _ = make_registration(app, other, "Other", "Person")
    organiser.post("/admin/events/ctwg-15/badges/printed", data={"ids": str(other_id)})
    assert printed_at(app)[other_id] is None
    assert audit_actions(app) == []


@pytest.mark.parametrize("ids", ["", "abc", "1 2 x", "1;DROP", "9" * 40])
def test_mark_printed_with_a_bad_list_is_400_and_marks_nothing(app, organiser, people, ids):
    response = organiser.post("/admin/events/ctwg-15/badges/printed", data={"ids": ids})
    assert response.status_code == 400
    assert "The list of badges to mark was not understood" in response.text
    assert set(printed_at(app).values()) == {None}


def test_badge_page_lists_the_selection_with_preview_link_and_mark_button(app, organiser,
                                                                         people):
    page = organiser.get("/admin/events/ctwg-15/badges?layout=letter-4x3&double_sided=1").text

    assert ("<strong>12 badges</strong> on 2 sheets, printed on both sides: 6 on US Letter, "
            "4 × 3 in inserts (Avery 5392 and compatible), with cut lines.") in page
    assert ('href="/admin/events/ctwg-15/badges.pdf?layout=letter-4x3&amp;double_sided=1"'
            in page)
    ids = re.search(r'name="ids" value="([0-9 ]+)"', page).group(1)
    assert sorted(map(int, ids.split())) == ids_of(app)
    assert "Mark these 12 as printed" in page


def test_double_sided_pdf_has_each_sheet_twice(organiser, people):
    one = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6x4")
    two = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6x4&double_sided=1")
    assert len(PdfReader(io.BytesIO(one.data)).pages) == 3
    assert len(PdfReader(io.BytesIO(two.data)).pages) == 6


def test_double_sided_labels_are_refused_with_a_message(organiser, people):
    response = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=avery-l7169&double_sided=1")
    assert response.status_code == 400
    assert "are labels: they have no back to print on" in response.text


def test_not_printed_and_category_filters(app, organiser, event, people):
    speaker_id, _, _ = make_registration(app, event, "Sam", "Speaker", category="speaker")
    organiser.post("/admin/events/ctwg-15/badges/printed",
                   data={"layout": "a6", "ids": " ".join(map(str, ids_of(app)))})
    new_id, _, _ = make_registration(app, event, "Late", "Comer", economy="NZ")

    only_new = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6&not_printed=1")
    speakers = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=a6&category=speaker")
    none_left = organiser.get("/admin/events/ctwg-15/badges.pdf?category=speaker&not_printed=1")

    assert len(PdfReader(io.BytesIO(only_new.data)).pages) == 1
    assert len(PdfReader(io.BytesIO(speakers.data)).pages) == 1
    assert none_left.status_code == 404
    assert "there is no badge to print" in none_left.text


@pytest.mark.parametrize(("query", "message"), [
    ("layout=a5", "Unknown sheet layout. Choose one of: a6, a6x4, letter-4x3, letter-4x6, "
                  "avery-l7169, a6-labels."),
    ("category=vip", "Unknown category. Choose one of: delegate, head_of_delegation, speaker, "
                     "observer, secretariat, media."),
])
def test_bad_choices_are_400_with_a_message(organiser, people, query, message):
    response = organiser.get(f"/admin/events/ctwg-15/badges.pdf?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_content_disposition_filename_is_safe(app, organiser, event):
    reg_id, _, _ = make_registration(app, event, 'Evil"\r\nX-Bad: 1', "Name")
    one = organiser.get(f"/admin/registrations/{reg_id}/badge.pdf")
    batch = organiser.get("/admin/events/ctwg-15/badges.pdf?layout=letter-4x3")
    assert one.headers["Content-Disposition"] == (
        f"attachment; filename=badge-ctwg-15-{reg_id}.pdf")
    assert batch.headers["Content-Disposition"] == (
        "attachment; filename=badges-ctwg-15-all-letter-4x3.pdf")
    assert "X-Bad" not in one.headers


def test_single_badge_print_then_reprint_is_logged(app, probe, organiser, people):
    reg_id = next(iter(people))
    first = organiser.post(f"/admin/registrations/{reg_id}/badge.pdf")
    again = organiser.post(f"/admin/registrations/{reg_id}/badge.pdf", data={"layout": "a6x4"})

    assert PdfReader(io.BytesIO(first.data)).pages[0].mediabox.height == pytest.approx(A6[1], 0.01)
    assert "Zed Adams" in probe.text(again.data)
    assert printed_at(app)[reg_id] is not None
    assert [a for a, _ in audit_actions(app)] == ["badge_printed", "badge_reprinted"]
    assert audit_actions(app)[1][1] == {"layout": "a6x4"}


def test_single_badge_of_a_waitlisted_registration_is_refused(app, organiser, event):
    reg_id, _, _ = make_registration(app, event, "Wait", "Listed", status=WAITLISTED)
    response = organiser.post(f"/admin/registrations/{reg_id}/badge.pdf")
    assert response.status_code == 409
    assert "only confirmed registrations get a badge" in response.text
    assert printed_at(app)[reg_id] is None


def test_badge_page_lists_printed_and_warns_about_uncovered_scripts(app, organiser, event,
                                                                     people):
    reg_id = next(iter(people))
    organiser.post(f"/admin/registrations/{reg_id}/badge.pdf")
    make_registration(app, event, "Taro", "Yoshino", native_name="\U00030000野太郎")

    response = organiser.get("/admin/events/ctwg-15/badges")

    assert response.status_code == 200
    text = response.text
    assert "13 confirmed · 1 printed · 12 not printed yet" in text
    assert "Print at 100% (“actual size”)" in text
    warnings = re.search(r'<section class="notice notice-warning".*?</section>', text,
                         re.S).group(0)
    assert re.findall(r"<li>(.*?)</li>", warnings) == ["Taro Yoshino: \U00030000"]
    assert text.count("Not printed</td>") == 12
    assert text.count(">Mark printed<") == 12  # one per badge not printed yet
    assert text.count(">Preview<") == 13


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/admin/events/ctwg-15/badges", "/admin/events/ctwg-15/badges.pdf",
    "/admin/registrations/{reg}/badge.pdf",
])
def test_anonymous_is_sent_to_sign_in(client, people, path):
    response = client.get(path.format(reg=next(iter(people))))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("role", "own_event", "expected"), [
    ("checkin", True, 403), ("organiser", False, 403), ("organiser", True, 200),
    ("admin", False, 200),
])
@pytest.mark.parametrize("path", [
    "/admin/events/ctwg-15/badges", "/admin/events/ctwg-15/badges.pdf",
])
def test_access_matrix(app, client, make_event, event, people, role, own_event, expected, path):
    other = make_event(slug="other")
    login(app, client, make_user(app, role, (event if own_event else other,)))
    assert client.get(path.format(reg=next(iter(people)))).status_code == expected


@pytest.mark.parametrize(("role", "own_event", "expected"), [
    ("checkin", True, 200), ("checkin", False, 403), ("organiser", False, 403),
    ("organiser", True, 200), ("admin", False, 200),
])
def test_one_badge_is_for_the_event_s_organisers_and_its_door_staff(app, client, make_event,
                                                                   event, people, role,
                                                                   own_event, expected):
    other = make_event(slug="other")
    login(app, client, make_user(app, role, (event if own_event else other,)))
    assert client.get(f"/admin/registrations/{next(iter(people))}/badge.pdf").status_code == (
        expected)


@pytest.mark.parametrize(("role", "expected"), [("checkin", 403), ("organiser", 303)])
def test_only_organisers_mark_badges_printed(app, client, event, people, role, expected):
    login(app, client, make_user(app, role, (event,)))
    response = client.post("/admin/events/ctwg-15/badges/printed",
                           data={"ids": str(next(iter(people)))})
    assert response.status_code == expected


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_is_400_and_marks_nothing(app, organiser, people):
    response = organiser.post("/admin/events/ctwg-15/badges/printed",
                              data={"layout": "a6", "ids": " ".join(map(str, people))})
    assert response.status_code == 400
    assert set(printed_at(app).values()) == {None}


def test_a_badge_pdf_that_takes_too_long_is_stopped_with_a_clean_503(app, organiser, people):
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.0001
    reg_id = next(iter(people))
    response = organiser.post(f"/admin/registrations/{reg_id}/badge.pdf")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "2")
    assert "took longer than 0.0001 seconds to make" in response.get_data(as_text=True)
    assert set(printed_at(app).values()) == {None}  # nothing recorded as printed
    assert organiser.get("/admin/events/ctwg-15/badges.pdf").status_code == 503
    app.config["PDF_TIME_LIMIT_SECONDS"] = 10
    assert organiser.get("/admin/events/ctwg-15/badges.pdf").status_code == 200
