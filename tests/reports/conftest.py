"""Fixtures for the reports: the known data set and organisers signed in through the session."""

from __future__ import annotations

import subprocess
import time

import pytest

from . import dataset


@pytest.fixture
def data(seeded) -> int:
    with seeded.app_context():
        return dataset.build()


def sign_in(client, user) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
        s["signed_in_at"] = int(time.time())


@pytest.fixture
def organiser(app, client):
    with app.app_context():
        user = dataset.make_user()
        sign_in(client, user)
        return user.id


def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler reads it, one line per layout row, spaces collapsed."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                         capture_output=True, check=True).stdout.decode()
    return "\n".join(" ".join(line.split()) for line in out.splitlines())
