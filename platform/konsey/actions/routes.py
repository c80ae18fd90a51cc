"""Action items: what is owed, by which member state or person, by when."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("actions", __name__)
