"""Progressive enhancement with htmx: the same route answers a plain form
POST with a redirect, and an htmx request with just the changed fragment."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    # htmx sends "HX-Request: true" on every request it makes; a browser
    # without JavaScript never does.
    return request.headers.get("HX-Request") == "true"


def fragment(template: str, status: int = 200, **context):
    """A partial template as the answer to an htmx request."""
    response = make_response(render_template(template, **context), status)
    # The same URL answers differently with and without the header.
    response.vary.add("HX-Request")
    return response
