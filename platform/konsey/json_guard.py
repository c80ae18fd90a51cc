"""The one guard on JSON bodies, before any view or schema parses them.

A body nested deeper than any API shape (json's decoder would recurse until
Python gives up), or holding a string (or key) that is not text a person
could type — NUL, C0/C1 control characters, lone surrogates that no encoding
can store — is refused, saying why: a 400 (too deep, a bad key) or a 422
naming the field. Malformed JSON is left to the usual parsing (a 400 too).
"""

from __future__ import annotations

import json

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from konsey.validation import text_problem

MAX_DEPTH = 32
TOO_DEEP = _l("The JSON body is nested too deeply (at most %(n)d levels).", n=MAX_DEPTH)
BAD_KEY = _l("A key in the JSON body holds a NUL, a control character or an unpaired surrogate.")


def _problem(value) -> tuple[str, str | None] | None:
    """Walk the parsed body without recursion: (why, the top-level field) of
    the first value nested too deeply or holding what no text may hold."""
    stack = [(value, 1, None)]
    while stack:
        node, depth, field = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise BadRequest(str(TOO_DEEP))
            if isinstance(node, dict):
                for key, item in node.items():
                    if text_problem(key):
                        raise BadRequest(str(BAD_KEY))
                    stack.append((item, depth + 1, field or key))
            else:
                stack.extend((item, depth + 1, field) for item in node)
        elif isinstance(node, str) and (problem := text_problem(node)):
            return problem, field
    return None


def refuse_bad_json() -> None:
    """A 400 for a body too deep or a key that is not text; a 422 naming the
    field, as the API's schemas answer, for a string value that is not text."""
    if not request.is_json or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        value = json.loads(body)
    except RecursionError:
        raise BadRequest(str(TOO_DEEP)) from None
    except ValueError:
        return  # malformed: answered by the parser that reads it
    found = _problem(value)
    if found:
        message, field = found
        error = UnprocessableEntity(message)
        # The shape of flask-smorest's 422, read by konsey.web (field and message).
        error.data = {"messages": {"json": {field or "_schema": [message]}}}
        raise error
