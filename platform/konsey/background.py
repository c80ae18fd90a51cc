"""Celery wiring (Flask's pattern): tasks run inside the app context.

konsey never imports ``workers``: it names tasks by string and leaves outbox
rows that a periodic task sweeps up, so a request succeeds even when the
broker is down.
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import Celery, Task
from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)


def _broker(app: Flask) -> tuple[str, dict]:
    if app.config.get("REDIS_URL"):
        # A task a killed worker had taken comes back after this many seconds.
        return app.config["REDIS_URL"], {
            "visibility_timeout": app.config.get("CELERY_VISIBILITY_TIMEOUT", 3600)
        }
    # Embedded default: a kombu transport on the local disk, no server needed.
    folder = Path(app.instance_path) / "broker"
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # Called inside an app context (a test, an eager call from a
            # request), a task runs in that app: the default Celery app is
            # the last one created, which need not be the caller's.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    broker_url, transport_options = _broker(app)
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config.get("CELERY_BROKER_URL") or broker_url,
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        # A task is acknowledged when it finishes, so a worker killed in the
        # middle has it redelivered; tasks are idempotent, so that is harmless.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        beat_schedule_filename=str(Path(app.instance_path) / "celerybeat-schedule"),
        **app.config.get("CELERY", {}),
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(task_name: str, *args, **kwargs) -> bool:
    """Send a task by name; False (never an exception) when the broker is down.

    Whatever the task would do must also be reachable by a periodic sweep,
    so a lost message only delays work.
    """
    if current_app.config.get("MAIL_DELIVERY") == "inline":
        return False
    celery: Celery = current_app.extensions["celery"]
    try:
        celery.send_task(task_name, args=args, kwargs=kwargs, retry=False)
    except Exception as exc:  # the broker's errors vary by transport
        log.warning("could not enqueue %s: %s", task_name, exc)
        return False
    return True
