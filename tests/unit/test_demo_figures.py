"""The February 2018 demo data reproduces the figures printed in the report.

Only raw values are stored in ``tracker.demo.february_2018``; these tests recompute the
totals, differences and percentages the report prints and compare them, and check that
the data's cross-references hold. No app, no database.
"""

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tracker.demo import february_2018 as feb

CSV_PATH = Path(feb.__file__).resolve().parent / "data" / "gemeenten-oost-nederland-2018.csv"

# What the report prints, per district slug: (verschil 2016-2017 #, verschil %).
PRINTED_BURGLARY_CHANGE = {
    "ijsselland": (-439, -34),
    "twente": (-467, -25),
    "noord-en-oost-gelderland": (-364, -17),
    "gelderland-midden": (-524, -21),
    "gelderland-zuid": (-352, -21),
}
PRINTED_BURGLARY_TOTALS = {"2013-2016": 11194, "2016": 9537, "2017": 7391}
PRINTED_BURGLARY_TOTAL_CHANGE = (-2146, -23)

PRINTED_SUSPECT_CHANGE = {
    "ijsselland": (-1, -1),
    "twente": (-13, -8),
    "noord-en-oost-gelderland": (-40, -15),
    "gelderland-midden": (-52, -22),
    "gelderland-zuid": (-32, -24),
}
PRINTED_SUSPECT_TOTALS = {"2013-2016": 1119, "2016": 926, "2017": 788}
PRINTED_SUSPECT_TOTAL_CHANGE = (-138, -15)


def indicator(key):
    return next(i for i in feb.INDICATORS if i["key"] == key)


def pct_change(old, new):
    """Whole-percent change, rounded half away from zero like the report."""
    return int(
        (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def read_csv():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_pct_change_rounds_half_away_from_zero():
    assert pct_change(200, 199) == -1  # -0.5 -> -1
    assert pct_change(200, 201) == 1
    assert pct_change(1000, 994) == -1  # -0.6
    assert pct_change(1000, 996) == 0  # -0.4


@pytest.mark.parametrize(
    ("key", "printed_change", "printed_totals", "printed_total_change"),
    [
        (
            "woninginbraken-misdrijven",
            PRINTED_BURGLARY_CHANGE,
            PRINTED_BURGLARY_TOTALS,
            PRINTED_BURGLARY_TOTAL_CHANGE,
        ),
        (
            "afgehandelde-verdachten",
            PRINTED_SUSPECT_CHANGE,
            PRINTED_SUSPECT_TOTALS,
            PRINTED_SUSPECT_TOTAL_CHANGE,
        ),
    ],
)
def test_table_reproduces_printed_figures(
    key, printed_change, printed_totals, printed_total_change
):
    ind = indicator(key)
    data = ind["measurements"]
    assert list(data) == [d["slug"] for d in feb.DISTRICTS]
    assert ind["periods"] == ["2013-2016", "2016", "2017"]

    for slug, (diff, pct) in printed_change.items():
        v2016, v2017 = data[slug]["2016"], data[slug]["2017"]
        assert v2017 - v2016 == diff, slug
        assert pct_change(v2016, v2017) == pct, slug

    for period in ("2016", "2017"):
        assert sum(d[period] for d in data.values()) == printed_totals[period], period

    # The 2013-2016 column holds averages rounded per district, so their sum may differ
    # from the printed unit average by up to half a unit per district (suspects: the five
    # rounded averages sum to 1.120, the report prints 1.119).
    avg_sum = sum(d["2013-2016"] for d in data.values())
    assert abs(avg_sum - printed_totals["2013-2016"]) <= Decimal("0.5") * len(data)

    total_2016 = sum(d["2016"] for d in data.values())
    total_2017 = sum(d["2017"] for d in data.values())
    assert (total_2017 - total_2016, pct_change(total_2016, total_2017)) == printed_total_change


def test_burglary_average_total_is_exact():
    data = indicator("woninginbraken-misdrijven")["measurements"]
    assert sum(d["2013-2016"] for d in data.values()) == 11194


def test_opheldering_and_victim_rates():
    oph = indicator("opheldering")
    assert oph["measurements"]["ijsselland"] == {"2016": 10, "2017": 14}
    assert oph["unit_measurements"] == {"2016": 10, "2017": 11}
    assert all(set(v) == {"2016", "2017"} for v in oph["measurements"].values())

    victims = indicator("slachtofferkans-aangifte")
    assert victims["unit_measurements"] == {
        "2012": 4.0,
        "2013": 3.9,
        "2014": 3.5,
        "2015": 3.2,
        "2016": 3.1,
    }
    assert list(victims["unit_measurements"]) == victims["periods"]

    monitor = indicator("slachtofferkans-veiligheidsmonitor")
    assert (monitor["baseline"], monitor["target"], monitor["target_kind"]) == (9, 8, "max")


def test_indicator_keys_are_unique_and_periods_are_declared():
    keys = [i["key"] for i in feb.INDICATORS]
    assert len(keys) == len(set(keys))
    team_slugs = {t["slug"] for t in feb.TEAMS}
    district_slugs = {d["slug"] for d in feb.DISTRICTS}
    for ind in feb.INDICATORS:
        assert ind["team"] in team_slugs
        assert ind["unit"] in {"aantal", "procent"}
        assert ind["direction"] in {"up", "down"}
        assert set(ind["measurements"]) <= district_slugs
        for values in ind["measurements"].values():
            assert set(values) <= set(ind["periods"])
        assert set(ind["unit_measurements"]) <= set(ind["periods"])


def test_districts_match_the_csv():
    rows = read_csv()
    assert len(rows) == 78
    counts = {}
    for row in rows:
        counts[row["district"]] = counts.get(row["district"], 0) + 1
    assert counts == {
        "IJsselland": 11,
        "Twente": 14,
        "Noord- en Oost-Gelderland": 22,
        "Gelderland-Midden": 15,
        "Gelderland-Zuid": 16,
    }
    assert [d["name"] for d in feb.DISTRICTS] == list(counts)


def test_pilots_name_csv_municipalities_in_the_right_district():
    district_of = {row["gemeente"]: row["district"] for row in read_csv()}
    slug_of = {d["name"]: d["slug"] for d in feb.DISTRICTS}
    for pilot in feb.PILOTS:
        for name in pilot["municipalities"]:
            assert name in district_of, name
            assert slug_of[district_of[name]] == pilot["district"], name
    groepsscan = sorted(p["municipalities"][0] for p in feb.PILOTS if p["team"] == "jeugd")
    assert groepsscan == ["Hengelo", "Kampen", "Montferland", "Nijmegen"]


def test_references_resolve():
    people = {p["key"]: p for p in feb.PEOPLE}
    assert len(people) == len(feb.PEOPLE)
    emails = [p["email"] for p in feb.PEOPLE]
    assert len(emails) == len(set(emails))
    assert all(e.isascii() and e == e.lower() and e.endswith("@example.org") for e in emails)

    org_slugs = {o["slug"] for o in feb.ORGANISATIONS}
    municipalities = {row["gemeente"] for row in read_csv()}
    for person in feb.PEOPLE:
        org = person["organisation"]
        if org is None:
            continue
        if org.startswith("gemeente:"):
            assert org.removeprefix("gemeente:") in municipalities, org
        else:
            assert org in org_slugs, org

    team_slugs = [t["slug"] for t in feb.TEAMS]
    assert team_slugs == [
        "woninginbraken",
        "verwarde-personen",
        "ondermijning",
        "hennep",
        "jeugd",
        "omg",
        "informatievoorziening",
    ]
    for team in feb.TEAMS:
        assert team["parent"] in (None, *team_slugs)
        assert all(c in people for c in team["chairs"])
        assert all(m in people for m in team["members"])
        assert team["trekker"] is None or people[team["trekker"]]["role"] == "coordinator"
        for action in team["actions"]:
            assert len(action["title"]) <= 120
            assert action["owner"] is None or action["owner"] in people
            assert action["status"] in {"open", "bezig"}
            assert (action["due_date"] is None) == (action["due_precision"] is None)

    for item in (*feb.MILESTONES, *feb.EVENTS, *feb.PILOTS):
        assert item["team"] is None or item["team"] in team_slugs
    assert all(block in team_slugs for block in feb.BUILDING_BLOCKS)
