"""The search page, /search: one box over everything the reader may open."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.forms import page_number
from konsey.models import WorkingGroup
from konsey.policy import Action
from konsey.search import params, query
from konsey.search.links import KIND_LABELS, link_of
from konsey.web import require

bp = Blueprint("search", __name__)


@bp.get("/search")
@login_required
def page():
    require(Action.SEARCH)
    args = request.args
    text = args.get("q", "")[: query.MAX_QUERY_CHARS]
    values = {
        "kind": args.get("kind", ""),
        "group": args.get("group", ""),
        "language": args.get("language", ""),
        "date_from": args.get("from", ""),
        "date_to": args.get("to", ""),
    }
    error, status = None, 200
    try:
        filters = params.filters_from(**values)
    except ValidationError as exc:
        error, status = exc, 400
        results = query.Results(query.terms_of(text))
    else:
        results = query.search(current_user, text, filters, page=page_number(args))
    groups = db.session.execute(
        select(WorkingGroup.slug, WorkingGroup.name).order_by(WorkingGroup.name)
    ).all()
    return (
        render_template(
            "search/page.html",
            query=text,
            values=values,
            error=error,
            results=results,
            groups=groups,
            languages=params.languages(),
            kind_labels=KIND_LABELS,
            link_of=link_of,
        ),
        status,
    )
