"""Which language and time zone a page is shown in."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

LANGUAGE_NAMES = {
    "en": "English",
    "tr": "Türkçe",
    "ru": "Русский",
    "az": "Azərbaycan dili",
    "kk": "Қазақ тілі",
    "ky": "Кыргызча",
    "uz": "Oʻzbekcha",
}


def N_(text: str) -> str:
    """Marks ``text`` for the catalogs without translating it: for text that is
    stored in English and translated when it is shown (``gettext(text)``)."""
    return text


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def language_choices() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]
