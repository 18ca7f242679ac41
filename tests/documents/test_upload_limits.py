"""Uploads under load and at the edges: parallel numbering, size caps, a body cut off."""

from __future__ import annotations

import socket
import threading

from eventsapp.auth.services import create_api_token, create_user
from eventsapp.extensions import db
from eventsapp.models import Document, DocumentRevision, User
from tests.documents import files
from tests.documents.helpers import api_upload, form_upload, stored


def _parallel(app, n: int, call) -> list:
    """Run `call(i)` in n threads started together; their results in order."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _numbers(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(Document.number)))


def test_parallel_uploads_get_distinct_numbers(app, meeting):
    def upload(i: int):
        response = api_upload(app.test_client(), "ctwg-99", meeting.api_token,
                              files.pdf_bytes(f"paper {i}"), title=f"Paper {i}")
        return response.status_code, response.json.get("number")

    results = _parallel(app, 8, upload)
    assert [status for status, _ in results] == [201] * 8
    assert sorted(number for _, number in results) == [f"2030/CTWG99/{n:03d}"
                                                       for n in range(1, 9)]

    def revise(i: int):
        response = app.test_client().post(
            "/api/v1/events/ctwg-99/documents/1/revisions",
            data={"file": (__import__("io").BytesIO(files.pdf_bytes(f"rev {i}")), "p.pdf")},
            content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {meeting.api_token}"})
        return response.status_code, response.json.get("revision")

    results = _parallel(app, 4, revise)
    assert sorted(results) == [(201, 1), (201, 2), (201, 3), (201, 4)]
    with app.app_context():
        assert sorted(db.session.scalars(db.select(DocumentRevision.revision).where(
            DocumentRevision.document_id == 1))) == [0, 1, 2, 3, 4]


def test_without_the_event_lock_parallel_uploads_collide_but_never_share_a_number(
        app, meeting):
    """The negative control: with the lock off and a pause after reading the last number,
    uploads race; the unique constraint still refuses the duplicates."""
    app.config.update(TESTING_SKIP_CAPACITY_LOCK=True, TESTING_SLEEP_AFTER_CAPACITY_CHECK=0.3)

    def upload(i: int):
        return api_upload(app.test_client(), "ctwg-99", meeting.api_token,
                          files.pdf_bytes(f"paper {i}"), title=f"Paper {i}").status_code

    statuses = _parallel(app, 4, upload)
    assert statuses.count(201) < 4
    numbers = _numbers(app)
    assert len(numbers) == len(set(numbers)) == statuses.count(201)


def test_files_past_the_size_caps_are_refused_with_413(app, client, meeting, signed_in):
    app.config.update(DOCUMENTS_MAX_FILE_BYTES=100_000, DOCUMENTS_MAX_EVENT_BYTES=250_000)
    admin = signed_in(meeting.admin)
    over = form_upload(admin, "ctwg-99", files.big_pdf(100_001))
    assert over.status_code == 413
    assert "The file is 100,001 bytes; the limit is 0.1 MB (100,000 bytes) per file." in \
        over.get_data(as_text=True)
    # A body far past the cap is cut off before it is read at all.
    huge = api_upload(client, "ctwg-99", meeting.api_token, files.big_pdf(1_000_000))
    assert huge.status_code == 413
    assert stored(app) == (0, 0, 0)

    assert form_upload(admin, "ctwg-99", files.big_pdf(100_000)).status_code == 303
    assert form_upload(admin, "ctwg-99", files.big_pdf(100_000)).status_code == 303
    full = api_upload(client, "ctwg-99", meeting.api_token, files.big_pdf(60_000))
    assert full.status_code == 413
    assert full.json["errors"]["file"] == [
        "The event's documents would take more than 0.2 MB (0.2 MB are used)."]
    assert stored(app)[:2] == (2, 2)


def test_an_upload_cut_off_half_way_stores_nothing(live_server, seeded):
    with seeded.app_context():
        user = create_user("admin@example.org", "correct horse battery staple", "admin")
        token = create_api_token(db.session.get(User, user.id), "tests")
    host, port = live_server.removeprefix("http://").split(":")
    pdf = files.pdf_bytes("cut", pages=200)
    boundary = "cutoffboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nCut\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"access\"\r\n\r\npublic\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"cut.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode() + pdf + \
        f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/v1/events/ctwg-15/documents HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; "
            f"boundary={boundary}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode() + body[:len(body) // 2])
        sock.shutdown(socket.SHUT_WR)  # the client goes away half-way
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 BAD REQUEST"
    assert stored(seeded) == (0, 0, 0)
