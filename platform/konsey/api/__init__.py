"""The JSON API under /api/v1, documented by /api/v1/openapi.json (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from konsey.extensions import csrf
from konsey.web import json_error


class KonseyApi(Api):
    """flask-smorest with Konsey's error shape: {"error": {"code", "message"}}."""

    def handle_http_exception(self, error):
        from konsey.web import ERROR_MESSAGES

        status = error.code or 500
        message = error.description if status == 422 else None
        data = getattr(error, "data", None) or {}
        field = None
        if status == 422 and "messages" in data:
            # marshmallow: {"json": {"field": ["msg"]}} → first offending field
            for location in data["messages"].values():
                if isinstance(location, dict) and location:
                    field, msgs = next(iter(location.items()))
                    message = "; ".join(str(m) for m in msgs) if isinstance(msgs, list) else str(msgs)
                    break
        message = message or str(ERROR_MESSAGES.get(status, error.name))
        code = error.name.lower().replace(" ", "_")
        return json_error(status, code, message, field)


api = KonseyApi()


def init_api(app: Flask) -> None:
    api.init_app(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        },
    )
    from konsey.api.routes import blp

    api.register_blueprint(blp)
    # Bearer-token calls carry no cookie, so CSRF does not apply to them;
    # routes.py re-checks it for writes that ride on the browser session.
    csrf.exempt(blp)
