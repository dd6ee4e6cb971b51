"""Dutch formats: dates, numbers, percentages, time zones."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tracker.formatting import (
    approximate_date,
    counted,
    days,
    long_date,
    long_datetime,
    number,
    percentage,
    short_date,
    to_local,
)


def test_long_and_short_dates():
    assert long_date(date(2018, 10, 1)) == "1 oktober 2018"
    assert long_date(date(2018, 3, 7)) == "7 maart 2018"
    assert short_date(date(2018, 10, 1)) == "01-10-2018"
    assert long_date(None) == ""


def test_datetimes_are_shown_in_amsterdam_time():
    # 23:30 UTC on 31 December is already 1 January in Amsterdam (CET, +1).
    moment = datetime(2019, 12, 31, 23, 30, tzinfo=UTC)
    assert long_date(moment) == "1 januari 2020"
    assert long_datetime(moment) == "1 januari 2020 00:30"
    # Summer time: +2.
    assert long_datetime(datetime(2018, 6, 1, 10, 0, tzinfo=UTC)) == "1 juni 2018 12:00"


def test_dst_change_days():
    # Last Sunday of March 2018: 01:00 UTC is 03:00 CEST (02:00-03:00 does not exist).
    assert to_local(datetime(2018, 3, 25, 1, 0, tzinfo=UTC)).hour == 3
    # Last Sunday of October 2018: 00:30 UTC and 01:30 UTC are both 02:30 local.
    first = to_local(datetime(2018, 10, 28, 0, 30, tzinfo=UTC))
    second = to_local(datetime(2018, 10, 28, 1, 30, tzinfo=UTC))
    assert (first.hour, first.minute) == (second.hour, second.minute) == (2, 30)
    assert first.utcoffset() != second.utcoffset()


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (11194, 0, "11.194"),
        (-2146, 0, "-2.146"),
        (7391, 0, "7.391"),
        (Decimal("3.1"), 1, "3,1"),
        (0, 0, "0"),
        (1234567, 0, "1.234.567"),
    ],
)
def test_numbers(value, decimals, expected):
    assert number(value, decimals) == expected


def test_percentages():
    assert percentage(Decimal("3.1"), 1) == "3,1%"
    assert percentage(-23) == "-23%"
    assert percentage(None) == ""


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        (date(2018, 10, 1), "day", "1 oktober 2018"),
        (date(2019, 9, 30), "month", "september 2019"),
        (date(2018, 6, 30), "half", "eerste helft 2018"),
        (date(2018, 12, 31), "half", "tweede helft 2018"),
        (date(2018, 5, 1), "season", "voorjaar 2018"),
        # The end of spring (the demo's "voorjaar 2018" actions) is voorjaar, not zomer.
        (date(2018, 6, 20), "season", "voorjaar 2018"),
        (date(2018, 6, 21), "season", "zomer 2018"),
        (date(2018, 3, 20), "season", "winter 2018"),
        (date(2018, 12, 22), "season", "winter 2018"),
        (date(2018, 12, 31), "year", "eind 2018"),
        (date(2019, 1, 1), "year", "2019"),
        (None, "day", ""),
    ],
)
def test_approximate_dates(day, precision, expected):
    assert approximate_date(day, precision) == expected


def test_counted_chooses_the_noun_and_formats_the_number():
    assert counted(1, "sleutel", "sleutels") == "1 sleutel"
    assert counted(0, "sleutel", "sleutels") == "0 sleutels"
    assert counted(1234, "actie", "acties") == "1.234 acties"
    assert counted(-1, "dag", "dagen") == "-1 dag"
    assert counted(None, "dag", "dagen") == ""
    assert days(20) == "20 dagen" and days(1) == "1 dag"
