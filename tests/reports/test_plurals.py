"""Singular and plural by Babel's rules wherever a count is shown (issue 14, item 12).

STAR XI in the data set has one participant, a Canadian: the place for "1 participants",
"1 are represented" and "1 from 1 economies".
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from eventsapp.i18n import ngettext

from .conftest import pdf_text


@pytest.mark.parametrize("n, expected", [(0, "0 participants"), (1, "1 participant"),
                                         (2, "2 participants"), (21, "21 participants")])
def test_ngettext_follows_the_plural_rule(n, expected):
    assert ngettext("%(num)d participant", "%(num)d participants", n) == expected


def test_year_report_says_one_economy(client, data, organiser):
    html = client.get("/admin/reports/2020").text
    assert "<dt>Registered</dt><dd>1 from 1 economy</dd>" in html
    text = unicodedata.normalize("NFKC", pdf_text(client.get("/admin/reports/2020.pdf").data))
    assert any(line.startswith("Registered: 1 from 1 economy.") for line in text.splitlines())


def test_summary_chart_says_one_is_represented(client, data, organiser):
    html = client.get("/admin/events/star-xi/summary").text
    assert ("Confirmed registrations from each of the 21 member economies; 1 is represented. "
            "The table above gives the numbers.") in html
    assert "are represented" not in html


def test_list_of_participants_pdf_says_one_participant(client, data, organiser):
    text = pdf_text(client.get("/admin/events/star-xi/participants.pdf").data)
    assert "1 registered (confirmed)." in text.splitlines()


def test_no_count_of_one_is_followed_by_a_plural_on_the_organisers_pages(client, data,
                                                                         organiser):
    for path in ("/admin/", "/admin/reports/2020", "/admin/events/star-xi/summary",
                 "/admin/events/star-xi/registrations", "/admin/events/star-xi/agenda",
                 "/events/star-xi"):
        text = re.sub(r"<[^>]+>", " ", client.get(path).text)
        wrong = re.findall(r"\b1 (?:participants|economies|places|registrations|items|"
                           r"changes|matches|people|delegates|organisations)\b|\b1 are\b", text)
        assert wrong == [], path
