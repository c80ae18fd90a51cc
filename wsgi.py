"""WSGI entry point: ``gunicorn wsgi:app`` / ``flask --app wsgi …``."""

from konsey import create_app

app = create_app()
