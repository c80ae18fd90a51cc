"""A write that a database constraint refused because another request made
it first: answered 409 with the reason (web page or API JSON), never a 500."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc

from konsey.extensions import db

# Why a unique index refused a write, by its name; any other: the generic reason.
CONSTRAINT_REASONS = {
    "uq_membership_one_head": _l(
        "This member state already has a head of delegation in this group."
    ),
    "uq_membership_group_user": _l("This person is already in this group."),
}
INTEGRITY_REASON = _l(
    "This conflicts with a change saved at the same moment (the same thing added twice?); "
    "reload the page and try again."
)


def integrity_error(exc: sa_exc.IntegrityError):
    """Two requests racing to write the same thing: the database's constraint
    kept the record right; the loser gets a 409 with the reason, not a 500."""
    from konsey.web import json_error, wants_json

    db.session.rollback()
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    logging.getLogger("konsey").warning("integrity error: %s", constraint or exc.orig)
    message = str(CONSTRAINT_REASONS.get(constraint, INTEGRITY_REASON))
    if wants_json():
        return json_error(409, "conflict", message)
    return render_template("errors/error.html", status=409, message=message), 409
