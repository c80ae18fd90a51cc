"""A document's revision, addendum or corrigendum, created from its page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from konsey.documents import lineage, queries, services, symbols
from konsey.documents.forms import language_choices
from konsey.documents.routes import UPLOAD_ENDPOINTS, _load_document, _uploads, bp
from konsey.errors import ServiceError, ValidationError
from konsey.extensions import db
from konsey.forms import apply_service_error
from konsey.models.documents import Relation
from konsey.policy import Action
from konsey.web import current_actor

RELATION_LABELS = {
    Relation.REVISION: _l("Revision (replaces this document for new readers)"),
    Relation.ADDENDUM: _l("Addendum (adds to this document)"),
    Relation.CORRIGENDUM: _l("Corrigendum (corrects this document)"),
}
ENDPOINT = "documents.new_related"
# Its file may be as large as any upload's.
UPLOAD_ENDPOINTS.add(ENDPOINT)


class RelatedForm(FlaskForm):
    # Checked by the service, with a message.
    relation = SelectField(
        _l("Kind of related document"),
        choices=[(k.value, v) for k, v in RELATION_LABELS.items()],
        validate_choice=False,
    )
    file = FileField(_l("File"))
    title = StringField(_l("Title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    language = SelectField(_l("Language"), validate_choice=False)

    def setup(self) -> RelatedForm:
        self.language.choices = language_choices()
        return self


def _page(group, document, form, status=200):
    return (
        render_template(
            "documents/related_new.html",
            group=group,
            document=document,
            form=form,
            max_size=services.human_size(current_app.config["MAX_UPLOAD_BYTES"]),
        ),
        status,
    )


@bp.route("/groups/<slug>/documents/<int:document_id>/related/new", methods=["GET", "POST"])
@login_required
def new_related(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.DOCUMENT_DERIVE)
    if request.method == "GET":
        form = RelatedForm(formdata=None).setup()
        form.relation.data = request.args.get("relation", Relation.REVISION.value)
        latest = document.latest()
        form.language.data = latest.language if latest else current_user.locale
        form.title.data = document.title
        status = 200
        try:
            symbols.check_lineage(document, symbols.check_relation(form.relation.data))
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status = exc.status
        return _page(group, document, form, status)
    form = RelatedForm().setup()
    if not form.validate():
        return _page(group, document, form, 422)
    uploads = _uploads()
    try:
        if len(uploads) > 1:
            raise ValidationError(_("Choose one file to upload."), "file")
        created = lineage.create(
            current_actor(),
            document,
            uploads[0] if uploads else None,
            relation=form.relation.data,
            language=form.language.data,
            title=form.title.data,
            description=form.description.data,
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        document = queries.get_document(group, document_id)
        if document is None:
            abort(404)
        return _page(group, document, form, exc.status)
    flash(_("%(symbol)s is uploaded.", symbol=created.symbol), "success")
    return redirect(url_for("documents.document", slug=slug, document_id=created.id))
