"""Benchmark: a 50 MB meeting document stored in the database and downloaded through the route.

    cd /work/main && .venv/bin/python bench/documents.py [--mb 50] [--pg postgresql://…/db]

A fresh database (SQLite in a temporary folder, or the given empty PostgreSQL database)
gets an event; a PDF of the given size is written to disk, submitted through the document
service (checked by content, hashed, stored in 1 MiB chunks) and then downloaded through
GET /events/<slug>/documents/<id> with Flask's test client, reading the streamed body
chunk by chunk without keeping it. Reported: seconds, peak Python memory (tracemalloc)
of each step, the process's peak RSS, and whether the SHA-256 of what came back equals
the file's. Flat memory means the peak stays near one chunk (1 MiB), not the file size.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_pdf(path: Path, size: int) -> str:
    """A file that passes the PDF check, `size` bytes of random padding in a comment."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    h = hashlib.sha256()
    with path.open("wb") as f:
        for part in (head, None, tail):
            if part is None:
                left = size - len(head) - len(tail)
                while left:
                    block = os.urandom(min(left, 1 << 20)).replace(b"\n", b" ")
                    f.write(block)
                    h.update(block)
                    left -= len(block)
            else:
                f.write(part)
                h.update(part)
    return h.hexdigest()


def measure(step):
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--pg", help="URL of an empty PostgreSQL database")
    args = parser.parse_args()
    size = args.mb * 1000 * 1000

    from datetime import date

    from eventsapp import create_app
    from eventsapp.documents import services
    from eventsapp.extensions import db
    from eventsapp.models import Event

    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{tmp}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "SERVER_NAME": "events.test", "DOCUMENTS_MAX_FILE_BYTES": size})
        path = Path(tmp) / "big.pdf"
        expected = make_pdf(path, size)
        with app.app_context():
            db.drop_all()
            db.create_all()
            event = Event(slug="bench", title="Bench", status="published", timezone="UTC",
                          start_date=date(2030, 1, 1))
            db.session.add(event)
            db.session.commit()

            def upload():
                with path.open("rb") as stream:
                    return services.submit_document(
                        event, services.DocumentInput(title="Fifty megabytes"),
                        services.Upload(stream, "big.pdf", size)).id

            doc_id, up_s, up_peak = measure(upload)
        client = app.test_client()

        def download():
            response = client.get(f"/events/bench/documents/{doc_id}", buffered=False)
            h, n = hashlib.sha256(), 0
            for chunk in response.response:
                h.update(chunk)
                n += len(chunk)
            response.close()
            return response.status_code, n, h.hexdigest()

        (status, n, digest), down_s, down_peak = measure(download)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        backend = "postgresql" if args.pg else "sqlite"
        print(f"{backend}: {size / 1e6:.0f} MB document")
        print(f"  upload   (check, hash, store) {up_s:6.2f} s   peak Python memory "
              f"{up_peak / 1e6:6.1f} MB")
        print(f"  download (route, streamed)    {down_s:6.2f} s   peak Python memory "
              f"{down_peak / 1e6:6.1f} MB   status {status}, {n / 1e6:.0f} MB, "
              f"{'identical' if digest == expected else 'DIFFERENT'}")
        print(f"  process peak RSS {rss:.0f} MB (includes the interpreter and libraries)")
        if args.pg:
            with app.app_context():
                db.drop_all()


if __name__ == "__main__":
    main()
