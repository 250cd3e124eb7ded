"""Commands of CONTRACT.md and the migrations, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, District, Official, ReceptionPlace, UserPlace
from tests.conftest import DEMO_PASSWORD


def test_migrations_match_the_models(app):
    """`flask db check`: the migrated schema has no difference from the models."""
    with app.app_context():
        import app.models  # noqa: F401
        from app.models.base import schema_object_filter

        with db.engine.connect() as conn:
            # the per-database search index/table are left out, as `flask db check` does
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": schema_object_filter})
            diff = compare_metadata(ctx, Model.metadata)
    assert diff == []


def test_demo_load_is_idempotent_and_creates_one_user_per_role(app):
    runner = app.test_cli_runner()
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    result = runner.invoke(args=["demo", "load", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "already present" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Appeal)).scalar_one() == before
        sm = app.appbuilder.sm
        for username, role in [("admin", "Admin"), ("manager", "Manager"), ("clerk", "Clerk"), ("clerk2", "Clerk"),
                               ("responsible", "Responsible"), ("head", "Head"), ("official", "Official")]:
            user = sm.find_user(username=username)
            assert user is not None and [r.name for r in user.roles] == [role]
        # clerk: the public reception in Taldykorgan; clerk2: a centre elsewhere
        clerk = db.session.get(UserPlace, sm.find_user(username="clerk").id)
        clerk2 = db.session.get(UserPlace, sm.find_user(username="clerk2").id)
        assert clerk.place.kind == "public_reception" and clerk.place.district.kato == "331000000"
        assert clerk2.place.kind == "reception_centre" and clerk2.place.district.kato != "331000000"
        assert db.session.execute(
            select(Official).where(Official.user_id == sm.find_user(username="official").id)
        ).scalar_one()


def test_demo_data_covers_zhetysu(app):
    with app.app_context():
        katos = set(db.session.execute(select(District.kato)).scalars())
        assert len(katos) == 10 and "333600000" in katos  # Eskeldi district
        assert db.session.execute(select(func.count()).select_from(Official)).scalar_one() >= 40


def test_demo_load_refuses_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_users_set_place_binds_and_rejects_unknowns(app):
    runner = app.test_cli_runner()
    with app.app_context():
        place_id = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id.desc()).limit(1)).scalar_one()
        user = app.appbuilder.sm.find_user(username="responsible")
        was = db.session.get(UserPlace, user.id).place_id
    try:
        ok = runner.invoke(args=["users", "set-place", "responsible", str(place_id)])
        assert ok.exit_code == 0, ok.output
        with app.app_context():
            assert db.session.get(UserPlace, user.id).place_id == place_id
        assert runner.invoke(args=["users", "set-place", "nobody", str(place_id)]).exit_code != 0
        assert runner.invoke(args=["users", "set-place", "responsible", "999999"]).exit_code != 0
    finally:  # the other tests find the demo's responsible worker where the demo put them
        assert runner.invoke(args=["users", "set-place", "responsible", str(was)]).exit_code == 0


def test_roles_sync_declares_exactly_the_contract_roles(app):
    result = app.test_cli_runner().invoke(args=["roles", "sync"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = {r.name for r in app.appbuilder.sm.get_all_roles()}
    assert {"Admin", "Manager", "Clerk", "Responsible", "Head", "Official"} <= names


def test_security_doc_is_generated_from_the_roles():
    from pathlib import Path

    from app.security.roles import matrix_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "security.md"
    assert doc.read_text() == matrix_markdown(), "run: flask --app run roles matrix > docs/security.md"
