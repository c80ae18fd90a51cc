"""Meetings of a group: list, page with agenda, planning, attendance, calendars."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("meetings", __name__)
