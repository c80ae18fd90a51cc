"""Document libraries: lists, uploads, versions, downloads, search."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from konsey import confirm, policy
from konsey.documents import download, lineage, queries, services
from konsey.documents.distribution_forms import values as distribution_values
from konsey.documents.forms import (
    KIND_LABELS,
    VISIBILITY_LABELS,
    ConfirmForm,
    UploadForm,
    VersionForm,
    language_name,
)
from konsey.errors import ServiceError, ValidationError
from konsey.extensions import db
from konsey.forms import apply_service_error, page_number
from konsey.groups.queries import get_group
from konsey.models.base import utcnow
from konsey.policy import Action, DocumentAudience
from konsey.web import current_actor, require

bp = Blueprint("documents", __name__)

UPLOAD_ENDPOINTS = {"documents.upload", "documents.add_version"}
REQUEST_OVERHEAD = 1024 * 1024  # multipart headers and the form's other fields


def upload_request_limit() -> int:
    return current_app.config["MAX_UPLOAD_BYTES"] + REQUEST_OVERHEAD


@bp.url_value_preprocessor
def _raise_upload_limit(endpoint, values):
    # Runs before every before_request hook (CSRF and the NUL check read the
    # form), so an upload route's own limit applies when the body is parsed.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = upload_request_limit()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    message = _(
        "The upload is too large: the limit is %(size)s.",
        size=services.human_size(current_app.config["MAX_UPLOAD_BYTES"]),
    )
    if request.endpoint == "documents.upload" and current_user.is_authenticated:
        group = get_group(request.view_args.get("slug", ""))
        if group is not None and policy.can(current_user, Action.DOCUMENT_UPLOAD, group):
            form = UploadForm(formdata=None).setup(queries.agenda_items(group))
            form.file.errors = [message]
            return _upload_page(group, form, 413)
    return render_template("errors/error.html", status=413, message=message), 413


def _load_group(slug: str, action: Action):
    """Load (404) → check access (403)."""
    group = get_group(slug)
    if group is None:
        abort(404)
    require(action, group)
    return group


def _load_document(slug: str, document_id: int, action: Action, *, deleted=False):
    group = get_group(slug)
    if group is None:
        abort(404)
    audience = DocumentAudience.of(current_user) if action == Action.DOCUMENT_VIEW else None
    document = queries.get_document(group, document_id, deleted=deleted, audience=audience)
    if document is None:
        abort(404)
    require(action, document)
    return group, document


def _uploads(field: str = "file") -> list[services.Upload]:
    return [
        services.Upload(stream=f.stream, filename=f.filename)
        for f in request.files.getlist(field)
        if f.filename
    ]


# Library --------------------------------------------------------------------------
@bp.get("/groups/<slug>/documents")
@login_required
def library(slug: str):
    group = _load_group(slug, Action.GROUP_VIEW)
    filters = queries.LibraryFilter.from_args(request.args)
    page = queries.library_page(
        group, DocumentAudience.of(current_user), filters, page=page_number(request.args)
    )
    choices = queries.filter_choices(group, filters, utcnow())
    return render_template(
        "documents/library.html",
        group=group,
        page=page,
        documents=page.documents,
        filters=filters,
        kind_labels=KIND_LABELS,
        visibility_labels=VISIBILITY_LABELS,
        languages=current_app.config["DOCUMENT_LANGUAGES"],
        language_name=language_name,
        meetings=choices.meetings,
        agenda_items=choices.agenda_items,
        states=queries.uploader_states(group),
        can_upload=policy.can(current_user, Action.DOCUMENT_UPLOAD, group),
        can_delete=policy.can(current_user, Action.DOCUMENT_DELETE, group),
    )


def _upload_page(group, form, status=200):
    return (
        render_template(
            "documents/upload.html",
            group=group,
            form=form,
            max_size=services.human_size(current_app.config["MAX_UPLOAD_BYTES"]),
        ),
        status,
    )


@bp.route("/groups/<slug>/documents/upload", methods=["GET", "POST"])
@login_required
def upload(slug: str):
    group = _load_group(slug, Action.DOCUMENT_UPLOAD)
    agenda_items = queries.agenda_items(group)
    if request.method == "GET":
        form = UploadForm(formdata=None).setup(agenda_items)
        form.language.data = current_user.locale
        return _upload_page(group, form)
    form = UploadForm().setup(agenda_items)
    if not form.validate():
        return _upload_page(group, form, 422)
    try:
        documents = services.create_documents(
            current_actor(),
            group,
            _uploads(),
            **distribution_values(form, current_user.timezone or "UTC"),
            zone_name=current_user.timezone,
            title=form.title.data,
            description=form.description.data,
            kind=form.kind.data,
            language=form.language.data,
            visibility=form.visibility.data,
            agenda_item=form.agenda_item.data,
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _upload_page(group, form, exc.status)
    flash(
        ngettext(
            "%(num)d document is uploaded.", "%(num)d documents are uploaded.", len(documents)
        ),
        "success",
    )
    if len(documents) == 1:
        return redirect(url_for("documents.document", slug=slug, document_id=documents[0].id))
    return redirect(url_for("documents.library", slug=slug))


@bp.get("/groups/<slug>/documents/deleted")
@login_required
def deleted(slug: str):
    group = _load_group(slug, Action.DOCUMENT_DELETE)
    return render_template(
        "documents/deleted.html",
        group=group,
        documents=queries.deleted(group),
        purge_form=ConfirmForm(formdata=None),
        can_purge=policy.can(current_user, Action.DOCUMENT_PURGE),
        kind_labels=KIND_LABELS,
    )


# One document ---------------------------------------------------------------------
def _document_page(group, document, version_form=None, status=200, distribution_form=None, **extra):
    from konsey.documents.distribution_routes import page_context

    if version_form is None and policy.can(current_user, Action.DOCUMENT_VERSION, document):
        version_form = VersionForm(formdata=None).setup()
        latest = document.latest()
        version_form.language.data = latest.language if latest else current_user.locale
    return (
        render_template(
            "documents/document.html",
            group=group,
            document=document,
            version_form=version_form,
            delete_form=ConfirmForm(formdata=None),
            can_delete=policy.can(current_user, Action.DOCUMENT_DELETE, document),
            can_see_group=policy.can(current_user, Action.GROUP_VIEW, group),
            family=lineage.family(document, DocumentAudience.of(current_user)),
            can_derive=policy.can(current_user, Action.DOCUMENT_DERIVE, document),
            agenda_item=policy.linked_agenda_item(current_user, document),
            kind_labels=KIND_LABELS,
            visibility_labels=VISIBILITY_LABELS,
            language_name=language_name,
            human_size=services.human_size,
            **extra,
            **page_context(current_user, document, distribution_form),
        ),
        status,
    )


@bp.get("/groups/<slug>/documents/<int:document_id>")
@login_required
def document(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.DOCUMENT_VIEW)
    return _document_page(group, document)


@bp.post("/groups/<slug>/documents/<int:document_id>/versions")
@login_required
def add_version(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.DOCUMENT_VERSION)
    form = VersionForm().setup()
    if not form.validate():
        return _document_page(group, document, form, 422)
    uploads = _uploads()
    try:
        if len(uploads) != 1:
            raise ValidationError(_("Choose one file to upload."), "file")
        version = services.add_version(
            current_actor(), document, uploads[0], language=form.language.data
        )
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        document = queries.get_document(group, document_id)
        return _document_page(group, document, form, exc.status)
    flash(_("Version %(n)d is uploaded.", n=version.number), "success")
    return redirect(url_for("documents.document", slug=slug, document_id=document_id))


@bp.get("/groups/<slug>/documents/<int:document_id>/versions/<int:version_number>/file")
@login_required
def download_file(slug: str, document_id: int, version_number: int):
    _group, document = _load_document(slug, document_id, Action.DOCUMENT_VIEW)
    version = queries.get_version(document, version_number)
    if version is None:
        abort(404, description=_("This document has no version %(n)d.", n=version_number))
    try:
        return download.file_response(current_actor(), version)
    except services.FileCorrupt as exc:
        return render_template("errors/error.html", status=exc.status, message=exc.message), 409


@bp.post("/groups/<slug>/documents/<int:document_id>/delete")
@login_required
def delete(slug: str, document_id: int):
    _group, document = _load_document(slug, document_id, Action.DOCUMENT_DELETE)
    if not ConfirmForm().validate():
        abort(400)
    services.soft_delete(current_actor(), document)
    flash(_("“%(title)s” is deleted.", title=document.title), "success")
    return redirect(url_for("documents.library", slug=slug))


@bp.post("/groups/<slug>/documents/<int:document_id>/purge")
@login_required
def purge(slug: str, document_id: int):
    group, document = _load_document(slug, document_id, Action.DOCUMENT_PURGE, deleted=True)
    if not ConfirmForm().validate():
        abort(400)
    asked = confirm.require(
        "document.purge",
        document.id,
        confirm.Question(
            title=_("Purge “%(title)s”", title=document.title),
            question=_("Purge “%(title)s” for good?", title=document.title),
            consequence=_(
                "Its versions and their files are removed and cannot be brought back; "
                "the audit log keeps that it existed."
            ),
            button=_("Purge for good"),
            cancel_url=url_for("documents.deleted", slug=slug),
        ),
    )
    if asked is not None:
        return asked
    try:
        removed = services.purge(current_actor(), document)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _document_page(group, document, status=exc.status)
    flash(
        ngettext(
            "“%(title)s” is purged; %(num)d file is removed.",
            "“%(title)s” is purged; %(num)d files are removed.",
            removed,
            title=document.title,
        ),
        "success",
    )
    return redirect(url_for("documents.deleted", slug=slug))


# Search ---------------------------------------------------------------------------
@bp.get("/documents/search")
@login_required
def search_page():
    """The former documents-only search: the site's search, for documents."""
    require(Action.DOCUMENT_SEARCH)
    args = {k: v for k, v in request.args.items() if k in ("q", "page", "group", "language")}
    return redirect(url_for("search.page", **args, kind="document"), 301)


# Revisions, addenda, corrigenda; translation statuses (their routes are on this blueprint).
from konsey.documents import (  # noqa: E402, F401
    distribution_routes,
    lineage_routes,
    translation_routes,
)
