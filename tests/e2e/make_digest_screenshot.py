"""Render one realistic digest (the busy day of the digest tests, as the head
of Kazakhstan's delegation reads it) to docs/screenshots/digest.png with
Debian's headless Chromium.

    PYTHONPATH=platform:. .venv/bin/python tests/e2e/make_digest_screenshot.py [reader-email]

Uses a throw-away SQLite database; nothing is downloaded.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots" / "digest.png"


def main(reader: str = "head@kz.example.org") -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from konsey import create_app
    from konsey.models import OutboxMessage
    from konsey.notifications import digests
    from tests.conftest import _compile_catalogs
    from tests.integration import digest_world

    _compile_catalogs()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "KONSEY_ENV": "testing",
                "TESTING": True,
                "SECRET_KEY": "screenshot-only",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/digest.sqlite3",
                "MAIL_FOLDER": f"{tmp}/mail",
                "FILES_PATH": f"{tmp}/files",
                "MAIL_DELIVERY": "inline",
                "REDIS_URL": None,
                "SERVER_NAME": "konsey.example.org",
                "BASE_URL": "https://konsey.example.org",
            }
        )
        with app.app_context():
            upgrade()
            day = digest_world.build()
            digests.run(day.now + timedelta(seconds=1), force=True)
            from konsey.extensions import db

            message = db.session.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.recipient == reader,
                    OutboxMessage.dedupe_key.startswith("digest:"),
                )
            )
            page = Path(tmp) / "digest.html"
            page.write_text(message.body_html, encoding="utf-8")
            print(message.subject)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--screenshot={OUT}",
                "--window-size=900,1500",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(OUT)


if __name__ == "__main__":
    main(*sys.argv[1:])
