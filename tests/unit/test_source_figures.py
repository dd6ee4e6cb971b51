"""Derived figures computed from stored raw values; source figures marked with their notes.

Pure: the figure functions, ``build_indicator`` and ``computed_claim`` over plain data.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from tracker.demo import february_2018 as feb
from tracker.enums import IndicatorUnit
from tracker.formatting import percentage
from tracker.indicators import figures
from tracker.report.claim import computed_claim
from tracker.report.sections import DEFAULT_SOURCE_NOTE, build_indicator

D = Decimal
DISTRICTS = [(i, d["name"]) for i, d in enumerate(feb.DISTRICTS, start=1)]
IDS = {d["slug"]: i for i, d in enumerate(feb.DISTRICTS, start=1)}


def demo(key):
    """A demo indicator as the loader stores it: the model's attributes, values, sources."""
    source = next(i for i in feb.INDICATORS if i["key"] == key)
    labels, averages = source["period_labels"], source.get("period_averages") or {}
    periods = [{"key": p, "label": labels.get(p, p)}
               | ({"average_of": averages[p]} if p in averages else {})
               for p in source["periods"]]
    numerator, denominator = source.get("ratio_of") or (None, None)
    indicator = SimpleNamespace(
        key=key, name=source["name"], description="", unit=IndicatorUnit(source["unit"]),
        source=source["source"], notes="", periods=periods, target_kind=None,
        target_value=None, target_base_period=None, target_period=None, baseline_value=None,
        ratio_numerator_key=numerator, ratio_denominator_key=denominator)
    notes = source.get("source_figures") or {}
    unit_notes = source.get("unit_source_notes") or {}
    values, sources = {}, {}
    cells = [((IDS[slug], p), v) for slug, per in source["measurements"].items()
             for p, v in per.items()]
    cells += [((None, p), v) for p, v in source["unit_measurements"].items()]
    for (place, period), v in cells:
        values[(place, period)] = D(str(v))
        note = (unit_notes.get(period) if place is None else None) or notes.get(period) \
            or notes.get("*")
        if note is not None:
            sources[(place, period)] = note
    return indicator, values, sources


def section(key):
    indicator, values, sources = demo(key)
    related = {k: demo(k) for k in (indicator.ratio_numerator_key,
                                    indicator.ratio_denominator_key) if k}
    return build_indicator(indicator, values, DISTRICTS, sources=sources,
                           numerator=related.get(indicator.ratio_numerator_key),
                           denominator=related.get(indicator.ratio_denominator_key))


# --- the figure functions -----------------------------------------------------------------

def test_suspects_ratio_of_the_report_years():
    assert figures.rate(D(926), D(9537), 1) == D("9.7")
    assert figures.rate(D(788), D(7391), 1) == D("10.7")
    assert percentage(figures.rate(D(926), D(9537), 1), 1) == "9,7%"
    assert percentage(figures.rate(D(788), D(7391), 1), 1) == "10,7%"
    assert figures.rate(D(1), D(0), 1) is None
    assert figures.rate(None, D(5)) is None


@pytest.mark.parametrize(("values", "decimals", "expected"), [
    ([D(1), D(2)], 0, D(2)),             # 1,5 -> 2: half away from zero
    ([D(-1), D(-2)], 0, D(-2)),          # -1,5 -> -2
    ([D(1), D(2), D(2)], 0, D(2)),       # 1,67 -> 2
    ([D(1), D(1), D(2)], 0, D(1)),       # 1,33 -> 1
    ([D("0.25"), D("0.30")], 1, D("0.3")),  # 0,275 -> 0,3
    ([D(1525), D(1306)], 0, D(1416)),    # 1.415,5 -> 1.416
])
def test_average_rounds_the_dutch_way(values, decimals, expected):
    assert figures.average(values, decimals) == expected


def test_average_refuses_a_missing_year():
    assert figures.average([D(1), None]) is None
    assert figures.average([]) is None


def test_an_average_is_computed_from_the_stored_years_and_stops_being_a_source_figure():
    periods = [("2013-2016", "2013-2016 gemiddeld"), ("2017", "2017")]
    averages = {"2013-2016": ["2013", "2014", "2015", "2016"]}
    years = {"2013": 10, "2014": 11, "2015": 12, "2016": 12}  # 11,25 -> 11
    values = {(d, p): D(v) for d in (1, 2) for p, v in years.items()}
    values |= {(1, "2013-2016"): D(99), (2, "2013-2016"): D(99), (1, "2017"): D(5),
               (2, "2017"): D(6)}
    sources = {(1, "2013-2016"): "bron", (2, "2013-2016"): "bron"}
    table = figures.build_table(periods, [(1, "A"), (2, "B")], values, summable=True,
                                unit_label="Totaal", with_change=True, sources=sources,
                                averages=averages)
    assert [r.values[0] for r in table.rows] == [D(11), D(11)]
    assert table.averaged == ["2013-2016 gemiddeld"]
    assert table.source_cells == []
    # The total's average is the average of the yearly totals (22,5 -> 23), not 11 + 11.
    assert table.total.values == [D(23), D(11)]


def test_without_the_years_the_stored_average_stays_a_marked_source_figure():
    table = section("woninginbraken-misdrijven").table
    assert table.averaged == []
    assert table.rows[0].values[0] == D(1525)
    assert table.rows[0].source_note(0).startswith("Gemiddelde 2013-2016 zoals de bron")
    assert table.rows[0].source_note(1) == ""  # 2016 is a raw value
    # The total of the source averages is computed (it equals the report's 11.194).
    assert table.total.values[0] == D(11194)
    assert table.total.source_note(0) == ""


def test_the_sources_own_total_is_shown_with_a_note_on_the_sum_of_the_districts():
    ind = section("afgehandelde-verdachten")
    total = ind.table.total
    assert total.values == [D(1119), D(926), D(788)]
    assert total.source_note(0) and ind.marker(total, 0)
    assert (total.change, total.change_pct) == (D(-138), D(-15))
    assert ind.table.discrepancies == [("2013-2016 gemiddeld", D(1119), D(1120))]
    assert any("1.120" in n and "1.119" in n for n in ind.source_notes)
    assert ind.source_figures == "2013-2016 gemiddeld"


def test_the_suspects_ratio_follows_from_the_two_tables():
    ind = section("verdachtenratio")
    assert ind.ratio_text == "Afgehandelde verdachten / Woninginbraken (misdrijven)"
    assert ind.table.total.values == [D("10.0"), D("9.7"), D("10.7")]  # 1.119 / 11.194
    assert [ind.fmt(v) for v in ind.table.total.values] == ["10,0%", "9,7%", "10,7%"]
    ijsselland = ind.table.rows[0]
    assert ijsselland.values == [D("10.9"), D("9.6"), D("14.3")]  # 166/1525, 125/1306, 124/867
    assert ind.table.change_between is None
    assert ind.source_figures == ""
    assert any("2013-2016 gemiddeld" in n for n in ind.source_notes)
    assert ind.computed == [
        "verdachtenratio (Afgehandelde verdachten / Woninginbraken (misdrijven))"]


def test_a_ratio_without_its_figures_is_empty_and_says_so():
    indicator, _, _ = demo("verdachtenratio")
    ind = build_indicator(indicator, {}, DISTRICTS)
    assert ind.table.is_empty and ind.computed == []
    assert ind.source_notes == ["De cijfers waaruit deze ratio volgt, zijn niet vastgelegd."]


def test_every_clearance_and_victim_rate_is_a_marked_source_figure():
    for key in ("opheldering", "slachtofferkans-aangifte"):
        ind = section(key)
        assert ind.source_figures == "alle cijfers", key
        assert len(ind.source_notes) == 1
        assert all(ind.marker(row, i) == "1" for row in ind.table.all_rows
                   for i, v in enumerate(row.values) if v is not None)


def test_a_source_figure_without_a_note_gets_the_default_note():
    indicator, values, sources = demo("opheldering")
    ind = build_indicator(indicator, values, DISTRICTS, sources=dict.fromkeys(sources, ""))
    assert ind.source_notes == [DEFAULT_SOURCE_NOTE]


# --- the cover's claim --------------------------------------------------------------------

def team(*keys):
    return SimpleNamespace(indicators=[section(k) for k in keys])


def test_the_claim_names_what_was_computed_and_what_was_taken_from_the_source():
    claim = computed_claim([team("woninginbraken-misdrijven", "afgehandelde-verdachten",
                                 "verdachtenratio", "opheldering", "slachtofferkans-aangifte")])
    computed, _, taken = claim.partition("Uit de bron overgenomen")
    assert "verschillen 2016-2017 in aantal en procent van Woninginbraken (misdrijven) en " \
           "Afgehandelde verdachten" in computed
    assert "verdachtenratio (Afgehandelde verdachten / Woninginbraken (misdrijven))" in computed
    assert "Opheldering" not in computed
    assert "2013-2016 gemiddeld van Woninginbraken (misdrijven) en Afgehandelde verdachten" \
        in taken
    assert "alle cijfers van Opheldering en Slachtofferkans o.b.v. slachtoffers" in taken
    assert "Verdachtenratio" not in taken


def test_the_claim_without_source_figures_or_indicators():
    indicator, values, _ = demo("woninginbraken-misdrijven")
    only_raw = SimpleNamespace(indicators=[build_indicator(indicator, values, DISTRICTS)])
    claim = computed_claim([only_raw])
    assert "Geen enkel cijfer is uit de bron overgenomen." in claim
    assert "Uit de bron overgenomen" not in claim
    assert computed_claim([SimpleNamespace(indicators=[])]) == (
        "Deze rapportage bevat geen cijfers van indicatoren.")

