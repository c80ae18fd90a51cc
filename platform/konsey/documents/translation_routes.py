"""The document page's translation statuses: the coordinators' form, and the
template helpers every document list uses to show the language versions."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from konsey.documents import translations
from konsey.documents.forms import language_name
from konsey.documents.routes import _document_page, _load_document, bp
from konsey.errors import ServiceError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.timefmt import local
from konsey.web import current_actor


class TranslationForm(FlaskForm):
    # Own ids: the page's version form has a "language" field too.
    language = SelectField(_l("Language"), validate_choice=False, id="translation-language")
    status = SelectField(
        _l("Status"),
        choices=[(s.value, translations.STATUS_LABELS[s]) for s in translations.SETTABLE],
        validate_choice=False,  # the service says why (translations.check_status)
        id="translation-status",
    )
    due_on = StringField(
        _l("Due date"),
        render_kw={"type": "date"},
        id="translation-due-on",
        description=_l("Required for a request; today or later. Empty when not planned."),
    )

    def setup(self, document) -> TranslationForm:
        self.language.choices = [
            (s.language, language_name(s.language))
            for s in translations.states(document)
            if s.official and not s.readable and s.status != translations.ORIGINAL
        ]
        return self


def coordinator_today():
    """Today in the coordinator's own time zone (a due date "in the past" is theirs)."""
    return local(utcnow(), current_user.timezone or "UTC").date()


@bp.app_context_processor
def _translation_helpers():
    def translation_states(document):
        reader = current_user.locale if current_user.is_authenticated else None
        return translations.states(document, reader)

    def translation_form(document):
        return TranslationForm(formdata=None).setup(document)

    return {"translation_states": translation_states, "translation_form": translation_form}


@bp.post("/groups/<slug>/documents/<int:document_id>/translations")
@login_required
def set_translation(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.TRANSLATION_MANAGE)
    # CSRF is checked for every form by the app (CSRFProtect); the values
    # are the service's to judge, with its reasons.
    form = TranslationForm().setup(document)
    try:
        row = translations.set_status(
            current_actor(),
            document,
            form.language.data,
            form.status.data,
            form.due_on.data,
            today=coordinator_today(),
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _document_page(group, document, status=exc.status, translation_form_errors=form)
    flash(
        _(
            "%(language)s: %(status)s.",
            language=language_name(row.language),
            status=translations.STATUS_LABELS[row.status],
        ),
        "success",
    )
    return redirect(
        url_for("documents.document", slug=slug, document_id=document_id, _anchor="translations")
    )
