"""API v1: documents, versions, files, search."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_documents", __name__, url_prefix="/api/v1", description="Documents")
