"""Login rate limit, password policy, security headers, production secrets."""
import re

import pytest

from config import TestingConfig
from tests.conftest import DEMO_PASSWORD, login


def test_login_is_locked_after_repeated_failures(app):
    from app import create_app

    class Limited(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = True
        AUTH_RATE_LIMIT = "3 per minute"

    limited = create_app(Limited)
    client = limited.test_client()
    codes = [client.post("/login/", data={"username": "manager", "password": "wrong"}).status_code for _ in range(5)]
    assert codes[:3] != [429, 429, 429] and codes[-1] == 429, codes
    api = [client.post("/api/v1/security/login", json={"username": "manager", "password": "x", "provider": "db"}).status_code
           for _ in range(5)]
    assert api[-1] == 429, api
    with limited.app_context():
        from app.extensions import db

        db.session.remove()


def test_login_works_and_is_still_limited_when_redis_is_unreachable(app):
    """The limiter's Redis gone (a closed port): logins go on, counted in memory."""
    from app import create_app

    class RedisGone(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:9/0"
        AUTH_RATE_LIMIT = "3 per minute"

    gone = create_app(RedisGone)
    client = gone.test_client()
    r = client.post("/login/", data={"username": "manager", "password": DEMO_PASSWORD})
    assert r.status_code == 302, r.status_code
    r = client.post("/api/v1/security/login", json={"username": "manager", "password": DEMO_PASSWORD, "provider": "db"})
    assert r.status_code == 200, r.status_code
    client.get("/logout/")
    codes = [client.post("/login/", data={"username": "manager", "password": "wrong"}).status_code for _ in range(4)]
    assert codes[-1] == 429, codes  # failed logins still limited, in memory
    with gone.app_context():
        from app.extensions import db

        db.session.remove()


@pytest.mark.parametrize(
    "password,ok",
    [("short1", False), ("onlyletterslong", False), ("1234567890123", False), ("qwerty12345", False),
     ("manager2026xyz", False), ("Жетісу-2026-тау", True), ("r7T!kq2pZx", True)],
)
def test_password_policy(app, password, ok):
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.security.hardening import password_policy

    with app.test_request_context("/users/add", method="POST", data={"username": "manager"}):
        if ok:
            password_policy(password)
        else:
            with pytest.raises(PasswordComplexityValidationError):
                password_policy(password)


def test_admin_cannot_create_a_user_with_a_weak_password(client, app):
    login(client, "admin")
    r = client.post("/users/add", data={
        "first_name": "Слабый", "last_name": "Пароль", "username": "weakling", "email": "weak@qabyldau.local",
        "active": "y", "roles": [], "password": "qwerty12345", "conf_password": "qwerty12345",
    })
    assert r.status_code == 200
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="weakling") is None


def test_security_headers_and_script_nonce(client):
    login(client, "manager")
    r = client.get("/appealview/list/")
    csp = r.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]
    scripts = re.findall(r"<script[^>]*>", r.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts), scripts[:3]


def test_csrf_is_required_outside_tests(app):
    from config import Config

    assert Config.WTF_CSRF_ENABLED is True
    assert TestingConfig.WTF_CSRF_ENABLED is False  # the test client posts forms directly


def test_passwords_are_hashed_with_scrypt_outside_the_test_suite(tmp_path):
    """Only the suite's own configuration takes a cheap hash (it logs in
    thousands of times); a user made by the panel as deployed gets scrypt."""
    from config import Config, DevelopmentConfig, ProductionConfig

    for cfg in (Config, DevelopmentConfig, ProductionConfig):
        assert getattr(cfg, "FAB_PASSWORD_HASH_METHOD", "scrypt") == "scrypt", cfg
    from flask_migrate import upgrade

    from app import create_app
    from app.security.sync import sync_roles

    class Deployed(Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'deployed.db'}"
        SECRET_KEY = "k" * 40

    app = create_app(Deployed)
    with app.app_context():
        upgrade()
        sync_roles()
        sm = app.appbuilder.sm
        user = sm.add_user("hashcheck", "H", "C", "h@example.kz", sm.find_role("Clerk"), password="Long-enough-pass-2026")
        assert user.password.startswith("scrypt:"), user.password[:20]
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_production_refuses_a_default_or_short_secret(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@localhost/x")
    for weak in ("changeme", "short-secret"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(RuntimeError):
            ProductionConfig.validate()
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    ProductionConfig.validate()


def test_jwt_lifetimes_are_bounded():
    from datetime import timedelta

    from config import Config

    assert timedelta(hours=1) >= Config.JWT_ACCESS_TOKEN_EXPIRES
    assert timedelta(days=1) >= Config.JWT_REFRESH_TOKEN_EXPIRES


def test_demo_password_is_usable(client):
    assert login(client, "manager", DEMO_PASSWORD)


def test_ui_posts_without_a_csrf_token_are_refused(app):
    from app import create_app

    class WithCsrf(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = True

    protected = create_app(WithCsrf)
    client = protected.test_client()
    assert client.post("/login/", data={"username": "manager", "password": DEMO_PASSWORD}).status_code == 400
    assert client.post("/roster/approve", data={"place": "1", "month": "2026-12"}).status_code == 400
    # the REST API authenticates with JWT and is not subject to the form token
    assert client.post("/api/v1/security/login", json={"username": "manager", "password": DEMO_PASSWORD,
                                                       "provider": "db"}).status_code == 200
    with protected.app_context():
        from app.extensions import db

        db.session.remove()


def test_with_redis_unreachable_people_log_in_see_lists_and_a_job_says_jobs_are_unavailable(app):
    """REDIS_URL set but nothing listening: login and lists work; an export
    is refused with a translated sentence and no row is left queued."""
    from sqlalchemy import select

    from app import create_app
    from app.models import Job

    class RedisGone(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        REDIS_URL = "redis://127.0.0.1:9/0"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:9/0"

    gone = create_app(RedisGone)
    client = gone.test_client()
    assert client.post("/login/", data={"username": "manager", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/appealview/list/").status_code == 200
    r = client.post("/jobs/export/Category/csv", data={}, follow_redirects=True, headers={"Accept-Language": "ru"})
    assert r.status_code == 200
    assert "Фоновые задания сейчас недоступны" in r.get_data(as_text=True)
    with gone.app_context():
        from app.extensions import db

        rows = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc())).scalars().all()
        assert rows[0].status == "failed" and "JobsUnavailable" in rows[0].error
        assert not [j for j in rows if j.status == "queued"]
        db.session.remove()


def test_an_office_behind_one_address_logs_in_freely_and_a_guesser_is_stopped_per_name_and_address(app):
    from app import create_app

    class Limited(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = True
        AUTH_RATE_LIMIT = "3 per minute"
        AUTH_RATE_LIMIT_ADDRESS = "6 per minute"

    limited = create_app(Limited)
    client = limited.test_client()
    # nine correct logins from one address within the minute: none refused
    for who in ("manager", "clerk", "head", "responsible", "official", "admin", "clerk2", "auditor", "manager"):
        client.get("/logout/")
        r = client.post("/login/", data={"username": who, "password": DEMO_PASSWORD})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], who
    # a guesser on one name is stopped after 3 failures, with a page in the user's language
    client.get("/logout/")
    codes = [client.post("/login/", data={"username": "head", "password": "wrong"},
                         headers={"Accept-Language": "ru"}).status_code for _ in range(4)]
    assert codes[-1] == 429, codes
    page = client.post("/login/", data={"username": "head", "password": "wrong"},
                       headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Слишком много неудачных попыток входа" in page and 'class="navbar' in page  # the panel's own page
    # another name from the same address still logs in
    r = client.post("/login/", data={"username": "manager", "password": DEMO_PASSWORD})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    # the address as a whole is stopped after 6 failures, whatever the names
    codes = [client.post("/api/v1/security/login", json={"username": f"nobody{i}", "password": "x", "provider": "db"})
             .status_code for i in range(4)]
    assert codes[-1] == 429 and client.post("/api/v1/security/login", json={
        "username": "nobodyelse", "password": "x", "provider": "db"}).is_json
    with limited.app_context():
        from app.extensions import db

        db.session.remove()


def test_a_session_cookie_captured_before_logout_no_longer_works(app):
    client = app.test_client()
    login(client, "manager")
    assert client.get("/appealview/list/").status_code == 200
    captured = client.get_cookie("session").value
    client.get("/logout/")
    thief = app.test_client()
    thief.set_cookie("session", captured)
    r = thief.get("/appealview/list/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # a fresh login works again, and only for its own session
    login(client, "manager")
    assert client.get("/appealview/list/").status_code == 200
    assert thief.get("/appealview/list/").status_code == 302
