"""konsey.config.from_environment: the settings an operator's environment gives."""

from __future__ import annotations

import stat

import pytest

from konsey.config import ConfigError, from_environment

VARIABLES = [
    "KONSEY_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "KONSEY_INSTANCE_PATH",
    "KONSEY_LANGUAGES",
    "KONSEY_MAIL_FOLDER",
    "SMTP_HOST",
    "SMTP_PORT",
    "KONSEY_DEMO_PASSWORD",
]


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment whose instance folder is a fresh temporary path."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(instance))
    return instance


def test_production_without_secret_key_is_refused(env, monkeypatch):
    monkeypatch.setenv("KONSEY_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment()
    # ... and no key was invented on disk for it.
    assert not (env / "secret_key").exists()


def test_production_with_blank_secret_key_is_refused(env, monkeypatch):
    monkeypatch.setenv("KONSEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "   ")
    with pytest.raises(ConfigError):
        from_environment()


def test_production_with_secret_key(env, monkeypatch):
    monkeypatch.setenv("KONSEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret")
    config = from_environment()
    assert config["KONSEY_ENV"] == "production"
    assert config["SECRET_KEY"] == "a-real-production-secret"
    # Cookies only over HTTPS in production.
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert not (env / "secret_key").exists()


def test_development_creates_then_reuses_a_secret_key_file(env):
    first = from_environment()
    key_file = env / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first["SECRET_KEY"]) >= 32
    assert key_file.read_text().strip() == first["SECRET_KEY"]

    second = from_environment()
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["SESSION_COOKIE_SECURE"] is False


def test_an_empty_secret_key_file_is_replaced_by_a_real_key(env):
    """A key file left empty (e.g. the disk was full) must not become SECRET_KEY=""."""
    env.mkdir(parents=True)
    (env / "secret_key").write_text("\n")
    key = from_environment()["SECRET_KEY"]
    assert len(key) >= 32
    assert from_environment()["SECRET_KEY"] == key
    assert stat.S_IMODE((env / "secret_key").stat().st_mode) == 0o600


def test_development_keys_differ_between_instances(env, monkeypatch, tmp_path):
    first = from_environment()["SECRET_KEY"]
    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path / "other"))
    assert from_environment()["SECRET_KEY"] != first


def test_secret_key_from_environment_wins_over_the_file(env, monkeypatch):
    from_environment()
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert from_environment()["SECRET_KEY"] == "from-the-environment"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        (
            "postgres://u:p%40ss@db.example.org:6432/konsey?sslmode=require",
            "postgresql+psycopg://u:p%40ss@db.example.org:6432/konsey?sslmode=require",
        ),
        ("  postgresql://u@h/db  ", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////var/lib/konsey/konsey.sqlite3", "sqlite:////var/lib/konsey/konsey.sqlite3"),
    ],
)
def test_database_url(env, monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    config = from_environment()
    assert config["SQLALCHEMY_DATABASE_URI"] == expected
    if expected.startswith("postgresql"):
        assert config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True


def test_default_database_is_sqlite_in_the_instance_folder(env):
    config = from_environment()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{env.resolve() / 'konsey.sqlite3'}"
    assert config["INSTANCE_PATH"] == str(env.resolve())
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    assert config["REDIS_URL"] is None
    assert config["KONSEY_ENV"] == "development"


def test_default_instance_path_is_under_the_working_directory(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    config = from_environment()
    assert config["INSTANCE_PATH"] == str((tmp_path / "instance").resolve())
    assert config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{(tmp_path / 'instance').resolve() / 'konsey.sqlite3'}"
    )


@pytest.mark.parametrize("value", ["staging", "prod", "dev", "live"])
def test_unknown_konsey_env_is_refused(env, monkeypatch, value):
    monkeypatch.setenv("KONSEY_ENV", value)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="KONSEY_ENV"):
        from_environment()


@pytest.mark.parametrize("value", ["Production", " production ", "PRODUCTION"])
def test_konsey_env_ignores_case_and_spaces(env, monkeypatch, value):
    monkeypatch.setenv("KONSEY_ENV", value)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment()  # recognised as production, so the key is required


def test_redis_url_and_languages(env, monkeypatch):
    monkeypatch.setenv("REDIS_URL", " redis://cache:6379/0 ")
    monkeypatch.setenv("KONSEY_LANGUAGES", "en, tr ,,ru")
    config = from_environment()
    assert config["REDIS_URL"] == "redis://cache:6379/0"
    assert config["LANGUAGES"] == ("en", "tr", "ru")


def test_non_integer_setting_is_refused(env, monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        from_environment()


def test_prepared_languages_can_be_enabled(env, monkeypatch):
    monkeypatch.setenv("KONSEY_LANGUAGES", "en,tr,ru,az,kk,ky,uz")
    assert from_environment()["LANGUAGES"] == ("en", "tr", "ru", "az", "kk", "ky", "uz")


def test_language_without_a_catalog_is_refused(env, monkeypatch):
    monkeypatch.setenv("KONSEY_LANGUAGES", "en,tr,de")
    with pytest.raises(ConfigError, match="de without a catalog"):
        from_environment()
