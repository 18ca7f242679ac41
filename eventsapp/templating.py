"""Names and filters every template may use: the labels of `labels.py` and the reference lists."""

from __future__ import annotations

from flask import Flask

from .auth.roles import can_read_audit_log, covers_every_event
from .labels import (
    date_label,
    day_label,
    day_offset_label,
    end_time_label,
    local_datetime_label,
    time_label,
    utc_offset_label,
    venue_label,
    weekday_label,
    zone_label,
)
from .mail.templates import PLACEHOLDERS
from .reference import AGENDA_KINDS, CATEGORIES, ECONOMIES, EVENT_KINDS, SECTORS


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        ECONOMIES=ECONOMIES, SECTORS=SECTORS, CATEGORIES=CATEGORIES, EVENT_KINDS=EVENT_KINDS,
        AGENDA_KINDS=AGENDA_KINDS, PLACEHOLDER_HELP=PLACEHOLDERS,
        # Who may see what is decided in auth/roles.py; templates ask, never compare roles.
        can_read_audit_log=can_read_audit_log, covers_every_event=covers_every_event,
    )
    app.jinja_env.filters.update(
        date_label=date_label, venue_label=venue_label, time_label=time_label,
        day_label=day_label, weekday_label=weekday_label, utc_offset=utc_offset_label,
        end_time_label=end_time_label, day_offset=day_offset_label, zone_label=zone_label,
        local_datetime=local_datetime_label,
        economy_name=lambda code: ECONOMIES.get(code or "", ""),
    )
