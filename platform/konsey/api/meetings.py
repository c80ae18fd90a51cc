"""API v1: meetings and their agendas."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_meetings", __name__, url_prefix="/api/v1", description="Meetings")
