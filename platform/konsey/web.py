"""Request plumbing shared by every blueprint: who is calling, errors, headers."""

from __future__ import annotations

import contextlib

from flask import (
    Blueprint,
    Flask,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import HTTPException

from konsey import audit, conflicts, headers, json_guard, policy, security_log
from konsey.extensions import db, login_manager
from konsey.htmx import is_htmx
from konsey.i18n import language_choices
from konsey.models import User
from konsey.redirects import safe_next

bp = Blueprint("web", __name__)

ERROR_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in to continue."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing at this address."),
    405: _l("This action is not allowed here."),
    412: _l("This is not the version of the file that your request expected."),
    413: _l("The request is too large."),
    416: _l("The requested part of the file is beyond its end."),
    422: _l("The request contains invalid data."),
    429: _l("Too many requests; please wait and try again."),
    500: _l("Something went wrong on our side; the secretariat has been told."),
    503: _l("The database is unavailable; please try again."),
}


def current_actor() -> audit.Actor:
    user = current_user if current_user.is_authenticated else None
    return audit.Actor(user=user, ip=request.remote_addr)


def require(action: policy.Action, obj=None) -> None:
    """Abort with 403 unless the current user may do ``action``."""
    if not current_user.is_authenticated:
        abort(401)
    if not policy.can(current_user, action, obj):
        security_log.note(obj, action)
        abort(403)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error(status: int, code: str, message: str, field: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    return jsonify(body), status


def _token_request() -> bool:
    return request.path.startswith("/api/") and "Authorization" in request.headers


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    # An API call that names a token is judged by that token alone, even if
    # the caller also has a session cookie.
    if _token_request():
        return None
    # "<user id>:<session token>": good only while its server-side session
    # row is live (konsey.auth.sessions: idle timeout, lifetime, log-outs).
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 10 or not token:
        return None
    from konsey.auth import sessions

    return sessions.load(int(user_id), token)


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    # Tokens are for programs using the API, not a way into the web pages.
    if not _token_request():
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    from konsey.auth.api_tokens import token_for_secret

    token = token_for_secret(secret.strip())
    if token is None:
        return None
    g.api_token_read_only = token.is_read_only
    return token.user


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _enforce_token_scope():
    """The one place a read-only API token is kept from changing anything."""
    if request.method in SAFE_METHODS or not _token_request():
        return None
    if current_user.is_authenticated and g.get("api_token_read_only"):
        return json_error(403, "forbidden", str(_l("This API token is read-only.")))
    return None


# RFC 6750: the API's 401 names its scheme, and says when a token was refused.
BEARER_REALM = "Konsey API"


def _bearer_challenge() -> str:
    params = {"realm": BEARER_REALM}
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        params["error"] = "invalid_token"
        params["error_description"] = "The token is unknown, expired or revoked."
    return WWWAuthenticate("Bearer", params).to_header()


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        response, status = json_error(401, "unauthorized", str(ERROR_MESSAGES[401]))
        return response, status, {"WWW-Authenticate": _bearer_challenge()}
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        # An expired session during an in-page update: send the whole page to
        # the login form instead of swapping it into a fragment.
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def _exception_headers(exc: HTTPException) -> list[tuple[str, str]]:
    """What the exception says beyond its page: ``Allow`` (405), ``Retry-After``
    (429, 503), ``Content-Range`` (416), ``WWW-Authenticate`` (401)..."""
    headers = exc.get_headers(request.environ)
    if exc.response is not None:
        headers += list(exc.response.headers.items())
    skip = {"content-type", "content-length"}
    return [(name, value) for name, value in headers if name.lower() not in skip]


def _handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if status == 401:
        return _unauthorized()
    message = str(ERROR_MESSAGES.get(status, exc.description or exc.name))
    if status in (400, 409) and exc.description and exc.description != type(exc).description:
        message = exc.description  # a specific explanation given by abort()
    if exc.description and exc.description != type(exc).description:
        # abort(400, description=_("...")): the page's own explanation says
        # more than the generic message for the status.
        message = str(exc.description)
    if isinstance(exc, CSRFError):
        message = str(_l("The form expired or was sent from another site; please try again."))
    headers = _exception_headers(exc)
    if wants_json():
        code = exc.name.lower().replace(" ", "_")
        field, detail = _validation_detail(exc)
        response, status = json_error(status, code, detail or message, field)
        return response, status, headers
    return render_template("errors/error.html", status=status, message=message), status, headers


def _validation_detail(exc: HTTPException) -> tuple[str | None, str | None]:
    """The first offending field of a flask-smorest (marshmallow) 422."""
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None, None
    for location in messages.values():
        if isinstance(location, dict) and location:
            field, errors = next(iter(location.items()))
            # marshmallow's key for the body as a whole (e.g. a list, not an object)
            field = None if field == "_schema" else field
            if isinstance(errors, list):
                return field, "; ".join(str(e) for e in errors)
            return field, str(errors)
    return None, None


def _handle_unexpected(exc: Exception):
    db.session.rollback()
    import logging

    logging.getLogger("konsey").exception("unhandled error")
    if wants_json():
        return json_error(500, "internal_error", str(ERROR_MESSAGES[500]))
    return render_template("errors/error.html", status=500, message=ERROR_MESSAGES[500]), 500


def _handle_database_unavailable(exc: Exception):
    """A dropped connection or a database refusing new ones (a restart, a
    failover): a clean 503, never a 500. The pool has discarded the dead
    connection (and pre-pings the others), so the next request starts afresh."""
    import logging

    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.close()
    logging.getLogger("konsey").warning("database unavailable: %s", exc.__class__.__name__)
    # The page is made without the database: as for a visitor (the user's
    # language and name would need it).
    g._login_user = login_manager.anonymous_user()
    # Translating needs no database: a visitor's language comes from the
    # session or the browser.
    message = str(ERROR_MESSAGES[503])
    try:
        if wants_json():
            response = json_error(503, "database_unavailable", message)
        else:
            response = render_template("errors/error.html", status=503, message=message), 503
    except sa_exc.SQLAlchemyError:
        db.session.close()
        response = f"<!doctype html><title>503</title><p>{message}</p>", 503
    return *response, {"Retry-After": "5"}


def _release_database_session(_exc=None) -> None:
    """Runs before Flask-SQLAlchemy's own teardown (registered later, run
    first): a connection the database has dropped cannot even roll back, and
    that failure must not turn an answer that is ready into a 500."""
    try:
        db.session.remove()
    except sa_exc.SQLAlchemyError:
        with contextlib.suppress(sa_exc.SQLAlchemyError):
            db.session().invalidate()  # the pool forgets the dead connection
        db.session.registry.clear()


def _refuse_nul_bytes():
    """A NUL byte is never legitimate text, and PostgreSQL cannot store it:
    refuse it at the door instead of failing deep in a query."""
    values = [*request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.values()
    if any("\x00" in v for v in values) or "\x00" in request.path:
        abort(400, description=str(_l("The request contains a NUL character.")))


@bp.route("/")
def index():
    """The start page: "what needs me?" once logged in."""
    if current_user.is_authenticated:
        from konsey.home.routes import home_page

        return home_page()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    """The language switch in the header: a visitor's choice lives in the
    session; a logged-in user's is saved as their profile's language."""
    from flask import current_app

    code = request.form.get("lang", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400, description=str(_l("Unsupported language.")))
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        if user.locale != code:
            audit.record(current_actor(), "user.locale", user, old=user.locale, new=code)
            user.locale = code
            db.session.commit()
        return redirect(safe_next(request.form.get("next"), url_for("web.index")))
    session["lang"] = code
    return redirect(safe_next(request.form.get("next"), url_for("auth.login")))


def csrf_field() -> Markup:
    """Every form's CSRF token, as one hidden input without an id: a page has
    many forms, and an id used twice is invalid HTML (WTForms' own
    ``form.csrf_token`` renders ``id="csrf_token"`` in each)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def _needs_count() -> int:
    """How many things need the logged-in user (the header's "3 need you"):
    computed only when a page's header is rendered, once per request."""
    from flask import g

    if not current_user.is_authenticated:
        return 0
    if "needs_count" not in g:
        from konsey.home.queries import needs_count
        from konsey.models.base import utcnow

        g.needs_count = needs_count(current_user, utcnow())
    return g.needs_count


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(sa_exc.IntegrityError, conflicts.integrity_error)
    for error in ("OperationalError", "DisconnectionError", "InterfaceError"):
        app.register_error_handler(getattr(sa_exc, error), _handle_database_unavailable)
    if not app.config.get("PROPAGATE_EXCEPTIONS"):
        app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_refuse_nul_bytes)
    app.before_request(json_guard.refuse_bad_json)
    app.before_request(_enforce_token_scope)
    app.after_request(headers.security_headers)
    app.after_request(security_log.record_refusal)
    app.teardown_appcontext(_release_database_session)

    @app.context_processor
    def _template_helpers():
        return {
            "can": lambda action, obj=None, **kw: policy.can(current_user, action, obj, **kw),
            "Action": policy.Action,
            "language_choices": language_choices,
            "get_locale": lambda: str(get_locale()),
            "needs_count": _needs_count,
        }

    app.jinja_env.globals["csrf_field"] = csrf_field
    from konsey import confirm

    # {{ confirm_attrs(step, id, question) }} on the <form> of an irreversible step.
    app.jinja_env.globals["confirm_attrs"] = confirm.attributes
    from konsey import timefmt

    # Also in emails, which are rendered outside any request.
    app.jinja_env.globals.update(meeting_when=timefmt.meeting_when, when=timefmt.show)
    # Babel's filters, made safe for stored instants at the calendar's ends.
    app.jinja_env.filters.update(
        datetimeformat=timefmt.safe_datetimeformat, dateformat=timefmt.safe_dateformat
    )
    # <time datetime="{{ x|machine_time }}">: every machine-readable date and instant.
    app.jinja_env.filters["machine_time"] = timefmt.machine
