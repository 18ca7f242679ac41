"""How the browser tests wait: on what the next page shows, never on the clock.

A click or a submit returns once the browser has dispatched it, not once the next page is
there. So a test asserts with Playwright's web-first assertions (`expect(...)`), which retry
until the condition holds or the deadline passes, and a form that answers at the same URL is
awaited by its flash or error text (a URL that does not change proves nothing).
"""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Locator, Page, expect

# One deadline for every locator action, navigation and `expect`: generous, because on a
# loaded 2-core CI machine (several pytest workers, each with Chromium and a live server)
# a page can take seconds to come; a passing test never waits for it, only a failing one.
DEADLINE_MS = 30_000


def set_deadline(target: Page | BrowserContext) -> None:
    """Give a page, or every page of a context, the deadline (for contexts a test makes)."""
    target.set_default_timeout(DEADLINE_MS)
    target.set_default_navigation_timeout(DEADLINE_MS)


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def expect_h1(page: Page, text: str | re.Pattern) -> None:
    """Wait until the page's heading is `text` (a whole match; a pattern is searched)."""
    expect(h1(page)).to_have_text(text, use_inner_text=True)


def expect_flash(page: Page, text: str) -> None:
    """Wait until the flash messages say `text` (among whatever else they say)."""
    expect(page.locator(".flashes")).to_contain_text(text, use_inner_text=True)
