"""API v1: minutes, positions of member states."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_minutes", __name__, url_prefix="/api/v1", description="Minutes")
