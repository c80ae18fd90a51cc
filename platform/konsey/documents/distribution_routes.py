"""A document's distribution and embargo on its page: the marking, the line
saying why the reader may see it, and the coordinators' form."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from konsey import policy, timefmt
from konsey.documents import embargo
from konsey.documents.distribution_forms import (
    DISTRIBUTION_LABELS,
    DistributionForm,
    fill,
    values,
)
from konsey.documents.routes import _document_page, _load_document, bp
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.policy import Action
from konsey.web import current_actor


@bp.app_template_global("document_marking")
def document_marking(document) -> dict:
    """What lists and pages show of a document's distribution and embargo, now."""
    distribution = embargo.distribution_at(document)
    return {
        "distribution": distribution,
        "label": DISTRIBUTION_LABELS[distribution],
        "embargoed": policy.under_embargo(document),
    }


def page_context(user, document, form=None) -> dict:
    """The document page's part: the "why can I see this" line, the marking,
    the embargo and derestriction dates in the reader's zone, the form."""
    zone = user.timezone or "UTC"
    can_edit = policy.can(user, Action.DOCUMENT_DISTRIBUTION, document)
    if can_edit and form is None:
        form = DistributionForm(formdata=None)
        fill(form, document, zone)
    derestrict = document.derestrict_at if document.derestricted_at is None else None
    return {
        "why_visible": policy.why_visible(user, document),
        "marking": document_marking(document),
        "embargo_shown": timefmt.show(document.embargo_until, zone),
        "released_shown": timefmt.show(document.released_at, zone),
        "derestrict_shown": timefmt.show(derestrict, zone),
        "distribution_form": form if can_edit else None,
    }


@bp.post("/groups/<slug>/documents/<int:document_id>/distribution")
@login_required
def distribution(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.DOCUMENT_DISTRIBUTION)
    form = DistributionForm()
    if not form.validate():
        return _document_page(group, document, distribution_form=form, status=422)
    try:
        embargo.update(
            current_actor(),
            document,
            values(form, current_user.timezone or "UTC"),
            zone_name=current_user.timezone,
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        group, document = _load_document(slug, document_id, Action.DOCUMENT_DISTRIBUTION)
        return _document_page(group, document, distribution_form=form, status=exc.status)
    flash(_("The distribution and embargo are saved."), "success")
    return redirect(url_for("documents.document", slug=slug, document_id=document_id))
