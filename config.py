"""Configuration classes read from the environment (see shared CONTRACT.md).

``create_app`` takes one of these classes (or a subclass, as the tests do).
Nothing here touches the database or the network.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _dev_secret_key() -> str:
    """A secret generated once into ``instance/`` so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "default", "qabyldau",
                "\2\1thisismyscretkey\1\2\\e\\y\\y\\h"}


class Config:
    APP_NAME = "Qabyldau"
    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY") or ""
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE_DIR / 'appeals.db'}"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # --- Flask-AppBuilder -------------------------------------------------
    # Tables come from migrations only; permissions are synced by a command.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = False
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_BASE_TEMPLATE = "qabyldau/baselayout.html"
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.QabyldauSecurityManager"
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    WTF_CSRF_ENABLED = True
    APP_THEME = ""

    # --- Hardening ------------------------------------------------------------
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "5 per minute")  # failed logins per user name
    AUTH_RATE_LIMIT_ADDRESS = os.environ.get("AUTH_RATE_LIMIT_ADDRESS", "30 per minute")  # … per client address
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis unreachable: the limiter counts in memory (Flask-Limiter logs it)
    # instead of answering 500 to every login
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # no request body larger than this (an import file included): 413
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 25 * 1024 * 1024))
    RATELIMIT_SWALLOW_ERRORS = True
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    # FAB_PASSWORD_COMPLEXITY_VALIDATOR: app.security.hardening.password_policy (set by create_app)
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=30)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)

    # --- Languages ----------------------------------------------------------
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "ru")
    # FAB's own catalogues come first; babel/fab adds a Kazakh one for FAB's
    # strings (FAB ships none); ours last, so our wording wins.
    BABEL_TRANSLATION_DIRECTORIES = f"{BASE_DIR / 'babel' / 'fab'};{BASE_DIR / 'babel'}"
    LANGUAGES = {
        "ru": {"flag": "ru", "name": "Русский"},
        "kk": {"flag": "kz", "name": "Қазақша"},
        "en": {"flag": "gb", "name": "English"},
    }

    # --- Scale ------------------------------------------------------------
    # Lists count matching rows up to this many, then show "10 000+".
    LIST_COUNT_CAP = int(os.environ.get("LIST_COUNT_CAP", "10000"))
    # ... and a text search up to this many ("1 000+").
    SEARCH_COUNT_CAP = int(os.environ.get("SEARCH_COUNT_CAP", "1000"))
    # Role grants are read once per this many seconds per process (a role's
    # change in this process is seen at once).
    PERMISSION_CACHE_SECONDS = int(os.environ.get("PERMISSION_CACHE_SECONDS", "60"))

    # --- Domain settings ----------------------------------------------------
    TIMEZONE = "Asia/Almaty"
    # The working day ends at 18:30: later receipts are registered the next
    # working day (R25). The registration day counts as day 1 of every term.
    WORKDAY_END = os.environ.get("WORKDAY_END", "18:30")
    COUNT_REGISTRATION_DAY = True
    LETTER_BACKDATE_WORKING_DAYS = int(os.environ.get("LETTER_BACKDATE_WORKING_DAYS", "5"))
    """How many working days before today a letter's ``sent_on`` may be (R6, R32)."""
    # A GeoJSON of district boundaries keyed by KATO code ("kato" property);
    # unset: the problem map is a schematic tile map (see README).
    DISTRICTS_GEOJSON = os.environ.get("DISTRICTS_GEOJSON") or None
    SATISFACTION_MIN_ANSWERS = int(os.environ.get("SATISFACTION_MIN_ANSWERS", "5"))
    # Background jobs (rq): results kept for a week; exports written here.
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "appeals")
    JOB_RESULT_TTL = int(os.environ.get("JOB_RESULT_TTL", str(7 * 86400)))
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or None
    # Files attached to appeals, applicants and protocols: shared storage like
    # EXPORT_DIR (unset: <instance>/attachments); the largest file accepted.
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR") or None
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
    # E-mail of the deadline reminders (unset MAIL_SERVER: in-app only).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "qabyldau@localhost")
    # The panel's address as its users open it (links in e-mails); unset: paths only.
    PANEL_URL = os.environ.get("PANEL_URL") or None
    # Systemic-problem alerts (M7.1, app/domain/signals.py): the trailing weeks of
    # the baseline, the least count that may alert, the tail probability.
    ALERT_BASELINE_WEEKS = int(os.environ.get("ALERT_BASELINE_WEEKS", "8"))
    ALERT_MIN_COUNT = int(os.environ.get("ALERT_MIN_COUNT", "5"))
    ALERT_P_VALUE = float(os.environ.get("ALERT_P_VALUE", "0.001"))

    @classmethod
    def validate(cls) -> None:
        """Called by create_app; development fills in what it can."""
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _dev_secret_key()


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret-key-of-sufficient-length-0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = False
    # The suite logs in some two thousand times: a cheap hash there only
    # (every other configuration keeps FAB's default, scrypt; tests/security
    # checks that it does).
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    DEMO_TRAIN_TOPICS = False  # the topic tests train the models they test; each demo build would take 4 s more


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    @classmethod
    def validate(cls) -> None:
        secret = os.environ.get("SECRET_KEY", "")
        if secret and (len(secret) < 32 or secret.lower() in WEAK_SECRETS):
            raise RuntimeError("APP_ENV=production refuses a default or short SECRET_KEY (32+ characters)")
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL")
            if not os.environ.get(name)
        ]
        if missing:
            raise RuntimeError(
                "APP_ENV=production requires " + ", ".join(missing) + " to be set"
            )


def config_for_env() -> type[Config]:
    env = os.environ.get("APP_ENV", "development")
    return {"production": ProductionConfig, "testing": TestingConfig}.get(
        env, DevelopmentConfig
    )
