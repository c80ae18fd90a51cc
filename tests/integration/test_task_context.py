"""A task called in an app context runs in that app, whichever Flask app was
created last (Celery's default app follows the last ``create_app``)."""

from __future__ import annotations

from celery import shared_task
from flask import current_app


@shared_task(name="tests.which_database")
def which_database() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def test_a_task_runs_in_the_callers_app_after_another_app_was_made(ctx, tmp_path):
    from konsey import create_app

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-instance",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "REDIS_URL": None,
            "MAIL_DELIVERY": "inline",
        }
    )
    assert which_database() == ctx.config["SQLALCHEMY_DATABASE_URI"]
    # Outside any app context, the task's own app (the worker's) is used.
    with other.app_context():
        assert which_database() == other.config["SQLALCHEMY_DATABASE_URI"]
