"""OpenAPI fragment: public event reads."""

from .openapi import error_response

NULLABLE_STR = {"type": ["string", "null"]}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "AgendaItem": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {"enum": ["session", "plenary", "break", "meal", "side_meeting"]},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "room": NULLABLE_STR,
            "chairs": {"type": "array", "items": {"type": "string"}},
            "speakers": {"type": "array", "items": {"type": "string"}},
            "description": {"type": "string"},
            "status": {"enum": ["confirmed", "cancelled"]},
            "sequence": {"type": "integer"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "title", "kind", "starts_at", "ends_at", "status", "sequence"],
    },
    "Event": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "short_title": {"type": "string"},
            "kind": {"enum": ["meeting", "conference", "workshop"]},
            "status": {"enum": ["published", "cancelled"]},
            "url": {"type": "string"},
            "dates": {"type": "string", "description": "Human-readable dates"},
            "dates_confirmed": {"type": "boolean"},
            "tentative_month": {"type": ["string", "null"], "description": "YYYY-MM"},
            "start_date": {"type": ["string", "null"], "format": "date"},
            "end_date": {"type": ["string", "null"], "format": "date"},
            "starts_at": DATE_TIME,
            "ends_at": {**DATE_TIME, "description": "Exclusive: midnight after the last day"},
            "timezone": {"type": "string", "description": "IANA time zone"},
            "venue": {"type": "object"},
            "theme": NULLABLE_STR,
            "description": {"type": "string"},
            "lead_economy": NULLABLE_STR,
            "co_sponsors": NULLABLE_STR,
            "collaborating_fora": NULLABLE_STR,
            "deliverables": {"type": "array", "items": {"type": "string"}},
            "capacity": {"type": ["integer", "null"], "description": "null: no limit"},
            "confirmed": {"type": "integer"},
            "waitlisted": {"type": "integer"},
            "places_left": {"type": ["integer", "null"]},
            "waitlist_enabled": {"type": "boolean"},
            "per_economy_limit": {"type": ["integer", "null"]},
            "participation_mode": {"enum": ["in_person", "online", "hybrid"],
                                   "description": "hybrid: places per mode; `capacity` is "
                                                  "then their sum (null if either is)"},
            "capacity_in_person": {"type": ["integer", "null"],
                                   "description": "hybrid only; null: no limit"},
            "capacity_online": {"type": ["integer", "null"],
                                "description": "hybrid only; null: no limit"},
            "registration_open": {"type": "boolean"},
            "registration_opens_at": DATE_TIME,
            "registration_closes_at": DATE_TIME,
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": ["slug", "title", "timezone", "capacity", "confirmed", "waitlisted",
                     "places_left", "registration_open"],
    },
    "EventWithAgenda": {
        "allOf": [
            {"$ref": "#/components/schemas/Event"},
            {
                "type": "object",
                "properties": {
                    "agenda_provisional": {"type": "boolean"},
                    "agenda": {"type": "array",
                               "items": {"$ref": "#/components/schemas/AgendaItem"}},
                },
                "required": ["agenda"],
            },
        ]
    },
}

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}

PATHS = {
    "/events": {
        "get": {
            "summary": "Published events of the current work plan",
            "responses": {
                "200": {
                    "description": "Events in date order",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"events": {
                            "type": "array", "items": {"$ref": "#/components/schemas/Event"}}},
                    }}},
                }
            },
        }
    },
    "/events/{slug}": {
        "get": {
            "summary": "One event with its published agenda",
            "parameters": [SLUG],
            "responses": {
                "200": {
                    "description": "The event",
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/EventWithAgenda"}}},
                },
                "404": error_response("No such event"),
            },
        }
    },
}
