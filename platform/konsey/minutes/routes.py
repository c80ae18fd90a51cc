"""Minutes of a meeting: versions, comments, member states' positions, signature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__)
