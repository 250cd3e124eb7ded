"""The heads' charts: valid PNG/SVG for permitted roles, 403 otherwise, the
numbers under each chart equal direct SQL counts, empty data says so, the
map works with and without a boundary file (SQLite and PostgreSQL)."""
import csv
import io
import json

import pytest
from sqlalchemy import func, select

from app.charts.catalog import charts
from app.domain.vocabulary import CallOutcome
from app.extensions import db
from app.models import Appeal, District, SurveyCall
from tests.conftest import login

NAMES = ["map", "heatmap", "rising", "satisfaction_month", "satisfaction_district", "satisfaction_department",
         "compliance_month", "compliance_department", "outcomes", "volume_channel", "volume_section",
         "volume_month", "volume_place"]
PERIOD = "start=2000-01-01&end=2100-01-01"


def test_the_catalogue_is_what_the_dashboard_shows(app):
    with app.test_request_context():
        assert sorted(charts()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_renders_png_svg_and_csv_for_a_head(client, name):
    login(client, "head")
    png = client.get(f"/dashboard/chart/{name}.png?{PERIOD}")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n" and len(png.data) > 2000
    svg = client.get(f"/dashboard/chart/{name}.svg?{PERIOD}")
    assert svg.status_code == 200 and b"<svg" in svg.data[:2000]
    data = client.get(f"/dashboard/chart/{name}.csv?{PERIOD}")
    assert data.status_code == 200 and data.get_data(as_text=True).startswith("\ufeff")


@pytest.mark.parametrize("user,allowed", [("head", True), ("manager", True), ("admin", True),
                                          ("clerk", False), ("official", False), ("responsible", False)])
def test_charts_are_for_heads_managers_and_admins(client, user, allowed):
    login(client, user)
    r = client.get("/dashboard/chart/map.png")
    assert (r.status_code == 200) == allowed and (allowed or r.status_code in (302, 403))
    assert (client.get("/dashboard/").status_code == 200) == allowed


def _csv(client, name, query=PERIOD):
    rows = list(csv.reader(io.StringIO(client.get(f"/dashboard/chart/{name}.csv?{query}").get_data(as_text=True).lstrip("\ufeff"))))
    return rows[0], rows[1:]


def test_M7_2_map_numbers_equal_sql_counts_per_district(client, app):
    login(client, "head")
    header, rows = _csv(client, "map")
    with app.app_context():
        expected = dict(db.session.execute(
            select(District.kato, func.count(Appeal.id)).outerjoin(Appeal, Appeal.district_id == District.id)
            .group_by(District.kato)).all())
    assert {r[0]: int(r[2]) for r in rows} == expected


def test_M7_1_heatmap_covers_every_appeal(client, app):
    login(client, "head")
    header, rows = _csv(client, "heatmap")
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    assert sum(int(v) for r in rows for v in r[1:]) == total


def test_volume_by_channel_equals_sql(client, app):
    login(client, "head")
    client.get("/lang/en")
    _h, rows = _csv(client, "volume_channel")
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    assert sum(int(r[1]) for r in rows) == total


def test_compliance_counts_every_appeal_once(client, app):
    login(client, "head")
    _h, rows = _csv(client, "compliance_month")
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    assert sum(int(r[1]) + int(r[2]) + int(r[3]) for r in rows) == total


def test_R38_satisfaction_numbers_equal_sql(client, app):
    login(client, "head")
    _h, rows = _csv(client, "satisfaction_month")
    with app.app_context():
        calls = db.session.execute(select(func.count()).where(SurveyCall.called_at.is_not(None))).scalar_one()
        answered = db.session.execute(select(func.count()).where(
            SurveyCall.outcome == CallOutcome.reached, SurveyCall.satisfaction.is_not(None))).scalar_one()
    assert sum(int(r[1]) for r in rows) == calls and sum(int(r[3]) for r in rows) == answered


def test_empty_period_says_no_data_instead_of_failing(client, app):
    login(client, "head")
    for name in NAMES:
        r = client.get(f"/dashboard/chart/{name}.png?start=1990-01-01&end=1990-01-31")
        assert r.status_code == 200 and r.data[:4] == b"\x89PNG", name
    svg = client.get("/dashboard/chart/volume_channel.svg?start=1990-01-01&end=1990-01-31&_l_=en").get_data(as_text=True)
    assert "No data" in svg or "no data" in svg.lower()


def test_M7_2_map_with_a_boundary_file(client, app, tmp_path, monkeypatch):
    with app.app_context():
        districts = db.session.execute(select(District)).scalars().all()
        features = [{"type": "Feature", "properties": {"kato": d.kato}, "geometry": {"type": "Polygon", "coordinates": [[
            [d.lon - 0.2, d.lat - 0.2], [d.lon + 0.2, d.lat - 0.2], [d.lon + 0.2, d.lat + 0.2], [d.lon - 0.2, d.lat + 0.2],
            [d.lon - 0.2, d.lat - 0.2]]]}} for d in districts]
    path = tmp_path / "zhetysu.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    monkeypatch.setitem(app.config, "DISTRICTS_GEOJSON", str(path))
    login(client, "head")
    r = client.get(f"/dashboard/chart/map.svg?{PERIOD}&measure=count")
    assert r.status_code == 200 and b"<svg" in r.data[:2000]


def test_dashboard_page_shows_kpis_and_every_chart(client):
    login(client, "head")
    body = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert 'id="kpi"' in body
    for name in NAMES:
        assert f'id="chart-{name}"' in body


def test_bad_filters_never_answer_500(client):
    login(client, "head")
    for q in ("start=31.12.2026", "district=abc", "category=-1", "place=99999", "end=1990-01-01"):
        assert client.get(f"/dashboard/?{q}").status_code == 200, q
        assert client.get(f"/dashboard/chart/map.png?{q}").status_code == 200, q
    assert client.get("/dashboard/chart/nothing.png").status_code == 404
    assert client.get("/dashboard/chart/map.gif").status_code == 404


def test_cached_numbers_follow_a_new_appeal(client, jwt, app):
    from tests.api.test_rest import _appeal_body

    login(client, "head")
    _h, before = _csv(client, "volume_month")
    r = app.test_client().post("/api/v1/appeal/", json=_appeal_body(app, substance="Кэш 7788"), headers=jwt())
    assert r.status_code == 201
    _h, after = _csv(client, "volume_month")
    assert sum(int(x[1]) for x in after) == sum(int(x[1]) for x in before) + 1


def test_chart_titles_follow_the_language(client):
    login(client, "head")
    en = client.get(f"/dashboard/chart/heatmap.svg?{PERIOD}&_l_=en").get_data(as_text=True)
    kk = client.get(f"/dashboard/chart/heatmap.svg?{PERIOD}&_l_=kk").get_data(as_text=True)
    assert en != kk


def _texts(svg: str) -> list[str]:
    import html
    import re

    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def test_an_svg_keeps_its_text_as_text_in_the_users_language(client, app):
    from flask_babel import force_locale, gettext

    login(client, "head")
    svg = client.get(f"/dashboard/chart/volume_channel.svg?{PERIOD}&_l_=kk").get_data(as_text=True)
    with app.test_request_context(), force_locale("kk"):
        title = gettext("Appeals by channel (R4)")
    assert title != "Appeals by channel (R4)"  # the Kazakh title, not the msgid
    assert " ".join(title.split()) in " ".join(_texts(svg))  # a <text> element (a long title on two lines)
    # no glyph outlines: matplotlib's "path" font type defines each glyph once and <use>s it
    assert 'id="DejaVuSans-' not in svg and 'href="#DejaVuSans-' not in svg


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    return fig.canvas.get_renderer()


def _inside_the_figure(fig, renderer) -> list[str]:
    """The texts drawn on the figure that run past its edge (none may): the
    title, the axes' labels, the ticks inside the view, the legends."""
    texts = [fig._suptitle] + [t for legend in fig.legends for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title]
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            texts += [t for tick in axis.get_major_ticks() if lo <= tick.get_loc() <= hi
                      for t in (tick.label1, tick.label2) if t.get_visible()]
    box, out = fig.bbox, []
    for t in texts:
        if t is None or not t.get_text().strip():
            continue
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 1 or e.x1 > box.x1 + 1 or e.y0 < box.y0 - 1 or e.y1 > box.y1 + 1:
            out.append(t.get_text())
    return out


def test_a_legend_stands_outside_the_bars_and_no_label_leaves_the_figure():
    from app.charts import render

    fig = render.bars("Ответы в срок и с нарушением срока по месяцам регистрации (R29, R30)",
                      ["2026-10", "2026-11", "2026-12"],
                      [("В срок", [180, 131, 0]), ("С нарушением срока", [5, 2, 0]), ("Срок не истек", [0, 45, 6])],
                      "Обращения", stacked=True)
    renderer = _drawn(fig)
    legend, axes = fig.legends[0].get_window_extent(renderer), fig.axes[0].get_window_extent(renderer)
    assert not legend.overlaps(axes)
    assert not fig.axes[0].get_legend()  # no legend inside the axes
    assert _inside_the_figure(fig, renderer) == []


def test_long_tick_labels_are_wrapped_not_cut_by_the_figures_edge():
    from app.charts import render

    long = "Жетісу облысының энергетика және тұрғын үй-коммуналдық шаруашылығы басқармасы"
    fig = render.bars("Бөлімшелер бойынша", [long, "Заң бөлімі"], [("Мерзімінде", [40, 7]), ("Мерзімі бұзылып", [2, 1])],
                      "Өтініштер", horizontal=True, stacked=True)
    renderer = _drawn(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "\n" in ticks[0] and ticks[0].replace("\n", " ") == long  # every word kept, on two lines
    assert _inside_the_figure(fig, renderer) == []
    line = render.lines("Айлар бойынша қанағаттанушылық (R38)", ["2026-10", "2026-11"],
                        [("Қанағаттанғандар, %", [70, 56]), ("Қоңырау шалынғандар үлесі, %", [69, 77])], "%",
                        bars_series=("Жауап бергендер", [29, 41]))
    renderer = _drawn(line)
    assert not line.legends[0].get_window_extent(renderer).overlaps(line.axes[0].get_window_extent(renderer))
    assert len(line.legends[0].get_texts()) == 3  # the bars' series is named too
