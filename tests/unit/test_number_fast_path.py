"""``formatting.number`` writes whole numbers without Babel: the same text as Babel's."""

import random

from babel.numbers import format_decimal

from tracker.formatting import LOCALE, days, number


def test_whole_numbers_match_babel():
    rng = random.Random(15)
    values = [0, 1, -1, 999, 1000, -1000, 9999, 10_000, 123_456_789, -2146, 10**15]
    values += [rng.randint(-10**9, 10**9) for _ in range(500)]
    for value in values:
        assert number(value) == format_decimal(value, format="#,##0", locale=LOCALE), value


def test_other_numbers_still_go_through_babel():
    assert number(3.1, 1) == "3,1"
    assert number(1234, 1) == "1.234,0"
    assert days(3190) == "3.190 dagen"
    assert days(1) == "1 dag"
