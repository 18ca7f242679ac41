"""OpenAPI fragment: organisers' messages to participants (issue 18)."""

from .openapi import BAD_BODY, error_response

STAFF = [{"bearer": []}]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
MESSAGE_ID = {"name": "message_id", "in": "path", "required": True,
              "schema": {"type": "integer"}}
CHOICES = {"type": "array", "items": {"type": "string"}}
NEEDS_SCOPE = error_response("The token lacks the 'messages' scope, or the account may not "
                             "manage this event")


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


SCHEMAS = {
    "Recipients": {
        "type": "object",
        "description": "Registrations matching every criterion given; an empty criterion "
                       "does not narrow. No status: every status but cancelled.",
        "properties": {
            "status": {**CHOICES, "description": "confirmed, waitlisted, cancelled"},
            "economy": {**CHOICES, "description": "APEC codes (AUS, …), or \"none\""},
            "category": {**CHOICES, "description": "delegate, head_of_delegation, speaker, "
                                                   "observer, secretariat, media"},
            "checked_in": {"type": "boolean"},
            "ids": {"type": "array", "items": {"type": "integer"},
                    "description": "only these registrations of the event"},
            "without_head_of_delegation": {
                "type": "boolean", "description": "only economies with no confirmed head of "
                                                  "delegation at the event"},
        },
        "additionalProperties": False,
    },
    "MessageRequest": {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "maxLength": 200,
                        "description": "placeholders such as {given_name} allowed"},
            "body": {"type": "string", "description": "plain text, at most "
                     "MESSAGE_BODY_MAX_CHARS (100,000); placeholders {given_name}, "
                     "{family_name}, {full_name}, {badge_name}, {economy}, {organisation}, "
                     "{category}, {status}, {event}, {dates}, {venue}, {event_url}, "
                     "{manage_url} (the page to ask for one's private link), "
                     "{calendar_url} (the event's public feed); anything else is a 422"},
            "recipients": {"$ref": "#/components/schemas/Recipients"},
            "attach_calendar": {"type": "boolean", "default": False},
            "reply_to": {"type": "string", "description": "default MAIL_REPLY_TO"},
            "confirm_repeat": {"type": "boolean", "default": False,
                               "description": "send although the same subject and body "
                                              "went to this event before"},
        },
        "required": ["subject", "body"],
    },
    "MessageAccepted": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "recipients": {"type": "integer", "description": "messages queued, one a person"},
            "status_url": {"type": "string"},
        },
        "required": ["id", "recipients"],
    },
    "MessageStatus": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "event": {"type": ["string", "null"]},
            "year": {"type": ["integer", "null"]},
            "subject": {"type": "string"},
            "sent_at": {"type": ["string", "null"], "format": "date-time"},
            "recipients": {"type": "integer"},
            "counts": {"type": "object", "properties": {
                k: {"type": "integer"} for k in ("queued", "sent", "failed", "gone")}},
            "deliveries": {"type": "array", "items": {"type": "object", "properties": {
                "registration_id": {"type": ["integer", "null"]},
                "name": {"type": "string"}, "email": {"type": "string"},
                "status": {"enum": ["queued", "sent", "failed", "gone"],
                           "description": "failed: not sent yet, retried with back-off; "
                                          "gone: left the outbox (sent mail after "
                                          "OUTBOX_KEEP_DAYS, or erased)"},
                "attempts": {"type": "integer"}, "retried": {"type": "boolean"},
                "error": {"type": ["string", "null"]},
                "sent_at": {"type": ["string", "null"], "format": "date-time"},
                "next_attempt_at": {"type": ["string", "null"], "format": "date-time"}}}},
        },
        "required": ["id", "subject", "recipients", "counts", "deliveries"],
    },
}

PATHS = {
    "/events/{slug}/messages": {
        "post": {
            "summary": "Write to the event's participants (sent at once, paced by the outbox)",
            "security": STAFF,
            "parameters": [SLUG],
            "requestBody": {"required": True, "content": _json("MessageRequest")},
            "responses": {
                "202": {"description": "Queued, one message a recipient",
                        "content": _json("MessageAccepted")},
                **BAD_BODY,
                "401": error_response("No valid token"),
                "403": NEEDS_SCOPE,
                "404": error_response("No such event"),
                "409": error_response("The same subject and body went to this event before; "
                                      "send with confirm_repeat"),
                "422": {"description": "Refused fields: unknown placeholders, formatting in "
                                       "braces, a line break in the subject, a body over the "
                                       "cap, unknown criteria",
                        "content": {"application/json": {"schema": {"type": "object"}}}},
            },
        },
    },
    "/messages/{message_id}": {
        "get": {
            "summary": "Each recipient's delivery",
            "security": STAFF,
            "parameters": [MESSAGE_ID],
            "responses": {
                "200": {"description": "The message", "content": _json("MessageStatus")},
                "401": error_response("No valid token"),
                "403": NEEDS_SCOPE,
                "404": error_response("No such message, or not the account's"),
            },
        },
    },
}
