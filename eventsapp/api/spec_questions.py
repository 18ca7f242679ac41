"""OpenAPI fragment: an event's registration questions, and answers in a registration."""

from .openapi import BAD_BODY, error_response

KINDS = ["text", "long_text", "choice", "multi_choice", "boolean", "date", "number"]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
QUESTION_PROPS = {
    "label": {"type": "string", "minLength": 1, "maxLength": 300},
    "type": {"enum": KINDS},
    "help_text": {"type": "string", "maxLength": 500},
    "choices": {"type": "array", "items": {"type": "string", "maxLength": 200},
                "maxItems": 50, "description": "For choice and multi_choice"},
    "allow_other": {"type": "boolean", "default": False,
                    "description": "Choice kinds: another answer may be typed"},
    "required": {"type": "boolean", "default": False},
    "categories": {"type": "array", "items": {"type": "string"},
                   "description": "Asked only of these categories; empty: everyone"},
    "depends_on": {"type": ["integer", "null"],
                   "description": "Shown only when this question (choice or boolean, "
                                  "itself dependent on nothing) has `depends_value`"},
    "depends_value": {"type": ["string", "null"],
                      "description": "A choice, or yes / no for a boolean question"},
    "date_rule": {"enum": ["", "near_event", "after_event", "past", None]},
    "sensitive": {"type": "boolean", "default": False,
                  "description": "Answers cleared after the event's sensitive retention"},
}
SCHEMAS = {
    "QuestionInput": {"type": "object", "properties": QUESTION_PROPS,
                      "required": ["label", "type"]},
    "Question": {"type": "object", "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"}, **QUESTION_PROPS},
        "required": ["id", "label", "type", "required"]},
    "Answers": {
        "type": "object",
        "description": 'Answers by question id: {"<question id>": value}. Text, date '
                       "(YYYY-MM-DD) and number as strings (numbers may be JSON numbers), "
                       "choice a string, multi_choice a list of strings, boolean true/false. "
                       "An answer to a question hidden by its condition is ignored (not "
                       "stored); an unknown id is refused (422 on `answers`); a refused "
                       "answer is reported under `answers.<id>`.",
        "additionalProperties": True,
    },
}
PATHS = {
    "/events/{slug}/questions": {
        "get": {
            "summary": "The event's registration questions, in the form's order",
            "parameters": [SLUG],
            "responses": {"200": {"description": "Questions", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"questions": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Question"}}}}}}},
                "404": error_response("No such event")},
        },
        "post": {
            "summary": "Add a registration question (organisers; scope `registrations`)",
            "security": [{"bearer": []}],
            "parameters": [SLUG],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/QuestionInput"}}}},
            "responses": {
                "201": {"description": "Added", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Question"}}}},
                **BAD_BODY,
                "401": error_response("No valid token"),
                "403": error_response("Not allowed for this event or scope"),
                "404": error_response("No such event"),
                "422": {"description": "Invalid question", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ValidationErrors"}}}},
            },
        },
    },
}
