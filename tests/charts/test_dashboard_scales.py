"""Honest scales on the dashboard (M7.2, R29, R38): the map's colours start
at 0 and leave the districts out of a filter hatched grey (never painted 0);
its labels fit their tiles; shares show their sample and grey the thin ones;
a month without calls is a gap, not 0 %."""
import math
from datetime import date, datetime

import pytest
from flask import g
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from sqlalchemy import select

from app.charts import catalog, maps, shares
from app.domain.vocabulary import CallOutcome
from app.extensions import db
from app.models import Appeal, District, SurveyCall
from app.services.analytics import Filters

ALL_TIME = Filters(date(2000, 1, 1), date(2100, 1, 1))


@pytest.fixture
def as_head(app):
    with app.test_request_context():
        g.user = app.appbuilder.sm.find_user(username="head")
        yield app


def _tiles(fig):
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def test_M7_2_the_map_scale_starts_at_0_and_has_a_legend(as_head):
    fig, table = catalog.chart_map(ALL_TIME)
    colorbar = fig.axes[1]
    assert colorbar.get_ylim()[0] == 0
    assert colorbar.get_ylabel()  # what the colours measure
    top = max(r[3] for r in table.rows)
    assert colorbar.get_ylim()[1] == pytest.approx(top)


def test_M7_2_close_rates_get_close_colours():
    """25.5 and 31.7 per 10,000: four fifths of the scale apart from white, not white against dark red."""
    places = [maps.Place("1", "Бір", "Бір ауданы", 45.0, 78.0, 25.5, "25,5"),
              maps.Place("2", "Екі", "Екі ауданы", 45.0, 80.0, 31.7, "31,7")]
    fig, _areas = maps.tile_map("Карта", places, maps.Notes("На 10 000", "Вне фильтра", "Нет данных"))
    faces = {round(t.get_x(), 3): t.get_facecolor() for t in _tiles(fig)}
    low, high = (faces[k] for k in sorted(faces))
    assert low == pytest.approx(to_rgba(maps.CMAP(25.5 / 31.7)))
    assert high == pytest.approx(to_rgba(maps.CMAP(1.0)))
    assert low != pytest.approx(to_rgba(maps.CMAP(0.0)))


def test_M7_2_a_district_filter_hatches_the_others_instead_of_painting_them_0(as_head):
    district = db.session.execute(select(District).order_by(District.kato).limit(1)).scalar_one()
    fig, table = catalog.chart_map(Filters(ALL_TIME.start, ALL_TIME.end, district.id))
    tiles = _tiles(fig)
    out = [t for t in tiles if t.get_hatch()]
    assert len(tiles) == len(db.session.execute(select(District)).scalars().all())
    assert len(out) == len(tiles) - 1
    assert all(t.get_facecolor() == pytest.approx(to_rgba(maps.OUT["facecolor"])) for t in out)
    assert all(t.get_facecolor() != pytest.approx(to_rgba(maps.CMAP(0.0))) for t in tiles)
    assert [r[0] for r in table.rows] == [district.kato]  # no row of 0 for the others
    assert len(table.areas) == 1 and table.areas[0][0] == {"district": district.id}
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()]  # "not in the filter" is explained


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_M7_2_district_labels_fit_their_tiles(as_head, lang):
    from flask_babel import force_locale

    with force_locale(lang):
        fig, table = catalog.chart_map(ALL_TIME)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    tiles = _tiles(fig)
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    assert len(texts) == 2 * len(tiles)
    for text in texts:
        box = text.get_window_extent(renderer)
        x, y = box.x0 + box.width / 2, box.y0 + box.height / 2
        tile = next(t.get_window_extent(renderer) for t in tiles if t.get_window_extent(renderer).contains(x, y))
        assert tile.x0 <= box.x0 and box.x1 <= tile.x1 and tile.y0 <= box.y0 and box.y1 <= tile.y1, text.get_text()


def test_M7_2_the_clickable_areas_are_the_tiles_in_the_pngs_pixels(as_head):
    fig, table = catalog.chart_map(ALL_TIME)
    width, height = table.size
    assert (width, height) == (900, 650)
    assert len(table.areas) == len(table.rows)
    for _criteria, shape, coords, title in table.areas:
        numbers = [int(v) for v in coords.split(",")]
        assert shape == "poly" and len(numbers) == 8 and title
        assert all(0 <= x <= width for x in numbers[::2]) and all(0 <= y <= height for y in numbers[1::2])


def test_short_district_labels_keep_the_name():
    assert catalog.district_label("Аксуский район") == "Аксуский"
    assert catalog.district_label("Ақсу ауданы") == "Ақсу"
    assert catalog.district_label("Текелі қаласы") == "Текелі қ."
    assert catalog.district_label("г. Текели") == "г. Текели"


def _bar_faces(fig):
    return [p.get_facecolor() for p in fig.axes[0].patches]


@pytest.mark.parametrize("least,thin", [(1, False), (10**6, True)])
def test_R29_compliance_by_department_is_a_share_with_its_n_and_thin_samples_greyed(as_head, monkeypatch, least, thin):
    monkeypatch.setitem(as_head.config, "SATISFACTION_MIN_ANSWERS", least)
    fig, table = catalog.chart_compliance_department(ALL_TIME)
    assert table.rows
    # thin: fewer decided outcomes than the least (a unit with none decided yet is thin even at 1)
    assert table.thin == [row[4] < least for row in table.rows]
    assert any(not t for t in table.thin) != thin
    grey = to_rgba(shares.THIN["facecolor"])
    faces = _bar_faces(fig)  # one bar per row, in the table's order
    assert len(faces) == len(table.rows)
    assert [face == pytest.approx(grey) for face in faces] == table.thin
    assert fig.axes[0].get_xlim()[0] == 0 and fig.axes[0].get_xlim()[1] >= 100  # shares, on 0-100 %
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all("(n=" in x for x in labels)
    for row in table.rows:  # n is what was decided: on time + late
        assert row[4] == row[1] + row[2]
        assert row[5] == (round(100.0 * row[1] / row[4], 1) if row[4] else None)


@pytest.fixture
def calls_of_2031(app):
    """Two answered calls, in January and March 2031 (none in February): one
    dissatisfied (1 of 5), one satisfied."""
    with app.app_context():
        appeal = db.session.execute(select(Appeal).order_by(Appeal.id).limit(1)).scalar_one()
        calls = [SurveyCall(applicant_id=appeal.applicant_id, appeal_id=appeal.id, outcome=CallOutcome.reached,
                            satisfaction=score, called_at=datetime(2031, month, 10, 11, 0))
                 for month, score in ((1, 1), (3, 5))]
        db.session.add_all(calls)
        db.session.commit()
        ids = [c.id for c in calls]
    yield Filters(date(2031, 1, 1), date(2031, 3, 31))
    with app.app_context():
        for pk in ids:
            db.session.delete(db.session.get(SurveyCall, pk))
        db.session.commit()


def _line(fig, name):
    return next(line for line in fig.axes[0].get_lines() if line.get_label() == name)


def test_R38_a_month_of_one_call_is_greyed_not_a_dive_to_0(as_head, calls_of_2031):
    from flask_babel import gettext

    fig, table = catalog.chart_satisfaction_month(calls_of_2031)
    assert [r[1] for r in table.rows] == [1, 0, 1]  # February is listed, with no call
    assert table.thin == [True, True, True]
    line = _line(fig, gettext("Satisfied, %"))
    assert all(math.isnan(v) for v in line.get_ydata())  # no thin point on the line: no 0 %
    hollow = fig.axes[0].collections[0].get_offsets()
    assert sorted(float(y) for _x, y in hollow) == [0.0, 100.0]  # drawn apart, greyed
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert [t.rsplit("n=", 1)[1] for t in ticks] == ["1", "0", "1"]


def test_R38_a_month_without_calls_is_a_gap_on_the_line(as_head, calls_of_2031, monkeypatch):
    from flask_babel import gettext

    monkeypatch.setitem(as_head.config, "SATISFACTION_MIN_ANSWERS", 1)
    fig, table = catalog.chart_satisfaction_month(calls_of_2031)
    assert table.thin == [False, True, False]
    values = list(_line(fig, gettext("Satisfied, %")).get_ydata())
    assert values[0] == 0 and math.isnan(values[1]) and values[2] == 100
    assert table.rows[1][4] is None  # February: no share at all, not 0


def test_months_are_written_in_the_ui_language(as_head):
    from flask_babel import force_locale

    with force_locale("ru"):
        assert catalog.month_label("2025-12", long=True) == "декабрь 2025"
        assert catalog.month_ticks(["2025-12", "2026-01", "2026-02"]) == ["дек.\n2025", "янв.\n2026", "февр."]
    with force_locale("kk"):
        assert "2025" in catalog.month_label("2025-12") and "жел" in catalog.month_label("2025-12").lower()
