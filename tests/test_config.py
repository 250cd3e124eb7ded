"""Configuration read from the environment (CONTRACT.md)."""
import importlib

import pytest


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import config

    importlib.reload(config)
    try:
        from app import create_app

        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(config.ProductionConfig)
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_default_locale_is_russian_and_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BABEL_DEFAULT_LOCALE", raising=False)
    import config

    importlib.reload(config)
    assert config.Config.BABEL_DEFAULT_LOCALE == "ru"
    assert config.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/appeals.db")
    assert config.Config.REDIS_URL is None
