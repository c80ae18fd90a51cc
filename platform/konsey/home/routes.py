"""The home page: "what needs me?" across all of the user's groups.

Served at ``/`` by ``konsey.web.index`` (whose endpoint every page already
links to as the start page), so this module holds the view, not a route.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from konsey.actions.labels import STATUS_LABELS
from konsey.home import queries
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.web import require


def home_page():
    require(Action.GROUP_LIST)
    home = queries.home_for(current_user, utcnow())
    return render_template(
        "home/index.html",
        home=home,
        due_soon_days=queries.DUE_SOON_DAYS,
        status_labels=STATUS_LABELS,
        user_zone=current_user.timezone,
    )
