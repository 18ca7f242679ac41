"""OpenAPI fragment: accreditation with a staff token (organisers; focal points for their
economy) and invitations."""

from .openapi import error_response
from .spec_registrations import DETAILS

BEARER = [{"bearer": []}]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
REG_ID = {"name": "reg_id", "in": "path", "required": True, "schema": {"type": "integer"}}
STATUS = {"enum": ["pending", "confirmed", "waitlisted", "declined", "cancelled"]}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


SCHEMAS = {
    "StaffRegistration": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": STATUS,
            "category": DETAILS["category"],
            "economy": DETAILS["economy"],
            "waitlist_position": {"type": ["integer", "null"], "minimum": 1},
            "honorific": {"type": "string"},
            "given_name": {"type": "string"},
            "family_name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "organisation": {"type": "string"},
            "job_title": {"type": "string"},
            "sector": DETAILS["sector"],
            "nominated": {"type": "boolean",
                          "description": "Two-step events: the focal point has nominated"},
            "replaces_id": {"type": ["integer", "null"],
                            "description": "The registration a substitute replaced"},
            "created_at": {"type": "string", "format": "date-time"},
            "approved_at": DATE_TIME,
            "declined_at": DATE_TIME,
            "decline_reason": {"type": ["string", "null"]},
            "cancelled_at": DATE_TIME,
        },
        "required": ["id", "status", "category", "economy"],
    },
    "Decline": {
        "type": "object", "properties": {"reason": {"type": "string", "minLength": 1,
                                                    "maxLength": 1000}},
        "required": ["reason"],
    },
    "Substitute": {
        "type": "object",
        "description": "The substitute's details; category and economy are the place's.",
        "properties": {k: v for k, v in DETAILS.items() if k not in ("category", "economy")},
        "required": ["given_name", "family_name", "email"],
    },
    "InvitationInput": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "emails": {"type": "array", "items": {"type": "string", "format": "email"},
                       "minItems": 1, "maxItems": 2000},
            "category": {**DETAILS["category"], "description": "Pre-assigned to everyone"},
            "economy": DETAILS["economy"],
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 365},
        },
        "required": ["emails"],
    },
    "Invitation": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"},
            "status": {"enum": ["invited", "registered", "declined"]},
            "category": {"type": ["string", "null"]}, "economy": {"type": ["string", "null"]},
            "expires_at": {"type": "string", "format": "date-time"},
            "sent_at": {"type": "string", "format": "date-time"},
            "reminders": {"type": "integer"},
            "registration_id": {"type": ["integer", "null"]},
        },
    },
}

REFUSALS = {
    "401": error_response("No valid token"),
    "403": error_response("The token's account acts for another economy or event"),
    "404": error_response("No such event or registration of this event"),
}
INVALID = {"422": {"description": "Invalid fields", "content": _json("ValidationErrors")}}
ONE = {"content": _json("StaffRegistration")}

PATHS = {
    "/events/{slug}/registrations": {
        "get": {
            "summary": "The event's registrations (a focal point's token: its economy only)",
            "security": BEARER, "parameters": [
                SLUG,
                {"name": "status", "in": "query", "schema": STATUS},
                {"name": "economy", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Registrations, oldest first", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "registrations": {"type": "array", "items": {
                        "$ref": "#/components/schemas/StaffRegistration"}}}}}}},
                **REFUSALS, **INVALID},
        },
    },
    "/events/{slug}/registrations/{reg_id}/approve": {
        "post": {
            "summary": "Approve a pending registration",
            "description": "Confirmed while places are free, else on the waiting list in the "
                           "order approvals are made; in a two-step event a focal point's "
                           "approval is a nomination (it stays pending).",
            "security": BEARER, "parameters": [SLUG, REG_ID],
            "responses": {"200": {"description": "Decided", **ONE}, **REFUSALS,
                          "409": error_response("Decided already, cancelled meanwhile, "
                                                "full without a waiting list, or a quota "
                                                "reached")},
        },
    },
    "/events/{slug}/registrations/{reg_id}/decline": {
        "post": {
            "summary": "Decline a pending registration; the reason is emailed",
            "security": BEARER, "parameters": [SLUG, REG_ID],
            "requestBody": {"required": True, "content": _json("Decline")},
            "responses": {"200": {"description": "Declined", **ONE}, **REFUSALS, **INVALID,
                          "409": error_response("Not pending any more")},
        },
    },
    "/events/{slug}/registrations/{reg_id}/substitute": {
        "post": {
            "summary": "Put a substitute in a registration's place",
            "description": "The substitute takes the status, place or waiting-list position, "
                           "category and economy; the old registration is cancelled (its "
                           "link, badge and check-in code stop working); both are emailed.",
            "security": BEARER, "parameters": [SLUG, REG_ID],
            "requestBody": {"required": True, "content": _json("Substitute")},
            "responses": {"201": {"description": "The substitute's registration, with "
                                                 "replaced_id", **ONE},
                          **REFUSALS, **INVALID,
                          "409": error_response("Not active, or the address is registered")},
        },
    },
    "/events/{slug}/invitations": {
        "post": {
            "summary": "Invite addresses (organisers); each gets a one-time link",
            "security": BEARER, "parameters": [SLUG],
            "requestBody": {"required": True, "content": _json("InvitationInput")},
            "responses": {"201": {"description": "Invited (registered addresses left out)",
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "properties": {
                                          "invited": {"type": "integer"},
                                          "invitations": {"type": "array", "items": {
                                              "$ref": "#/components/schemas/Invitation"}}}}}}},
                          **REFUSALS, **INVALID},
        },
    },
}
