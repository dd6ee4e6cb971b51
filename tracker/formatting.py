"""Dutch formatting of dates, times and numbers; registered as Jinja filters.

Pure functions: dates as "1 oktober 2018" or "01-10-2018", numbers as "11.194",
percentages as "3,1%", times in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from tracker.enums import DatePrecision
from tracker.text import linkify

LOCALE = "nl_NL"
DEFAULT_TIMEZONE = "Europe/Amsterdam"

#: The seasons as the Dutch calendar names them (astronomical): voorjaar from 21 maart to
#: 20 juni, zomer to 22 september, najaar to 21 december. A date entered as "eind voorjaar"
#: (20 June) is voorjaar, not zomer as the month alone (meteorological seasons) would say.
SEASON_STARTS = ((3, 21, "voorjaar"), (6, 21, "zomer"), (9, 23, "najaar"), (12, 22, "winter"))


def season(value: date) -> str:
    """``voorjaar``, ``zomer``, ``najaar`` or ``winter`` for the day ``value``."""
    name = "winter"
    for month, day, start_name in SEASON_STARTS:
        if (value.month, value.day) >= (month, day):
            name = start_name
    return name



def to_local(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """Convert an aware datetime to local time; naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def long_date(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``1 oktober 2018``; datetimes are first converted to local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, timezone).date()
    return _format_date(value, "d MMMM y")


@lru_cache(maxsize=4096)
def _format_date(value: date, pattern: str) -> str:
    """Babel's Dutch date (pure; cached: a report of thousands of rows repeats few dates,
    and each Babel call costs about 0.1 ms)."""
    return format_date(value, pattern, locale=LOCALE)


def short_date(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``01-10-2018``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, timezone).date()
    return value.strftime("%d-%m-%Y")


def long_datetime(value: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """``7 maart 2018 13:30`` in local time."""
    if value is None:
        return ""
    local = to_local(value, timezone)
    return f"{long_date(local.date())} {local:%H:%M}"


def time_range(starts: datetime | None, ends: datetime | None,
               timezone: str = DEFAULT_TIMEZONE) -> str:
    """A meeting's time in Dutch, local time (Europe/Amsterdam by default).

    One day: ``16 december 2026, 13.30–16.30 uur``; over several days:
    ``16 december 2026, 13.30 uur – 17 december 2026, 16.30 uur``; without an end:
    ``16 december 2026, 13.30 uur``; without a start: ``""``. Naive values are UTC.
    """
    if starts is None:
        return ""
    start = to_local(starts, timezone)
    first = f"{long_date(start.date())}, {start:%H.%M}"
    if ends is None:
        return f"{first} uur"
    end = to_local(ends, timezone)
    if end.date() == start.date():
        return f"{first}\u2013{end:%H.%M} uur"
    return f"{first} uur \u2013 {long_date(end.date())}, {end:%H.%M} uur"


def iso_date(value: date | datetime | None) -> str:
    """ISO 8601 for ``<time datetime>`` attributes."""
    return "" if value is None else value.isoformat()


def approximate_date(value: date | None, precision: DatePrecision | str | None) -> str:
    """A due date at the precision it is known: ``september 2019``, ``eerste helft 2018``."""
    if value is None:
        return ""
    precision = DatePrecision(precision or DatePrecision.DAY)
    if precision == DatePrecision.MONTH:
        return _format_date(value, "MMMM y")
    if precision == DatePrecision.HALF:
        half = "eerste" if value.month <= 6 else "tweede"
        return f"{half} helft {value.year}"
    if precision == DatePrecision.SEASON:
        return f"{season(value)} {value.year}"
    if precision == DatePrecision.YEAR:
        return f"eind {value.year}" if value.month == 12 else str(value.year)
    return long_date(value)


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """``11.194``; ``-2.146``; with ``decimals`` a comma: ``3,1``."""
    if value is None:
        return ""
    if type(value) is int:
        return _whole_number(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


@lru_cache(maxsize=4096)
def _whole_number(value: int, decimals: int) -> str:
    """:func:`number` of an ``int`` (pure; cached like :func:`_format_date`)."""
    if not decimals:
        # The same digits as Babel's Dutch pattern below, without its cost (a status page
        # writes thousands of counts); tests/unit/test_number_fast_path.py compares them.
        return f"{value:,}".replace(",", ".")
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percentage(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """A value already in percent: ``3.1`` → ``3,1%``; ``-23`` → ``-23%``."""
    if value is None:
        return ""
    return number(value, decimals) + "%"


def counted(n: int | None, singular: str, plural: str) -> str:
    """A count with its noun: ``1 sleutel``, ``12 sleutels``, ``1.234 acties``, ``0 acties``.

    The one place that chooses singular or plural (templates pass both words; Dutch
    plurals are too irregular to derive)."""
    if n is None:
        return ""
    return f"{number(n)} {singular if abs(n) == 1 else plural}"


def days(n: int | None) -> str:
    """A count of days: ``1 dag``, ``20 dagen``, ``3.190 dagen`` (the one day format)."""
    return counted(n, "dag", "dagen")


def days_until(days_left: int | None) -> str:
    """Distance to a date: ``nog 20 dagen``, ``vandaag``, ``3.190 dagen over tijd``."""
    if days_left is None:
        return ""
    if days_left > 0:
        return f"nog {days(days_left)}"
    if days_left == 0:
        return "vandaag"
    return f"{days(-days_left)} over tijd"


def duration(seconds: float | None) -> str:
    """A rough duration: ``40 seconden``, ``1 minuut``, ``3 minuten`` (whole seconds under
    a minute, else whole minutes rounded up: a wait is better over- than underestimated)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return counted(max(1, round(seconds)), "seconde", "seconden")
    return counted(-(-int(seconds) // 60), "minuut", "minuten")


def register_filters(app) -> None:
    """Expose the formatters to Jinja under short Dutch-flavoured names."""
    timezone = app.config.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE)
    app.jinja_env.filters.update(
        datum=lambda v: long_date(v, timezone),
        datum_kort=lambda v: short_date(v, timezone),
        datumtijd=lambda v: long_datetime(v, timezone),
        tijdvak=lambda start, end=None: time_range(start, end, timezone),
        iso=iso_date,
        ongeveer=approximate_date,
        getal=number,
        procent=percentage,
        dagen=days,
        aantal=counted,
        dagen_tot=days_until,
        duur=duration,
        links=linkify,
    )


# == Bijlagen ==
def file_size(n_bytes: int | None) -> str:
    """A file size as Dutch people read it: ``812 bytes``, ``34 kB``, ``1,2 MB``, ``10 MB``.

    Decimal units of 1,000 would disagree with the limit people are told ("10 MB" meaning
    10 × 1024 × 1024), so kB and MB are 1024 and 1024², as file managers on Windows show.
    """
    if n_bytes is None:
        return ""
    if n_bytes < 1024:
        return f"{number(n_bytes)} {'byte' if n_bytes == 1 else 'bytes'}"
    kilobytes = round(n_bytes / 1024)
    if kilobytes < 1024:
        return f"{number(kilobytes)} kB"
    megabytes = n_bytes / (1024 * 1024)
    rounded = round(megabytes, 1)
    return f"{number(rounded, 0 if rounded == int(rounded) else 1)} MB"
