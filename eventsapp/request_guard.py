"""Refusing, before any view runs, input no handler can store: a clean 400 instead of a 500.

PostgreSQL refuses NUL in text, no driver can encode a lone surrogate, and a JSON
body nested 100,000 levels deep exhausts the parser's recursion. Each would reach
some statement or template and fail there; so the address, the query string and
form bodies are checked as raw bytes (a NUL, or bytes that are not UTF-8 such as
an encoded surrogate `%ED%A0%80`, which Werkzeug would otherwise turn silently
into U+FFFD), and JSON bodies go through a parser that refuses the same, plus
nesting deeper than MAX_JSON_DEPTH. Pages take form posts only (415 for JSON).
Field rules (lengths, control characters, dates) stay with the forms and
services, which name the field.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from flask import json as flask_json
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from .inputs import MAX_JSON_DEPTH

# Our deepest body is an object holding a list of names; 32 leaves room for any client.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # what Flask-WTF reads
API_PREFIX = "/api/"
_JSON_SPECIAL = re.compile(r'[\[\]{}"\\]')


class InputRefused(BadRequest):
    """A request holding NUL, text that is not UTF-8, or JSON nested too deep."""


def _refuse_bytes(raw: bytes, where: str) -> None:
    if b"\x00" in raw:
        raise InputRefused(f"The {where} contains a NUL character, which is not allowed. "
                           "Go back, remove it and send again.")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused(f"The {where} is not valid UTF-8 text (for example, it holds a "
                           "lone surrogate).") from None


def _wsgi_bytes(value: str) -> bytes:
    # WSGI hands bytes over as latin-1 strings; a server that did not gets its text back.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _refuse_text(value: str, where: str) -> None:
    if "\x00" in value:
        raise InputRefused(f"The {where} contains a NUL character, which is not allowed.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise InputRefused(f"The {where} holds a lone surrogate, which is not text.")


def refuse_unsafe_input() -> None:
    """before_request: refuse NUL or non-UTF-8 in the path, the query and form bodies, and
    JSON sent to a page.

    :raise 400: (InputRefused) saying where the character was.
    :raise 415: a JSON body outside /api/.
    """
    environ = request.environ
    _refuse_bytes(_wsgi_bytes(environ.get("PATH_INFO", "")), "address")
    _refuse_bytes(unquote_to_bytes(_wsgi_bytes(environ.get("QUERY_STRING", ""))),
                  "query string")
    if request.method in SUBMIT_METHODS and request.is_json:
        if not request.path.startswith(API_PREFIX):
            # Flask-WTF would read a JSON body as the form, and a list, a number or a
            # nested object in a field breaks it; pages take forms, the API takes JSON.
            raise UnsupportedMediaType("Pages take HTML form posts; send JSON to the API "
                                       f"under {API_PREFIX}v1/ instead.")
        # Parsed now, whether or not the view reads it, so that every route refuses alike;
        # the result is cached for the view.
        request.get_json(silent=True)
    elif request.mimetype == FORM_TYPES[0]:
        # Read once and cached: the form is parsed from the same bytes afterwards. Each
        # field is checked on its own, so the refusal can name it.
        for pair in request.get_data(cache=True).split(b"&"):
            key, _, value = pair.partition(b"=")
            key = unquote_to_bytes(key.replace(b"+", b" "))
            _refuse_bytes(key, "form")
            _refuse_bytes(unquote_to_bytes(value.replace(b"+", b" ")), _field(key))
    elif request.mimetype == FORM_TYPES[1]:
        # Multipart values arrive decoded (bytes that are not UTF-8 become U+FFFD).
        for key, value in request.form.items(multi=True):
            if key is None:  # a part with no name in its Content-Disposition
                raise InputRefused("Every part of the form needs a name.")
            _refuse_text(key, "form")
            _refuse_text(value or "", _field(key))


def _field(key: bytes | str) -> str:
    """'field “description”' for a refusal; the name shown only when it is plain."""
    name = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    name = name.rpartition("-")[2] if name.count("-") == 1 else name  # prefixed forms
    if name.replace("_", "").isalnum() and name.isascii() and len(name) <= 40:
        return f"field “{name}”"
    return "form"


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit`, by one linear scan."""
    depth, in_string, escaped = 0, False, -1
    for match in _JSON_SPECIAL.finditer(text):
        ch, at = match.group(), match.start()
        if in_string:
            if at == escaped:
                continue
            if ch == "\\":
                escaped = at + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _refuse_unsafe_strings(value: Any) -> None:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            _refuse_text(current, "JSON body")
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


class StrictJSON:
    """Request bodies' JSON: the app's own parser behind the checks above.

    Its refusals are 400s (not ValueError), so `get_json(silent=True)` cannot turn
    them into "no body".
    """

    def __init__(self, provider: Any):
        self.provider = provider

    def loads(self, data: str | bytes, **kwargs: Any) -> Any:
        """:raise 400: (InputRefused) not UTF-8, nested too deep, NUL or a lone surrogate."""
        if isinstance(data, bytes):
            try:
                data = data.decode(json.detect_encoding(data))
            except UnicodeDecodeError:
                raise InputRefused("The JSON body is not valid UTF-8 text.") from None
        if json_too_deep(data):
            raise InputRefused(f"The JSON body nests arrays or objects more than "
                               f"{MAX_JSON_DEPTH} levels deep.")
        value = self.provider.loads(data, **kwargs)
        _refuse_unsafe_strings(value)
        return value

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self.provider.dumps(obj, **kwargs)


class StrictRequest(Request):
    """A request whose `get_json` (ours, Flask-WTF's) parses through StrictJSON."""

    _strict_json = StrictJSON(flask_json)

    # Flask assigns `request.json_module = app.json` on every request (flask/ctx.py);
    # the setter keeps that provider but puts the checks in front of it.
    @property
    def json_module(self) -> StrictJSON:
        return self._strict_json

    @json_module.setter
    def json_module(self, provider: Any) -> None:
        self._strict_json = StrictJSON(provider)


def register_input_guard(app: Flask) -> None:
    app.request_class = StrictRequest
    # First of all before_request functions: nothing else should see such input.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unsafe_input)
