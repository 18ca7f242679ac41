"""Placeholders in organisers' subjects and bodies: checked when saved, filled when sent.

A template is parsed with `string.Formatter().parse` and filled by joining its literal text
with the values of the names it uses; `str.format` never sees a user's template, so
`{given_name.__class__}`, `{0}`, `{given_name!r}` or `{x:>99999}` can reach no attribute,
argument, conversion or padding: `check` refuses them with a message naming the placeholder.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str


# What a template may use; messages/services.py: placeholder_values gives each value.
PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("given_name", "given name"),
    Placeholder("family_name", "family name"),
    Placeholder("full_name", "given and family name"),
    Placeholder("badge_name", "name as printed on the badge"),
    Placeholder("economy", "economy (its name), or empty"),
    Placeholder("organisation", "organisation"),
    Placeholder("category", "category, e.g. Delegate"),
    Placeholder("status", "registration status, e.g. confirmed"),
    Placeholder("event", "the event's title"),
    Placeholder("dates", "the event's dates"),
    Placeholder("venue", "the venue and city"),
    Placeholder("event_url", "the event's public page"),
    Placeholder("manage_url", "the page where the person asks for their private link "
                              "(mailed to them again; existing links keep working)"),
    Placeholder("calendar_url", "the event's calendar feed (public)"),
)
NAMES = frozenset(p.name for p in PLACEHOLDERS)


class TemplateProblem(ValueError):
    """A template cannot be used; the message names the bad placeholder."""


def check(template: str, what: str = "The body") -> frozenset[str]:
    """The placeholder names `template` uses.

    :raises TemplateProblem: a lone brace, an unknown name, a field with attribute or index
        access, a positional field, a conversion (`!r`) or a format (`:>9`).
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateProblem(
            f"{what} has a lone {{ or }} ({exc}); write {{{{ or }}}} for a brace itself, "
            "or a placeholder such as {given_name}.") from None
    used: set[str] = set()
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + \
            (f":{spec}" if spec else "") + "}"
        if field == "" or field.isdigit():
            raise TemplateProblem(f"{what}: {shown} is not a placeholder; use a name such as "
                                  "{given_name}.")
        if not field.isidentifier():
            raise TemplateProblem(f"{what}: {shown} is not allowed; placeholders are plain "
                                  "names such as {given_name}, without dots or brackets.")
        if conversion is not None or spec:
            raise TemplateProblem(f"{what}: {shown} is not allowed; write {{{field}}} "
                                  "without ! or : after the name.")
        if field not in NAMES:
            raise TemplateProblem(f"{what}: unknown placeholder {shown}. Use one of: "
                                  + ", ".join("{" + n + "}" for n in sorted(NAMES)) + ".")
        used.add(field)
    return frozenset(used)


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with each placeholder replaced by its value (`check` it first).

    :raises TemplateProblem: as `check`; KeyError never (unknown names are refused).
    """
    check(template)
    out: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)


def one_line(text: str) -> str:
    """A header value: every run of whitespace (line breaks included) made one space, so
    a name or a subject cannot start a header of its own."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
