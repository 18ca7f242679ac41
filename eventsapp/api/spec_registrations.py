"""OpenAPI fragment: registering, reading and cancelling a registration."""

from .openapi import BAD_BODY, error_response

TEXT = {"type": "string", "maxLength": 200}
LONG_TEXT = {"type": "string", "maxLength": 500}
ECONOMY = {"type": ["string", "null"], "enum": [
    "AUS", "BD", "CDA", "CHL", "PRC", "HKC", "INA", "JPN", "ROK", "MAS", "MEX", "NZ", "PNG", "PE",
    "PHL", "RUS", "SGP", "CT", "THA", "USA", "VN", None],
    "description": "APEC abbreviation of the member economy, or null"}
SECTOR = {"enum": ["government", "private_sector", "international_organisation", "academia",
                   "other"], "default": "government"}
CATEGORY = {"enum": ["delegate", "head_of_delegation", "speaker", "observer", "secretariat",
                     "media"], "default": "delegate"}
DETAILS = {
    "given_name": {**TEXT, "minLength": 1},
    "family_name": {**TEXT, "minLength": 1},
    "email": {"type": "string", "format": "email"},
    "economy": ECONOMY,
    "organisation": TEXT,
    "job_title": TEXT,
    "sector": SECTOR,
    "category": CATEGORY,
    "badge_name": {**TEXT, "description": "Name as printed on the badge"},
    "native_name": {**TEXT, "description": "Name in native script"},
    "dietary": LONG_TEXT,
    "accessibility": LONG_TEXT,
    "consent_to_list": {"type": "boolean", "default": False,
                        "description": "Appear on the list of participants"},
    "honorific": {"type": "string", "maxLength": 40,
                  "description": "Mr, Ms, Dr, H.E. Ms, ... as protocol addresses the person"},
    "participation": {"enum": ["in_person", "online"],
                      "description": "How the person takes part: required for a hybrid event "
                                     "(422 on `participation` without it); an in-person or "
                                     "online event fixes it (the other value is a 422). Each "
                                     "mode of a hybrid event has its own places and waiting "
                                     "list (`waitlist_position` counts within it)."},
}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "RegistrationInput": {
        "type": "object",
        "description": "Text fields: no control characters or line breaks; any script.",
        "properties": {**DETAILS, "invitation": {
            "type": "string", "description": "The invitation link's token (invitation mode)"}},
        "required": ["given_name", "family_name", "email"],
    },
    "Registration": {
        "type": "object",
        "properties": {
            "event": {"type": "string", "description": "The event's slug"},
            "status": {"enum": ["pending", "confirmed", "waitlisted", "declined",
                                "cancelled"]},
            "decline_reason": {"type": ["string", "null"]},
            "waitlist_position": {"type": ["integer", "null"], "minimum": 1,
                                  "description": "1 is next in line; null unless waitlisted"},
            "manage_url": {"type": "string", "format": "uri",
                           "description": "The registrant's private page (holds the token)"},
            **DETAILS,
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "promoted_at": DATE_TIME,
            "cancelled_at": DATE_TIME,
        },
        "required": ["event", "status", "waitlist_position", "manage_url"],
    },
    "ValidationErrors": {
        "type": "object",
        "properties": {"errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per field",
        }},
        "required": ["errors"],
    },
}

TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The private management token from the confirmation"}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
REGISTRATION = {"content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Registration"}}}}
RATE_LIMITED = error_response("Too many requests from this address; try again later")

PATHS = {
    "/events/{slug}/registrations": {
        "post": {
            "summary": "Register for an event",
            "description": "Confirmed while places are free; past capacity, on the waiting "
                           "list in arrival order (if the event keeps one). In approval mode "
                           "the registration is pending and holds no place. In invitation "
                           "mode send `invitation` (the token of the invitation link); it "
                           "works once, for the invited address. The category must be one "
                           "the event offers the public (else 422 on `category`).",
            "parameters": [SLUG],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/RegistrationInput"}}}},
            "responses": {
                "201": {"description": "Registered (pending, confirmed or waitlisted)",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        **REGISTRATION},
                **BAD_BODY,
                "404": error_response("No such event"),
                "409": error_response("Registration closed, event full without a waiting "
                                      "list, economy limit reached, or already registered"),
                "422": {"description": "Invalid input",
                        "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/ValidationErrors"}}}},
                "429": RATE_LIMITED,
                "503": error_response("Busy: retry after the Retry-After header's seconds"),
            },
        }
    },
    "/registrations/{token}": {
        "get": {
            "summary": "Read one registration",
            "parameters": [TOKEN],
            "responses": {"200": {"description": "The registration", **REGISTRATION},
                          "404": error_response("Unknown or malformed token"),
                          "429": RATE_LIMITED},
        },
        "delete": {
            "summary": "Cancel a registration",
            "description": "Frees the place for the head of the waiting list.",
            "parameters": [TOKEN],
            "responses": {"200": {"description": "Cancelled", **REGISTRATION},
                          "404": error_response("Unknown or malformed token"),
                          "409": error_response("Already cancelled"),
                          "429": RATE_LIMITED,
                          "503": error_response("Busy: retry after the Retry-After header's "
                                                "seconds")},
        },
    },
}
