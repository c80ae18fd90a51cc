"""The JSON API under /api/v1, documented by /api/v1/openapi.json (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from konsey.api.schemas import ApiErrorSchema
from konsey.extensions import csrf


class KonseyApi(Api):
    """flask-smorest, leaving error pages to konsey.web: its handler would
    otherwise answer every error of the app (HTML pages too) in JSON."""

    # The shape that konsey.web.json_error really sends, not flask-smorest's own.
    ERROR_SCHEMA = ApiErrorSchema
    # No catch-all "default" response: each operation lists the statuses it
    # answers (konsey.api.blueprint adds those every operation can answer).
    DEFAULT_ERROR_RESPONSE_NAME = None

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
    from konsey.api import actions, documents, meetings, minutes, official, participants, routes
    from konsey.search import api as search_api

    blueprints = (routes.blp, meetings.blp, minutes.blp, documents.blp, actions.blp)
    for blp in (*blueprints, participants.blp, official.blp, search_api.blp):
        # Bearer-token calls carry no cookie, so CSRF does not apply to them;
        # protect_session_writes re-checks it for writes on the browser session.
        api.register_blueprint(blp)
        csrf.exempt(blp)
    app.before_request(protect_session_writes)


def protect_session_writes():
    from flask import request
    from flask_login import current_user

    if not request.path.startswith("/api/") or request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if current_user.is_authenticated:
        csrf.protect()
