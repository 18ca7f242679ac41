"""The OpenAPI 3.1 document, assembled from one fragment per area of the API.

Each `spec_*` module defines PATHS (OpenAPI path items) and SCHEMAS
(component schemas); keeping them beside the area they describe lets each
area change without touching the others.
"""

from __future__ import annotations

import importlib

from ..inputs import MAX_JSON_DEPTH

FRAGMENTS = ("eventsapp.api.spec_events", "eventsapp.api.spec_registrations",
             "eventsapp.api.spec_organiser", "eventsapp.api.spec_documents",
             "eventsapp.api.spec_accreditation", "eventsapp.api.spec_messages",
             "eventsapp.api.spec_questions")


def openapi_document() -> dict:
    paths: dict = {}
    schemas: dict = {
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
            "required": ["error", "message"],
        },
    }
    for name in FRAGMENTS:
        module = importlib.import_module(name)
        for path, item in module.PATHS.items():
            # Areas may add methods to the same path (GET public, PATCH organiser).
            paths.setdefault(path, {}).update(item)
        schemas.update(module.SCHEMAS)
    # A registration carries its answers (issue 17).
    for name in ("RegistrationInput", "Registration"):
        if name in schemas:
            schemas[name]["properties"]["answers"] = {"$ref": "#/components/schemas/Answers"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eventsapp API",
            "version": "1",
            "description": "Events, agendas and registrations of a working group's year.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# request_guard's refusal, before any field is looked at.
BAD_BODY = {"400": error_response(
    "The body or address holds a NUL, text that is not UTF-8 (a lone surrogate), or JSON "
    f"nested more than {MAX_JSON_DEPTH} levels deep")}
