"""Placeholders: the names a template may use, refused tricks, filling without str.format."""

import pytest

from eventsapp.messages.placeholders import NAMES, TemplateProblem, check, fill, one_line


def test_check_returns_the_names_used():
    assert check("Dear {given_name} {family_name}, see {event_url}") == {
        "given_name", "family_name", "event_url"}


def test_doubled_braces_are_literal_braces():
    assert fill("{{given_name}} is {given_name}", {"given_name": "Ana"}) == \
        "{given_name} is Ana"


@pytest.mark.parametrize(("template", "named"), [
    ("{given_name.__class__}", "{given_name.__class__}"),
    ("{given_name.__class__.__init__.__globals__}", "{given_name.__class__.__init__.__globals__}"),
    ("{given_name[0]}", "{given_name[0]}"),
    ("{0}", "{0}"),
    ("{}", "{}"),
    ("{given_name!r}", "{given_name!r}"),
    ("{given_name:>99999}", "{given_name:>99999}"),
    ("{x:>99999}", "{x:>99999}"),
    ("{passport_number}", "{passport_number}"),
])
def test_tricks_and_unknown_names_are_refused_naming_the_placeholder(template, named):
    with pytest.raises(TemplateProblem) as refused:
        check("Dear " + template, "The message")
    assert named in str(refused.value)
    assert str(refused.value).startswith("The message")


@pytest.mark.parametrize("template", ["Dear {given_name", "Dear given_name}", "{"])
def test_a_lone_brace_is_refused_with_how_to_write_one(template):
    with pytest.raises(TemplateProblem) as refused:
        check(template)
    assert "write {{ or }}" in str(refused.value)


def test_fill_never_formats_values():
    # A value that looks like a template stays as it is: values are not parsed again.
    assert fill("Hi {given_name}", {"given_name": "{family_name!r:>9}"}) == \
        "Hi {family_name!r:>9}"


def test_every_documented_placeholder_is_accepted():
    assert check(" ".join("{" + n + "}" for n in sorted(NAMES))) == NAMES


def test_one_line_removes_line_breaks_and_controls():
    assert one_line("Ana\r\nBcc: x@example.org\u2028y\x00") == "Ana Bcc: x@example.org y"
