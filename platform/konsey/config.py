"""Every setting, read from environment variables in one place.

The embedded default (no variables set) runs on SQLite and folders under the
instance path; production sets ``KONSEY_ENV=production`` plus ``SECRET_KEY``,
``DATABASE_URL``, ``REDIS_URL`` and the mail settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# The council's seven languages: English (the source), Turkish, Russian,
# Azerbaijani (Latin), Kazakh (Cyrillic), Kyrgyz (Cyrillic) and Uzbek (Latin).
# KONSEY_LANGUAGES (comma-separated codes, each with a catalog) narrows or
# reorders them; a user whose stored language is no longer listed is shown
# the best of their browser's languages (or the default) and told so.
DEFAULT_LANGUAGES = ("en", "tr", "ru", "az", "kk", "ky", "uz")
TRANSLATIONS = Path(__file__).parent / "translations"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from exc


def instance_path() -> Path:
    raw = os.environ.get("KONSEY_INSTANCE_PATH")
    path = Path(raw) if raw else Path.cwd() / "instance"
    return path.resolve()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance / 'konsey.sqlite3'}"
    # Heroku-style URLs and plain "postgresql://" select psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(env: str, instance: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if env == "production":
        raise ConfigError("SECRET_KEY must be set when KONSEY_ENV=production.")
    # Embedded default: a random key kept in the instance folder so sessions
    # survive restarts without anyone having to invent a secret.
    key_file = instance / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if key:  # an empty file (a write cut short) gets a new key below
            return key
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created readable by the owner only, never world-readable even briefly.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    key_file.chmod(0o600)
    return key


STORAGE_BACKENDS = ("local", "s3")


def _storage_settings(instance: Path, languages: tuple[str, ...]) -> dict:
    """Document files: where they are kept and how large they may be."""
    backend = os.environ.get("KONSEY_STORAGE", "local").strip().lower() or "local"
    if backend not in STORAGE_BACKENDS:
        raise ConfigError("KONSEY_STORAGE must be local or s3.")
    bucket = os.environ.get("KONSEY_S3_BUCKET", "").strip() or None
    if backend == "s3" and not bucket:
        raise ConfigError("KONSEY_S3_BUCKET must be set when KONSEY_STORAGE=s3.")
    document_languages = tuple(
        code.strip().lower()
        for code in os.environ.get("KONSEY_DOCUMENT_LANGUAGES", ",".join(languages)).split(",")
        if code.strip()
    )
    return {
        "OFFICIAL_LANGUAGES": _official_languages(document_languages),
        "STORAGE": backend,
        # Local store, and the staging folder of uploads for every backend.
        "FILES_PATH": os.environ.get("KONSEY_FILES_PATH", str(instance / "files")),
        "MAX_UPLOAD_BYTES": _int("KONSEY_MAX_UPLOAD_BYTES", 200 * 1024 * 1024),
        "DOCUMENT_LANGUAGES": document_languages,
        # An S3-compatible object store (AWS, MinIO, Ceph...): pip install 'konsey[s3]'.
        "S3_BUCKET": bucket,
        "S3_PREFIX": os.environ.get("KONSEY_S3_PREFIX", "documents/"),
        "S3_ENDPOINT_URL": os.environ.get("KONSEY_S3_ENDPOINT_URL", "").strip() or None,
        "S3_REGION": os.environ.get("KONSEY_S3_REGION", "").strip() or None,
        "S3_ACCESS_KEY_ID": os.environ.get("KONSEY_S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": os.environ.get("KONSEY_S3_SECRET_ACCESS_KEY") or None,
    }


def _official_languages(document_languages: tuple[str, ...]) -> tuple[str, ...]:
    """The council's official languages: each document's translation status is
    shown (and may be set) for each of them. A subset of the document languages."""
    raw = os.environ.get("KONSEY_OFFICIAL_LANGUAGES", "").strip()
    if not raw:
        return document_languages
    official = tuple(dict.fromkeys(c.strip().lower() for c in raw.split(",") if c.strip()))
    unknown = [c for c in official if c not in document_languages]
    if unknown:
        raise ConfigError(
            f"KONSEY_OFFICIAL_LANGUAGES names {', '.join(unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not a document language; "
            f"the document languages (KONSEY_DOCUMENT_LANGUAGES) are "
            f"{', '.join(document_languages)}."
        )
    return official


def _languages() -> tuple[str, ...]:
    """The interface languages; each needs a catalog (English is the source)."""
    languages = tuple(
        code.strip()
        for code in os.environ.get("KONSEY_LANGUAGES", ",".join(DEFAULT_LANGUAGES)).split(",")
        if code.strip()
    )
    unknown = [c for c in languages if c != "en" and not (TRANSLATIONS / c).is_dir()]
    if unknown:
        available = ", ".join(["en", *sorted(p.name for p in TRANSLATIONS.iterdir() if p.is_dir())])
        raise ConfigError(
            f"KONSEY_LANGUAGES names {', '.join(unknown)} without a catalog; "
            f"available: {available}."
        )
    return languages


def _account_security_settings() -> dict:
    """Login throttling, session lifetimes, API tokens, two-factor (OWASP ASVS V2/V3)."""
    return {
        # N failed logins on one account within the window lock that account
        # (even for the right password) for the lockout; an IP address only
        # at a much higher count, so one office behind one address still works.
        "LOGIN_THROTTLE_ACCOUNT_MAX": _int("KONSEY_LOGIN_THROTTLE_ACCOUNT_MAX", 10),
        "LOGIN_THROTTLE_IP_MAX": _int("KONSEY_LOGIN_THROTTLE_IP_MAX", 100),
        "LOGIN_THROTTLE_WINDOW": _int("KONSEY_LOGIN_THROTTLE_WINDOW", 15 * 60),
        "LOGIN_THROTTLE_LOCKOUT": _int("KONSEY_LOGIN_THROTTLE_LOCKOUT", 15 * 60),
        # Refused access (403) is logged and recorded once per user and route
        # within this many seconds; the refusals in between are counted.
        "ACCESS_REFUSAL_LOG_WINDOW": _int("KONSEY_ACCESS_REFUSAL_LOG_SECONDS", 60),
        # Sessions end after this long without a request (not "remember me"
        # sessions) and in any case after the absolute lifetime.
        "SESSION_IDLE_TIMEOUT": _int("KONSEY_SESSION_IDLE_MINUTES", 120) * 60,
        "SESSION_MAX_AGE": _int("KONSEY_SESSION_MAX_HOURS", 12) * 3600,
        "API_TOKEN_DEFAULT_DAYS": _int("KONSEY_API_TOKEN_DEFAULT_DAYS", 90),
        "API_TOKEN_MAX_DAYS": _int("KONSEY_API_TOKEN_MAX_DAYS", 365),
        # Coordinators and admins must set up TOTP before using anything else.
        "REQUIRE_2FA_FOR_MANAGERS": _bool(os.environ.get("KONSEY_REQUIRE_2FA_FOR_MANAGERS")),
        "TOTP_ISSUER": os.environ.get("KONSEY_TOTP_ISSUER", "Konsey"),
        # Behind a TLS-terminating proxy: how many proxies' X-Forwarded-* headers
        # to believe. Without it every client would share the proxy's address (one
        # IP throttle for everyone) and HTTPS would look like HTTP (no HSTS).
        "TRUSTED_PROXIES": _int("KONSEY_TRUSTED_PROXIES", 0),
    }


def _extraction_settings() -> dict:
    """Text extraction for search: a worker runs it in a child process with
    these limits per file (konsey.documents.sandbox); a file that reaches one
    is indexed with the text found so far and marked "limited"."""
    return {
        "EXTRACT_CPU_SECONDS": _int("KONSEY_EXTRACT_CPU_SECONDS", 10),
        "EXTRACT_MEMORY_MB": _int("KONSEY_EXTRACT_MEMORY_MB", 256),
        # Killed after this long however little CPU it used (stuck on I/O, say).
        "EXTRACT_WALL_SECONDS": _int("KONSEY_EXTRACT_WALL_SECONDS", 60),
        "EXTRACT_MAX_CHARS": _int("KONSEY_EXTRACT_MAX_CHARS", 200_000),
        # PDF: decoded page-content bytes and content operators parsed per file
        # (pypdf's cost grows with both); office files: XML elements per file.
        "EXTRACT_MAX_CONTENT_BYTES": _int("KONSEY_EXTRACT_MAX_CONTENT_BYTES", 4 * 1024 * 1024),
        "EXTRACT_MAX_OPERATORS": _int("KONSEY_EXTRACT_MAX_OPERATORS", 200_000),
        "EXTRACT_MAX_ELEMENTS": _int("KONSEY_EXTRACT_MAX_ELEMENTS", 1_000_000),
        # Attempts before a version whose worker died mid-way is marked failed.
        "EXTRACT_MAX_ATTEMPTS": _int("KONSEY_EXTRACT_MAX_ATTEMPTS", 3),
    }


def from_environment() -> dict:
    """Build the Flask config mapping from ``os.environ``."""
    env = os.environ.get("KONSEY_ENV", "development").strip().lower()
    if env not in {"development", "production", "testing"}:
        raise ConfigError("KONSEY_ENV must be development, production or testing.")
    instance = instance_path()
    languages = _languages()
    database_url = _database_url(instance)
    base_url = os.environ.get("KONSEY_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Secure cookies whenever the site is served over HTTPS.
    secure_cookies = env == "production" or base_url.startswith("https://")
    return {
        "KONSEY_ENV": env,
        "SECRET_KEY": _secret_key(env, instance),
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}
        if not database_url.startswith("sqlite")
        else {},
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip() or None,
        "BASE_URL": base_url,
        # Mail: every message is an outbox row first. With SMTP_HOST unset the
        # messages are written as .eml files to MAIL_FOLDER.
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Konsey <no-reply@konsey.example.org>"),
        "MAIL_FOLDER": os.environ.get("KONSEY_MAIL_FOLDER", str(instance / "mail")),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip() or None,
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USER": os.environ.get("SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool(os.environ.get("SMTP_STARTTLS")),
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", 30),
        # "worker": Celery workers deliver (the default; `make run` starts one);
        # "inline": the web process delivers right after the request (tests, no worker).
        "MAIL_DELIVERY": os.environ.get("KONSEY_MAIL_DELIVERY", "worker"),
        # Seconds before Redis hands a killed worker's unfinished task to another.
        "CELERY_VISIBILITY_TIMEOUT": _int("KONSEY_CELERY_VISIBILITY_TIMEOUT", 3600),
        "MAIL_MAX_ATTEMPTS": _int("KONSEY_MAIL_MAX_ATTEMPTS", 6),
        # Retries wait base × 2^(attempt-1) seconds: 30 s, 1 min, 2 min, 4 min, 8 min.
        "MAIL_RETRY_BASE_SECONDS": _int("KONSEY_MAIL_RETRY_BASE_SECONDS", 30),
        # Signed links in emails (password reset, first-time set-up).
        "PASSWORD_RESET_MAX_AGE": _int("KONSEY_PASSWORD_RESET_MAX_AGE", 2 * 3600),
        "INVITATION_MAX_AGE": _int("KONSEY_INVITATION_MAX_AGE", 7 * 24 * 3600),
        "PASSWORD_MIN_LENGTH": 12,
        # zxcvbn's guessability score (0-4) a new password needs (auth/passwords.py).
        "PASSWORD_MIN_SCORE": _int("KONSEY_PASSWORD_MIN_SCORE", 3),
        **_extraction_settings(),
        **_account_security_settings(),
        "LANGUAGES": languages,
        "BABEL_DEFAULT_LOCALE": "en",
        # The council's working language: lists ordered by member state (the list of
        # participants) sort the states' names in this language, for every reader.
        "WORKING_LANGUAGE": os.environ.get("KONSEY_WORKING_LANGUAGE", "en").strip() or "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "DEMO_PASSWORD": os.environ.get("KONSEY_DEMO_PASSWORD", "konsey-demo-2017"),
        # Cookies: HttpOnly and SameSite always; Secure when served over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": _int("KONSEY_REMEMBER_DAYS", 30) * 86400,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _int("KONSEY_MAX_REQUEST_BYTES", 1024 * 1024),
        # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json.
        "API_TITLE": "Konsey API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Document libraries (uploads raise MAX_CONTENT_LENGTH for themselves only).
        **_storage_settings(instance, languages),
    }
