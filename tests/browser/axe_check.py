"""The one accessibility check of the browser tests: axe-core's WCAG 2.0-2.2 A and AA rules."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}


def assert_no_axe_violations(page) -> None:
    """Fail with axe's report when the page as rendered breaks a rule.

    Axe measures what is laid out (target sizes, contrast): after a click the new page's
    DOM can be there before its stylesheets apply on a busy machine, so the load event is
    awaited first.
    """
    page.wait_for_load_state("load")
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, result.generate_report()
