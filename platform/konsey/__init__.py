"""Konsey: collaboration platform for inter-state working groups."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from konsey import config as konsey_config

_SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _numbers_up_to(n: int) -> str:
    """A regex for the decimal numbers 0…n."""
    digits = str(n)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            options.append(
                digits[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join([*options, digits]) + ")"


class _DatabaseIntConverter(IntegerConverter):
    # The regex, not only ``max``, keeps out numbers past a database integer:
    # werkzeug checks the method before to_python, so a PATCH to
    # /actions/99999999999 would answer 405 (GET allowed) instead of 404.
    regex = _numbers_up_to(2**31 - 1)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, CLI."""
    settings = konsey_config.from_environment()
    if test_config:
        settings.update(test_config)
    # A checkout uses ./templates; an installed wheel carries its own copy.
    templates = _SOURCE_TEMPLATES if _SOURCE_TEMPLATES.is_dir() else _PACKAGED_TEMPLATES
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(templates),
    )
    app.config.update(settings)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # Ids in URLs fit a database integer; a larger number is simply not found.
    app.url_map.converters["int"] = _DatabaseIntConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from konsey import web
    from konsey.extensions import babel, csrf, db, login_manager, migrate
    from konsey.i18n import select_locale, select_timezone

    db.init_app(app)
    from konsey.notifications import trigger

    trigger.install()  # a change that needs someone wakes the notice task
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    web.init_app(app)

    from konsey.account.routes import bp as account_bp
    from konsey.actions.routes import bp as actions_bp
    from konsey.admin.routes import bp as admin_bp
    from konsey.api import init_api
    from konsey.auth.routes import bp as auth_bp
    from konsey.documents.routes import bp as documents_bp
    from konsey.groups.routes import bp as groups_bp
    from konsey.health import bp as health_bp
    from konsey.meetings.routes import bp as meetings_bp
    from konsey.minutes.routes import bp as minutes_bp
    from konsey.notifications.routes import bp as notifications_bp
    from konsey.search.routes import bp as search_bp

    for blueprint in (
        auth_bp,
        account_bp,
        admin_bp,
        groups_bp,
        meetings_bp,
        minutes_bp,
        documents_bp,
        actions_bp,
        notifications_bp,
        health_bp,
        search_bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)

    from konsey.background import celery_init_app

    celery_init_app(app)

    from konsey.cli import konsey_cli

    app.cli.add_command(konsey_cli)
    return app
