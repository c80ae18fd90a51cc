"""The Celery app, created from the Flask app factory, and its schedule.

    celery -A workers worker      # runs the tasks
    celery -A workers beat        # one process: fires the periodic tasks

The Flask app is created on first use of ``workers.app`` (what ``celery -A``
asks for), not when a task module is imported, so tests and tools can import
the tasks without building an app from the environment.
"""

from __future__ import annotations

from datetime import timedelta

BEAT_SCHEDULE = {
    # Catches messages whose wake-up call was lost (broker down at the time).
    "sweep-outbox": {"task": "workers.mail.deliver_outbox", "schedule": timedelta(seconds=60)},
    # Every recipient's 09:00 (reminders) and 08:00 (digests) falls in some
    # run; dedupe keys make the frequent runs harmless.
    # Uploads whose wake-up call was lost, or whose worker died mid-way.
    "sweep-extraction": {
        "task": "workers.extraction.extract_pending",
        "schedule": timedelta(seconds=60),
    },
    # Embargoes that ended and derestriction dates that came: their events.
    "release-embargoes": {
        "task": "workers.documents.release_embargoes",
        "schedule": timedelta(seconds=60),
    },
    "scan-reminders": {"task": "workers.reminders.scan", "schedule": timedelta(minutes=10)},
    "run-digests": {"task": "workers.digests.run", "schedule": timedelta(minutes=10)},
    "immediate-notices": {"task": "workers.digests.immediate", "schedule": timedelta(seconds=30)},
}
TASK_MODULES = [
    "workers.mail",
    "workers.reminders",
    "workers.digests",
    "workers.extraction",
    "workers.documents",
]

_apps: dict = {}


def configure(celery) -> None:
    """Give a Celery app Konsey's tasks and schedule."""
    celery.conf.beat_schedule = BEAT_SCHEDULE
    celery.conf.include = TASK_MODULES
    for module in TASK_MODULES:
        __import__(module)


def _fresh_connections_after_fork(**_kwargs) -> None:
    # A forked pool process must not share the parent's database connections.
    flask_app = _apps.get("flask_app")
    if flask_app is not None:
        from konsey.extensions import db

        with flask_app.app_context():
            db.engine.dispose(close=False)


def _connect_signals() -> None:
    from celery.signals import worker_process_init

    worker_process_init.connect(_fresh_connections_after_fork, weak=False)


def __getattr__(name: str):
    if name in ("app", "celery_app", "flask_app"):
        if not _apps:
            from konsey import create_app

            flask_app = create_app()
            celery = flask_app.extensions["celery"]
            configure(celery)
            _connect_signals()
            _apps.update(flask_app=flask_app, celery_app=celery, app=celery)
        return _apps[name]
    raise AttributeError(name)
