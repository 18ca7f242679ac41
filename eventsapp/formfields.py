"""Shared pieces of Flask-WTF forms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .inputs import date_out_of_range


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateInRange:
    """Validator of every date, month and date-time field: within inputs.EARLIEST_DATE…
    LATEST_DATE, checked before the value is combined with a time or a time zone."""

    def __call__(self, form, field) -> None:
        if field.data is not None and (message := date_out_of_range(field.data)):
            raise ValidationError(message)
