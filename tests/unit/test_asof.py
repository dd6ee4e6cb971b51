"""The end of a peildatum, local time."""

from datetime import UTC, date, datetime

from tracker.report.asof import cutoff_for


def test_cutoff_is_midnight_after_the_peildatum_in_amsterdam():
    assert cutoff_for(date(2018, 2, 1)).astimezone(UTC) == datetime(2018, 2, 1, 23, 0, tzinfo=UTC)


def test_cutoff_follows_summer_time():
    assert cutoff_for(date(2018, 7, 1)).astimezone(UTC) == datetime(2018, 7, 1, 22, 0, tzinfo=UTC)


def test_cutoff_on_the_day_the_clocks_go_back():
    # 28 October 2018 ends at 23:00 UTC (CET again after 03:00 CEST).
    assert cutoff_for(date(2018, 10, 28)).astimezone(UTC) == datetime(2018, 10, 28, 23, 0, tzinfo=UTC)
