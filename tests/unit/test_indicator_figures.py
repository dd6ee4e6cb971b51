"""Indicator arithmetic as pure functions, checked against the February 2018 report."""

from decimal import Decimal

import pytest

from tracker.demo import february_2018 as feb
from tracker.indicators import figures

D = Decimal
DISTRICTS = [(i, d["slug"]) for i, d in enumerate(feb.DISTRICTS, start=1)]
IDS = {slug: i for i, slug in DISTRICTS}


def table_for(key, **kwargs):
    source = next(i for i in feb.INDICATORS if i["key"] == key)
    periods = [(p, source["period_labels"].get(p, p)) for p in source["periods"]]
    values = {(IDS[slug], period): D(str(v))
              for slug, per_period in source["measurements"].items()
              for period, v in per_period.items()}
    values.update({(None, p): D(str(v)) for p, v in source["unit_measurements"].items()})
    options = {"summable": source["unit"] == "aantal", "unit_label": "Totaal Oost Nederland",
               "with_change": source["unit"] == "aantal"}
    options.update(kwargs)
    return figures.build_table(periods, DISTRICTS, values, **options)


def test_burglary_totals_and_change_match_the_report():
    table = table_for("woninginbraken-misdrijven")
    assert table.total.values == [D(11194), D(9537), D(7391)]
    assert table.total.change == D(-2146)
    assert table.total.change_pct == D(-23)
    assert table.change_between == ("2016", "2017")
    assert table.missing == []


@pytest.mark.parametrize(("slug", "change", "pct"), [
    ("ijsselland", -439, -34),
    ("twente", -467, -25),
    ("noord-en-oost-gelderland", -364, -17),
    ("gelderland-midden", -524, -21),
    ("gelderland-zuid", -352, -21),
])
def test_each_burglary_district_row_matches_the_report(slug, change, pct):
    row = table_for("woninginbraken-misdrijven").rows[IDS[slug] - 1]
    assert row.label == slug
    assert (row.change, row.change_pct) == (D(change), D(pct))


def test_suspects_table_matches_the_report():
    table = table_for("afgehandelde-verdachten")
    # Without the source's own total the sum of the rounded district averages stands
    # (1.120; the report prints 1.119: see tests/unit/test_source_figures.py).
    assert table.total.values == [D(1120), D(926), D(788)]
    assert (table.total.change, table.total.change_pct) == (D(-138), D(-15))
    assert [(r.change, r.change_pct) for r in table.rows] == [
        (D(-1), D(-1)), (D(-13), D(-8)), (D(-40), D(-15)), (D(-52), D(-22)), (D(-32), D(-24))]


def test_clearance_percentages_are_not_summed_the_unit_figure_is_raw():
    table = table_for("opheldering")
    assert table.change_between is None
    assert table.total.values == [D(10), D(11)]
    assert table.rows[0].values == [D(10), D(14)]


def test_victim_rate_series_has_only_the_unit_row():
    table = table_for("slachtofferkans-aangifte")
    assert table.rows == []
    assert table.total.values == [D("4.0"), D("3.9"), D("3.5"), D("3.2"), D("3.1")]


def test_missing_measurement_is_reported_and_leaves_the_total_open():
    values = {(1, "2016"): D(10), (2, "2016"): D(20), (1, "2017"): D(5)}
    table = figures.build_table([("2016", "2016"), ("2017", "2017")], [(1, "A"), (2, "B")],
                                values, summable=True, unit_label="Totaal", with_change=True)
    assert table.missing == ["B, 2017"]
    assert table.total.values == [D(30), None]
    assert table.total.change is None and table.total.change_pct is None
    assert table.rows[0].change == D(-5) and table.rows[0].change_pct == D(-50)


def test_percent_change_rounds_half_away_from_zero_and_refuses_zero_base():
    assert figures.percent_change(D(200), D(199)) == D(-1)
    assert figures.percent_change(D(200), D(201)) == D(1)
    assert figures.percent_change(D(0), D(5)) is None
    assert figures.percent_change(None, D(5)) is None
    assert figures.percent_change(D(3), D(4), decimals=1) == D("33.3")


def test_total_and_rate():
    assert figures.total([D(1), D(2)]) == D(3)
    assert figures.total([D(1), None]) is None
    assert figures.total([]) is None
    assert figures.rate(D(124), D(867)) == D(14)
    assert figures.rate(D(1), D(0)) is None


@pytest.mark.parametrize(("kind", "target", "latest", "base", "state"), [
    ("max", D(8), D("7.5"), None, "behaald"),
    ("max", D(8), D(9), None, "niet behaald"),
    ("min", D(10), D(9), None, "niet behaald"),
    ("change_pct", D(-5), D(90), D(100), "behaald"),
    ("change_pct", D(-5), D(97), D(100), "niet behaald"),
    ("change_pct", D(-5), D(90), None, "onbekend"),
    ("max", D(8), None, None, "onbekend"),
    (None, None, D(1), None, "geen doel"),
])
def test_progress_against_target(kind, target, latest, base, state):
    progress = figures.progress_against_target(target_kind=kind, target=target, latest=latest,
                                               base=base)
    assert progress.state == state


def test_bar_chart_geometry():
    chart = figures.bar_chart([("a", D(10)), ("b", None), ("c", D(5))], width=300, height=140)
    assert [b.label for b in chart.bars] == ["a", "c"]
    assert chart.bars[0].height == 2 * chart.bars[1].height
    assert all(b.y + b.height == chart.baseline for b in chart.bars)
    assert figures.bar_chart([("a", None)]) is None
