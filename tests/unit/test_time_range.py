"""Dutch time ranges of meetings: one day, several days, no end; in Amsterdam time,
also on the days the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.formatting import time_range


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("starts", "ends", "expected"), [
    # Winter time (UTC+1).
    (utc(2026, 12, 16, 12, 30), utc(2026, 12, 16, 15, 30), "16 december 2026, 13.30–16.30 uur"),
    # Summer time (UTC+2).
    (utc(2026, 6, 3, 7, 0), utc(2026, 6, 3, 9, 15), "3 juni 2026, 09.00–11.15 uur"),
    # Several days.
    (utc(2026, 12, 16, 12, 30), utc(2026, 12, 17, 15, 30),
     "16 december 2026, 13.30 uur – 17 december 2026, 16.30 uur"),
    # Late evening UTC is the next day in Amsterdam.
    (utc(2026, 12, 31, 23, 30), utc(2027, 1, 1, 1, 0), "1 januari 2027, 00.30–02.00 uur"),
    # No end.
    (utc(2026, 12, 16, 12, 30), None, "16 december 2026, 13.30 uur"),
])
def test_time_ranges_in_dutch(starts, ends, expected):
    assert time_range(starts, ends) == expected


@pytest.mark.parametrize(("starts", "ends", "expected"), [
    # 29 March 2026: at 02.00 the clocks go to 03.00. Before: UTC+1, after: UTC+2.
    (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), "29 maart 2026, 01.30–03.30 uur"),
    (utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 14, 30), "29 maart 2026, 10.00–16.30 uur"),
    (utc(2026, 3, 28, 12, 30), utc(2026, 3, 29, 14, 30),
     "28 maart 2026, 13.30 uur – 29 maart 2026, 16.30 uur"),
    # 25 October 2026: at 03.00 the clocks go back to 02.00.
    (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 2, 30), "25 oktober 2026, 01.30–03.30 uur"),
    (utc(2026, 10, 25, 9, 0), utc(2026, 10, 25, 15, 30), "25 oktober 2026, 10.00–16.30 uur"),
    # 02.30 happens twice that night: both are shown as the wall clock read.
    (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), "25 oktober 2026, 02.30–02.30 uur"),
])
def test_time_ranges_on_the_days_the_clocks_change(starts, ends, expected):
    assert time_range(starts, ends) == expected


def test_no_start_is_empty_and_naive_values_are_utc():
    assert time_range(None, None) == ""
    assert time_range(datetime(2026, 12, 16, 12, 30), None) == "16 december 2026, 13.30 uur"
