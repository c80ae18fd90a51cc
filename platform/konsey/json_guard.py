"""The one guard on JSON bodies, before any view or schema parses them.

A body nested deeper than any API shape (json's decoder would recurse until
Python gives up), or holding a string (or key) that is not text a person
could type — NUL, C0/C1 control characters, lone surrogates that no encoding
can store — is refused with a 400 that says why. Malformed JSON is left to
the usual parsing (it answers 400 itself).
"""

from __future__ import annotations

import json

from flask import abort, request
from flask_babel import lazy_gettext as _l

from konsey.validation import text_problem

MAX_DEPTH = 32
TOO_DEEP = _l("The JSON body is nested too deeply (at most %(n)d levels).", n=MAX_DEPTH)
NOT_TEXT = _l(
    "A string in the JSON body holds a NUL, a control character or an unpaired "
    "surrogate; send plain text."
)


def _problem(value) -> str | None:
    """Walk the parsed body without recursion: depth, then every string."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                return str(TOO_DEEP)
            if isinstance(node, dict):
                for key, item in node.items():
                    if text_problem(key):
                        return str(NOT_TEXT)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str) and text_problem(node):
            return str(NOT_TEXT)
    return None


def refuse_bad_json() -> None:
    if not request.is_json or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        value = json.loads(body)
    except RecursionError:
        abort(400, description=str(TOO_DEEP))
    except ValueError:
        return  # malformed: answered by the parser that reads it
    problem = _problem(value)
    if problem:
        abort(400, description=problem)
