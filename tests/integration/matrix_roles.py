"""Roles and expected outcomes of the authorization matrix, shared by its parts."""

from __future__ import annotations

ROLES = [
    "anonymous",
    "outsider",
    "observer",
    "expert",
    "delegate",
    "head",
    "coordinator",
    "admin",
    "deactivated",
    "deactivated_token",
    "delegate_token",
]
ALLOW, DENY, LOGIN, NOTFOUND = "allow", "deny", "login", "notfound"

SESSION_USERS = ["outsider", "observer", "expert", "delegate", "head", "coordinator", "admin"]
MEMBERS = ["observer", "expert", "delegate", "head", "coordinator", "admin"]
MANAGERS = ["coordinator", "admin"]
ADMINS = ["admin"]


def everyone(value=ALLOW):
    return dict.fromkeys(ROLES, value)


def html(allowed: list[str]):
    """An HTML route: the allowed roles pass, other users get 403, the rest log in."""
    expected = dict.fromkeys(ROLES, LOGIN)
    for role in SESSION_USERS:
        expected[role] = ALLOW if role in allowed else DENY
    return expected


def api(allowed: list[str]):
    """An API route: like html(), and an active token acts as its user."""
    expected = html(allowed)
    expected["delegate_token"] = ALLOW if "delegate" in allowed else DENY
    return expected


PUBLIC = everyone(ALLOW)
