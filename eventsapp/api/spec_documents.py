"""OpenAPI fragment: meeting documents and outcomes."""

from .openapi import error_response

BEARER_OPTIONAL = [{}, {"bearer": []}]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The registration's management token (its private link)"}
DOCUMENT_ID = {"name": "document_id", "in": "path", "required": True,
               "schema": {"type": "integer"}}
ACCESS = {"enum": ["public", "participants", "staff"],
          "description": "public: anyone; participants: confirmed registrants (through their "
                         "token) and staff; staff: organisers of the event"}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


SCHEMAS = {
    "Document": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "description": "e.g. 2020/CTWG15/005; kept by revisions"},
            "revision": {"type": "integer", "description": "0 for the original, n for rev n"},
            "revision_label": {"type": "string", "description": "\"\" or \"rev1\", …"},
            "title": {"type": "string"},
            "submitted_by": {"type": "string"},
            "economy": {"type": ["string", "null"]},
            "language": {"type": "string", "description": "BCP 47 tag"},
            "access": ACCESS,
            "agenda_item_id": {"type": ["integer", "null"]},
            "agenda_item": {"type": ["string", "null"], "description": "\"2.1 Title\""},
            "deliverable": {"type": ["string", "null"], "description": "work plan number"},
            "type": {"enum": ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png",
                              "jpeg"]},
            "size": {"type": "integer", "description": "bytes"},
            "submitted_at": {"type": ["string", "null"], "format": "date-time"},
            "late": {"type": "boolean", "description": "first submitted after the deadline"},
            "url": {"type": "string", "description": "download (attachment; ETag, Range)"},
            "revisions": {"type": "array", "description": "staff only", "items": {
                "type": "object", "properties": {
                    "revision": {"type": "integer"}, "size": {"type": "integer"},
                    "sha256": {"type": "string"}, "url": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"}}}},
        },
        "required": ["id", "number", "revision", "title", "access", "url"],
    },
    "DocumentList": {
        "type": "object",
        "properties": {
            "event": {"type": "string"},
            "access": {"type": "array", "items": ACCESS,
                       "description": "the access levels the caller may open"},
            "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
        },
        "required": ["event", "access", "documents"],
    },
    "DocumentUpload": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "PDF, DOCX, XLSX, PPTX, ODT/ODS/ODP, PNG or JPEG, judged "
                                    "by content; at most 50 MB"},
            "title": {"type": "string", "maxLength": 300},
            "access": ACCESS,
            "agenda_item_id": {"type": "integer"},
            "deliverable": {"type": "string", "description": "work plan number, e.g. 1.8"},
            "economy": {"type": "string", "description": "APEC code of the submitting economy"},
            "organisation": {"type": "string", "maxLength": 200},
            "language": {"type": "string", "default": "en"},
        },
        "required": ["file", "title", "access"],
    },
    "ActionItem": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "text": {"type": "string"},
            "owner": {"type": "string", "description": "an economy, the APEC Secretariat or "
                                                       "a person"},
            "due_date": {"type": ["string", "null"], "format": "date"},
            "deliverable": {"type": ["string", "null"]},
            "status": {"enum": ["open", "closed"]},
            "closing_note": {"type": ["string", "null"]},
            "agreed_at": {"type": "string", "description": "slug of the meeting"},
            "agenda_item": {"type": ["string", "null"]},
        },
    },
    "Outcomes": {
        "type": "object",
        "properties": {
            "event": {"type": "string"}, "published": {"type": "boolean"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "agenda_item_id": {"type": ["integer", "null"]},
                "number": {"type": ["string", "null"]}, "title": {"type": "string"},
                "decisions": {"type": "array", "items": {"type": "object"}},
                "actions": {"type": "array",
                            "items": {"$ref": "#/components/schemas/ActionItem"}},
                "documents": {"type": "array", "items": {"type": "string"}}}}},
            "carried_forward": {"type": "array",
                                "items": {"$ref": "#/components/schemas/ActionItem"}},
        },
    },
}

REFUSED = {
    "401": error_response("No valid token"),
    "403": error_response("The token's account may not submit to this event"),
    "404": error_response("No such event"),
    "413": {"description": "Larger than 50 MB, or past the event's storage",
            "content": _json("ValidationErrors")},
    "415": {"description": "Not an allowed type (by content)",
            "content": _json("ValidationErrors")},
    "422": {"description": "Invalid fields; an empty, cut-off or unsafe file",
            "content": _json("ValidationErrors")},
}

PATHS = {
    "/events/{slug}/documents": {
        "get": {
            "summary": "The List of Documents: what the caller may open",
            "security": BEARER_OPTIONAL, "parameters": [SLUG],
            "responses": {"200": {"description": "Documents in number order",
                                  "content": _json("DocumentList")},
                          "401": error_response("A token was sent but is not valid"),
                          "404": error_response("No such event")},
        },
        "post": {
            "summary": "Submit a document: it gets the event's next number",
            "security": [{"bearer": []}], "parameters": [SLUG],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/DocumentUpload"}}}},
            "responses": {"201": {"description": "Numbered and stored",
                                  "content": _json("Document")}, **REFUSED},
        },
    },
    "/events/{slug}/documents/{document_id}/revisions": {
        "post": {
            "summary": "Submit a new revision: the number stays, the revision goes up",
            "security": [{"bearer": []}], "parameters": [SLUG, DOCUMENT_ID],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string",
                                                          "format": "binary"}},
                "required": ["file"]}}}},
            "responses": {"201": {"description": "Stored", "content": _json("Document")},
                          **REFUSED},
        },
    },
    "/registrations/{token}/documents": {
        "get": {
            "summary": "The documents a registrant may open (participants' ones once "
                       "confirmed)",
            "parameters": [TOKEN],
            "responses": {"200": {"description": "Documents in number order",
                                  "content": _json("DocumentList")},
                          "404": error_response("No such registration")},
        },
    },
    "/events/{slug}/outcomes": {
        "get": {
            "summary": "Decisions and action items in agenda order, and open actions carried "
                       "forward (public once the Chair's Summary is published)",
            "security": BEARER_OPTIONAL, "parameters": [SLUG],
            "responses": {"200": {"description": "Outcomes", "content": _json("Outcomes")},
                          "404": error_response("No such event, or not published")},
        },
    },
}
