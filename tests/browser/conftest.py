"""Every browser test waits with one deadline (tests/browser/waits.py): Playwright's
`expect` and every page of the `context` fixture (and so the `page` fixture) get it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.waits import DEADLINE_MS, set_deadline


@pytest.fixture(scope="session", autouse=True)
def expect_deadline():
    expect.set_options(timeout=DEADLINE_MS)


@pytest.fixture
def context(context):
    set_deadline(context)
    return context
