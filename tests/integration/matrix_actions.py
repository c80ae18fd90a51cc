"""Authorization-matrix rows for the actions routes (merged into MATRIX)."""

from __future__ import annotations

from tests.integration.matrix_roles import (  # noqa: F401
    ADMINS,
    ALLOW,
    DENY,
    LOGIN,
    MANAGERS,
    MEMBERS,
    NOTFOUND,
    PUBLIC,
    ROLES,
    SESSION_USERS,
    api,
    html,
)

ROWS: dict[tuple[str, str], dict[str, str]] = {}


def extend_world(world: dict) -> None:
    """Add the actions objects the rows need; put URL parameters in world["params"]."""
