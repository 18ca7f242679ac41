"""`seed --demo`: CTWG 15 carries its papers, its annotated agenda and a Chair's Summary whose
open actions appear at CTWG 16."""

from tests.documents.pdftext import pdf_text


def test_demo_seed_gives_ctwg15_its_papers_and_carries_its_open_actions_to_ctwg16(
        app, runner, client):
    result = runner.invoke(args=["seed", "--demo"])
    assert "Added 6 demo papers and the outcomes of CTWG 15." in result.output

    docs = client.get("/api/v1/events/ctwg-15/documents").json["documents"]
    assert [(d["number"], d["revision_label"], d["access"], d["late"]) for d in docs] == [
        ("2020/CTWG15/001", "", "public", False), ("2020/CTWG15/002", "rev1", "public", False),
        ("2020/CTWG15/004", "", "public", False)]
    chile = docs[2]
    assert (chile["title"], chile["economy"], chile["deliverable"], chile["agenda_item"]) == (
        "Preliminary report of the findings of the survey on Strategic Trade Management",
        "CHL", "1.8",
        "2.1 Strategic Trade Management: preliminary report of the survey findings (Chile)")
    assert client.get(chile["url"]).data.startswith(b"%PDF-")

    programme = pdf_text(client.get("/events/ctwg-15/programme.pdf").data)
    assert "2.1 Strategic Trade Management: preliminary report of the survey findings (Chile)" \
        in programme
    assert "Documents: 2020/CTWG15/004 Preliminary report of the findings" in programme

    summary = client.get("/api/v1/events/ctwg-15/outcomes").json
    assert [a["owner"] for i in summary["items"] for a in i["actions"]] == [
        "CTWG Chair (demo)", "APEC Secretariat", "Chile"]
    carried = pdf_text(client.get("/events/ctwg-15/chairs-summary.pdf").data)
    assert "Present the final report on Strategic Trade Management at CTWG 16." in carried

    # CTWG 16's page for organisers shows the two actions still open.
    from eventsapp.auth.services import create_user
    from tests.auth.fixtures import PASSWORD, sign_in

    with app.app_context():
        create_user("admin@example.org", PASSWORD, "admin")
    sign_in(client, "admin@example.org")
    page = client.get("/admin/events/ctwg-16/outcomes").get_data(as_text=True)
    assert "Open actions carried forward (2)" in page
    assert "Present the final report on Strategic Trade Management at CTWG 16." in page
    listing = client.get("/admin/events/ctwg-15/documents").get_data(as_text=True)
    assert listing.count('<strong class="late-flag">Late</strong>') == 1  # the CTAP paper

    again = runner.invoke(args=["seed", "--demo"])
    assert "The demo papers are already there; nothing changed." in again.output
