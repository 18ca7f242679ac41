"""Plurals by Babel's rules, in Python and in templates: "1 participant", "2 participants".

The interface is English only; its messages go through `babel.support.NullTranslations`, whose
`ngettext` applies the catalogue's plural rule (English: one for n == 1, other otherwise). A
translated catalogue (`babel.support.Translations.load`) would bring its language's rules
(one form in Thai, Chinese, Japanese, Korean and Vietnamese; three in Russian) with no
change to the callers. Counts are formatted by the message itself with `%(num)d`, as Jinja's
i18n extension does, so a translation can place the number where its grammar needs it.
"""

from __future__ import annotations

from babel.support import NullTranslations
from flask import Flask

_translations = NullTranslations()


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """`singular` or `plural` chosen for `num`, formatted with `num` and `variables`.

    >>> ngettext("%(num)d participant", "%(num)d participants", 1)
    '1 participant'
    """
    return _translations.ngettext(singular, plural, num) % {"num": num, **variables}


def init_app(app: Flask) -> None:
    """`ngettext` in every template (Jinja's i18n extension, new style: `%(num)d` is filled
    in and the variables are escaped)."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_translations(_translations, newstyle=True)
