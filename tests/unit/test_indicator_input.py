"""Dutch number input, the measurement rules and the CSV reader, without an app."""

from decimal import Decimal

import pytest

from tracker.indicators import rules
from tracker.indicators.csv_import import MAX_BYTES, MAX_ROWS, CsvError, read_csv
from tracker.indicators.numbers import parse_dutch_number
from tracker.validation import ValidationError, ValidationErrors


@pytest.mark.parametrize(("text", "expected"), [
    ("1.525", "1525"), ("1525", "1525"), ("3,1", "3.1"), ("-5", "-5"), ("0", "0"),
    ("-0", "0"), ("  11.194  ", "11194"), ("1.234.567,25", "1234567.25"), ("0,0001", "0.0001"),
    ("\u22125", "-5"), ("999.999.999", "999999999"),
])
def test_dutch_numbers_are_read(text, expected):
    assert parse_dutch_number(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "verplicht"), ("   ", "verplicht"), (None, "verplicht"),
    ("3.1", "geen getal"), ("1,525.5", "geen getal"), ("1.52", "geen getal"), ("+5", "geen getal"),
    ("1e3", "geen getal"), ("NaN", "geen getal"), ("inf", "geen getal"), ("-inf", "geen getal"),
    ("Infinity", "geen getal"), ("drie", "geen getal"), ("5 %", "geen getal"), ("--5", "geen getal"),
    ("1 525", "geen getal"), ("=1+2", "geen getal"), ("0x10", "geen getal"),
    ("1\x002", "stuurtekens"), ("12\n", "stuurtekens"), ("\u202e12", "stuurtekens"),
    ("1.000.000.000", "onwaarschijnlijk groot"), ("9" * 30, "onwaarschijnlijk groot"),
    ("1" * 41, "te lang"), ("3,12345", "decimalen"),
])
def test_bad_numbers_are_refused_in_dutch(text, reason):
    with pytest.raises(ValidationError) as error:
        parse_dutch_number(text)
    assert reason in error.value.message


DISTRICTS = [(1, "ijsselland", "IJsselland"), (2, "twente", "Twente")]


def facts(unit="aantal", existing=None, periods=(("2016", "2016"), ("2017", "2017"))):
    return rules.IndicatorFacts(is_count=unit == "aantal", is_percentage=unit == "procent",
                                periods=list(periods), districts=DISTRICTS,
                                existing=existing or {})


def test_entry_resolves_district_name_slug_and_unit():
    f = facts("procent")
    assert rules.check_entry("twente", "2017", "3,1", f) == rules.Cells(2, "2017", Decimal("3.1"))
    assert rules.check_entry("IJsselland", "2016", "10", f).district_id == 1
    assert rules.check_entry("Eenheid", "2016", "10", f).district_id is None
    assert rules.check_entry("oost-nederland", "2016", "10", f).district_id is None


def test_unit_wide_count_is_refused_once_districts_hold_the_total():
    f = facts("aantal", {(1, "2016"): Decimal(5)})
    with pytest.raises(ValidationErrors) as error:
        rules.check_entry("eenheid", "2016", "100", f)
    assert "berekend uit de districten" in error.value.errors["district"]
    # A count kept only for the whole unit accepts unit values but no district values.
    unit_only = facts("aantal", {(None, "2016"): Decimal(5)})
    assert rules.check_entry("eenheid", "2017", "7", unit_only).district_id is None
    with pytest.raises(ValidationErrors):
        rules.check_entry("twente", "2017", "7", unit_only)
    # Percentages: the unit figure is raw data.
    assert rules.check_entry("eenheid", "2016", "10", facts("procent", {(1, "2016"): 1}))


@pytest.mark.parametrize(("unit", "district", "period", "value", "field"), [
    ("aantal", "Achterhoek", "2017", "5", "district"),
    ("aantal", "twente", "2019", "5", "period"),
    ("aantal", "twente", "2017", "-5", "value"),
    ("procent", "twente", "2017", "100,5", "value"),
    ("procent", "twente", "2017", "-1", "value"),
    ("aantal", "", "2017", "5", "district"),
    ("aantal", "twente", "   ", "5", "period"),
    ("aantal", "twente\x00", "2017", "5", "district"),
])
def test_entry_refuses_with_the_field_named(unit, district, period, value, field):
    with pytest.raises(ValidationErrors) as error:
        rules.check_entry(district, period, value, facts(unit))
    assert field in error.value.errors


def test_new_period_rules():
    periods = [("2016", "2016"), ("2013-2016", "2013-2016 gemiddeld")]
    assert rules.check_new_period("2018", "", periods) == ("2018", "2018")
    assert rules.check_new_period(" 2018-H1 ", "eerste helft 2018", periods) == (
        "2018-H1", "eerste helft 2018")
    for key in ["2016", "2013-2016 GEMIDDELD", "", "  ", "=1+1", "x" * 21, "20\x0018", "<b>"]:
        with pytest.raises(ValidationErrors):
            rules.check_new_period(key, "", periods)
    with pytest.raises(ValidationErrors):
        rules.check_new_period("2019", "=HYPERLINK()", periods)
    with pytest.raises(ValidationErrors) as error:
        rules.check_new_period("2019", "cliënt 111222333", periods)
    assert "burgerservicenummer" in error.value.errors["period_label"]


# --- the CSV reader --------------------------------------------------------------------------


def test_csv_with_bom_semicolons_and_dutch_header():
    data = "\ufeffDistrict;Periode;Waarde\r\nTwente;2017;1.408\r\n\r\nEenheid;2017;-5\r\n".encode()
    rows = read_csv(data)
    assert [(r.line, r.district, r.period, r.value) for r in rows] == [
        (2, "Twente", "2017", "1.408"), (4, "Eenheid", "2017", "-5")]


def test_csv_with_commas_quoted_decimals_and_english_header_in_any_order():
    rows = read_csv(b'value,district,period\n"3,1",twente,2017\n')
    assert (rows[0].district, rows[0].period, rows[0].value) == ("twente", "2017", "3,1")


@pytest.mark.parametrize("cell", ["=1+1", "+31", "@SUM(A1)", "-1+2", "=cmd|' /C calc'!A0",
                                  "\t=1"])
def test_formula_cells_are_refused_per_row(cell):
    rows = read_csv(f"district;periode;waarde\ntwente;2017;{cell}\nijsselland;2017;5\n".encode())
    assert "formule" in rows[0].error and rows[1].error is None


def test_formula_in_the_district_column_is_refused_even_with_a_minus():
    rows = read_csv(b"district;periode;waarde\n-twente;2017;5\n")
    assert "formule" in rows[0].error


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "leeg"), (b"\xef\xbb\xbf  \n", "leeg"), (b"district;periode;waarde\n", "geen metingen"),
    (b"naam;jaar;aantal\nx;2017;5\n", "kolomnamen"), (b"district periode waarde\n", "kolomnamen"),
    ("district;periode;waarde\nTwénte;2017;5\n".encode("latin-1"), "UTF-8"),
    (b"district;periode;waarde\n\"twente;2017;5\n", "geen geldige CSV"),
    (b"district;periode;waarde\ntw\x00ente;2017;5\n", "geen tekstbestand"),
])
def test_unusable_files_are_refused_as_a_whole(data, reason):
    with pytest.raises(CsvError) as error:
        read_csv(data)
    assert reason in error.value.message


def test_size_and_row_limits():
    with pytest.raises(CsvError, match="groter dan 1 MB"):
        read_csv(b"district;periode;waarde\n" + b"x" * MAX_BYTES)
    many = "district;periode;waarde\n" + "twente;2017;5\n" * (MAX_ROWS + 1)
    with pytest.raises(CsvError, match="meer dan 1000 regels"):
        read_csv(many.encode())
    assert len(read_csv(("district;periode;waarde\n" + "twente;2017;5\n" * MAX_ROWS).encode())) \
        == MAX_ROWS


def test_check_import_classifies_every_row():
    f = facts("aantal", {(1, "2016"): Decimal(10), (1, "2017"): Decimal(12)})
    data = ("district;periode;waarde\n"
            "IJsselland;2016;10\n"       # unchanged
            "ijsselland;2017;13\n"       # changed
            "Twente;2017;1.408\n"        # new
            "Twente;2017;1.409\n"        # duplicate of line 4
            "Eenheid;2017;2.000\n"       # unit-wide count: refused
            "Achterhoek;2017;5\n"        # unknown district
            "Twente;2018;5\n"            # unknown period
            "Twente;2016;drie\n"         # not a number
            "Twente;2016\n")             # wrong column count
    result = rules.check_import(read_csv(data.encode()), f)
    outcomes = [(r.line, r.outcome) for r in result]
    assert outcomes == [(2, "ongewijzigd"), (3, "gewijzigd"), (4, "nieuw"), (5, "fout"),
                        (6, "fout"), (7, "fout"), (8, "fout"), (9, "fout"), (10, "fout")]
    errors = {r.line: r.error for r in result}
    assert "regel 4" in errors[5] and "berekend" in errors[6] and "Onbekend district" in errors[7]
    assert "Onbekende periode" in errors[8] and "geen getal" in errors[9]
    assert "kolommen" in errors[10]
