"""Participation tests: hybrid events, real accounts, service calls in an app context."""

from __future__ import annotations

import pytest

from tests.accreditation.conftest import make_staff, user  # noqa: F401
from tests.auth.fixtures import PASSWORD, make_user, sign_in  # noqa: F401
from tests.registration.conftest import ctx, event, outbox, person, statuses  # noqa: F401

LINK = "https://meet.example.net/j/7731-secret-room?pwd=Zq8"


@pytest.fixture
def make_hybrid(make_event):
    """A published hybrid event (caps per mode), with a meeting link; returns its id."""

    def make(in_person: int | None = 2, online: int | None = 2, **overrides) -> int:
        caps = (in_person, online)
        return make_event(participation_mode="hybrid", capacity_in_person=in_person,
                          capacity_online=online,
                          capacity=None if None in caps else sum(caps),
                          online_url=LINK, online_details="Passcode 4417", **overrides)

    return make


# After LINK: that module imports it from here.
from .test_online_link import hybrid_ctwg16  # noqa: E402, F401  (test_online_everywhere uses it)
