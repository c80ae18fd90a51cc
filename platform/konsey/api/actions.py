"""API v1: action items and their updates."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_actions", __name__, url_prefix="/api/v1", description="Action items")
