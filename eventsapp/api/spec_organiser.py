"""OpenAPI fragment: the organiser API (personal bearer tokens)."""

from ..agenda.services import MAX_AGENDA_ITEMS
from .openapi import BAD_BODY, error_response

BEARER = [{"bearer": []}]
ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
PEOPLE = {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 50}
OFFSET_TIME = {"type": "string", "format": "date-time",
               "description": "ISO 8601 with its UTC offset, e.g. 2020-08-04T09:00:00+08:00; "
                              "its date between 1970-01-01 and 2200-12-31"}
KIND = {"enum": ["session", "plenary", "break", "meal", "side_meeting"]}

ITEM_FIELDS = {
    "title": {"type": "string", "minLength": 1, "maxLength": 300},
    "starts_at": OFFSET_TIME,
    "ends_at": {**OFFSET_TIME, "description": "After starts_at; at most 24 hours later"},
    "kind": KIND,
    "room": {"type": "string", "maxLength": 200},
    "speakers": PEOPLE,
    "chairs": PEOPLE,
    "description": {"type": "string", "maxLength": 10000},
}

SCHEMAS = {
    "AgendaItemInput": {
        "type": "object", "properties": ITEM_FIELDS, "additionalProperties": False,
        "required": ["title", "starts_at", "ends_at"],
    },
    "AgendaItemPatch": {
        "type": "object", "additionalProperties": False,
        "properties": {**ITEM_FIELDS, "status": {"enum": ["confirmed", "cancelled"]}},
    },
    "AgendaItemWithWarnings": {
        "allOf": [{"$ref": "#/components/schemas/AgendaItem"}, {
            "type": "object",
            "properties": {"warnings": {
                "type": "array", "items": {"type": "string"},
                "description": "Outside the event's dates, room or person double-booked"}},
            "required": ["warnings"],
        }],
    },
    "EventSettingsPatch": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "capacity": {"type": ["integer", "null"], "minimum": 0, "maximum": 100000,
                         "description": "null: no limit. Raising it confirms people from the "
                                        "waiting list; below the confirmed count is a 409."},
            "waitlist_enabled": {"type": "boolean"},
            "per_economy_limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 10000},
            "registration_opens_at": {**OFFSET_TIME, "type": ["string", "null"]},
            "registration_closes_at": {**OFFSET_TIME, "type": ["string", "null"]},
            "registration_mode": {"enum": ["open", "approval", "invitation"],
                                  "description": "approval: registrations start pending; "
                                                 "invitation: only invited addresses"},
            "approval_steps": {"enum": [1, 2], "description": "2: the focal point nominates, "
                                                              "the secretariat accredits"},
            "public_categories": {"type": "array", "minItems": 1, "items": {"enum": [
                "delegate", "head_of_delegation", "speaker", "observer", "secretariat",
                "media"]}, "description": "What the public form offers"},
            "category_limits": {"type": "object", "additionalProperties": {
                "type": "integer", "minimum": 0, "maximum": 10000},
                "description": "{category: most places held (confirmed or waitlisted)}"},
            "participation_mode": {
                "enum": ["in_person", "online", "hybrid"],
                "description": "in_person or online: `capacity` is the one cap and every "
                               "registration takes that mode; hybrid: `capacity_in_person` "
                               "and `capacity_online` apply, each with its own waiting list, "
                               "and `capacity` is their sum (a PATCH of `capacity` is then a "
                               "409). A mode's capacity below the people confirmed in it is "
                               "a 409."},
            "capacity_in_person": {"type": ["integer", "null"], "minimum": 0,
                                   "maximum": 100000, "description": "hybrid; null: no limit"},
            "capacity_online": {"type": ["integer", "null"], "minimum": 0, "maximum": 100000,
                                "description": "hybrid; null: no limit"},
            "online_url": {"type": "string", "maxLength": 500, "format": "uri",
                           "description": "https:// meeting link, shown only to confirmed "
                                          "online participants (private page, personal "
                                          "feed, confirmation); never in public output"},
            "online_details": {"type": "string", "maxLength": 1000,
                               "description": "Passcode or dial-in text shown with the link"},
        },
    },
    "ValidationErrors": {
        "type": "object",
        "properties": {"errors": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}}}},
        "required": ["errors"],
    },
}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


UNAUTHORISED = {"401": error_response("No valid token (unknown, revoked or expired)"),
                "403": error_response("The token lacks the route's scope, or its account may "
                                      "not change this event")}
SCOPES = ("Scopes: `read` (GET /token), `agenda` (agenda items), `registrations` (event "
          "settings), `checkin` (check-ins). A token expires (90 days by default) and is "
          "revoked when its owner's password changes, they sign out everywhere or their "
          "account is deactivated.")
INVALID = {"422": {"description": "Invalid fields", "content": _json("ValidationErrors")}}

PATHS = {
    "/events/{slug}/agenda": {
        "post": {
            "summary": "Add an item to the event's draft agenda",
            "security": BEARER, "parameters": [SLUG],
            "requestBody": {"required": True, "content": _json("AgendaItemInput")},
            "responses": {
                "201": {"description": "Created (draft: publish in the agenda editor)",
                        "content": _json("AgendaItemWithWarnings")},
                **UNAUTHORISED, "404": error_response("No such event"), **INVALID, **BAD_BODY,
                "409": error_response("The agenda already holds the most items an event may "
                                      f"have ({MAX_AGENDA_ITEMS})"),
            },
        },
    },
    "/agenda/{item_id}": {
        "patch": {
            "summary": "Change a draft agenda item; time, room or status changes raise its "
                       "sequence",
            "security": BEARER, "parameters": [ITEM_ID],
            "requestBody": {"required": True, "content": _json("AgendaItemPatch")},
            "responses": {
                "200": {"description": "Changed", "content": _json("AgendaItemWithWarnings")},
                **UNAUTHORISED, "404": error_response("No such item"), **INVALID, **BAD_BODY,
            },
        },
        "delete": {
            "summary": "Delete a draft item; one already published becomes cancelled",
            "security": BEARER, "parameters": [ITEM_ID],
            "responses": {
                "200": {"description": "Deleted, or kept as cancelled", "content": {
                    "application/json": {"schema": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"},
                                       "deleted": {"type": "boolean"},
                                       "item": {"$ref": "#/components/schemas/AgendaItem"}},
                        "required": ["id", "deleted"]}}}},
                **UNAUTHORISED, "404": error_response("No such item"),
            },
        },
    },
    "/token": {
        "get": {
            "summary": "The token's account, scopes and expiry (scope: read)",
            "description": SCOPES, "security": BEARER,
            "responses": {
                "200": {"description": "The token", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "user": {"type": "string"}, "role": {"type": "string"},
                        "scopes": {"type": "array", "items": {"type": "string"}},
                        "expires_at": {"type": ["string", "null"], "format": "date-time"}},
                        "required": ["user", "role", "scopes", "expires_at"]}}}},
                **UNAUTHORISED,
            },
        },
    },
    "/events/{slug}/checkins": {
        "post": {
            "summary": "Check a badge in (scope: checkin)",
            "security": BEARER, "parameters": [SLUG],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "required": ["code"],
                "properties": {"code": {"type": "string", "maxLength": 200},
                               "day": {"type": "string", "format": "date"}}}}}},
            "responses": {
                "201": {"description": "Checked in", "content": {"application/json": {
                    "schema": {"type": "object"}}}},
                "200": {"description": "Already checked in that day"},
                **UNAUTHORISED, "404": error_response("No such event or code"), **INVALID,
                "409": error_response("Waitlisted, cancelled or another event's badge"),
            },
        },
    },
    "/events/{slug}": {
        "patch": {
            "summary": "Change capacity, waiting list, registration window, mode, public "
                       "categories and quotas",
            "security": BEARER, "parameters": [SLUG],
            "requestBody": {"required": True, "content": _json("EventSettingsPatch")},
            "responses": {
                "200": {"description": "The event", "content": _json("Event")},
                **UNAUTHORISED, "404": error_response("No such event"), **INVALID, **BAD_BODY,
                "409": error_response("Capacity below the confirmed count"),
            },
        },
    },
}
