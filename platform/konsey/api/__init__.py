"""The JSON API under /api/v1, documented by /api/v1/openapi.json (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from konsey.api.schemas import ApiErrorSchema
from konsey.extensions import csrf


class KonseyApi(Api):
    """flask-smorest, leaving error pages to konsey.web: its handler would
    otherwise answer every error of the app (HTML pages too) in JSON."""

    # The "default" error response in the OpenAPI document: the shape that
    # konsey.web.json_error really sends, not flask-smorest's own.
    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self):
        pass


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
