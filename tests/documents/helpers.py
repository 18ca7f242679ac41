"""Uploading through the organiser's form and the API, and counting what is stored."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import Document, DocumentChunk, DocumentRevision


def form_upload(client, slug: str, data: bytes, name: str = "paper.pdf", *,
                title: str = "A paper", access: str = "public", item: int | str = "",
                deliverable: str = "", economy: str = "", organisation: str = "",
                language: str = "en"):
    return client.post(f"/admin/events/{slug}/documents", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "title": title, "access": access,
                             "agenda_item": str(item), "deliverable": deliverable,
                             "economy": economy, "organisation": organisation,
                             "language": language})


def api_upload(client, slug: str, token: str, data: bytes, name: str = "paper.pdf", **fields):
    body = {"file": (io.BytesIO(data), name), "title": "A paper", "access": "public", **fields}
    return client.post(f"/api/v1/events/{slug}/documents", data=body,
                       content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {token}"})


def stored(app) -> tuple[int, int, int]:
    """(documents, revisions, chunks) in the database."""
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (Document, DocumentRevision, DocumentChunk))
