"""The pager's figures and the page number read from a URL (pure, no app)."""

import pytest

from tracker.pagination import MAX_PAGE, Page, clamp, page_number


def test_page_figures_and_the_numbers_offered():
    page = Page(items=list(range(50)), total=1234, number=2)
    assert (page.first, page.last, page.page_count) == (51, 100, 25)
    assert page.has_previous and page.has_next and page.is_paged
    assert page.numbers() == [1, 2, 3, 4, None, 25]
    assert Page(items=[1], total=1234, number=13).numbers() == [1, None, 11, 12, 13, 14, 15,
                                                               None, 25]
    last = Page(items=list(range(34)), total=1234, number=25)
    assert (last.first, last.last, last.has_next) == (1201, 1234, False)
    empty = Page(items=[], total=0)
    assert (empty.page_count, empty.first, empty.last, empty.is_paged) == (1, 0, 0, False)
    assert Page(items=[1], total=10_000, size=20, max_pages=50).page_count == 50


@pytest.mark.parametrize(("raw", "expected"), [
    ("3", 3), (" 7 ", 7), ("1", 1), (str(MAX_PAGE), MAX_PAGE), (str(MAX_PAGE + 1), MAX_PAGE),
    ("0", None), ("-2", None), ("abc", None), ("", None), ("²", None), ("١", None),
    ("9" * 40, MAX_PAGE), ("9" * 5000, MAX_PAGE), ("0" * 40, None), ("2.0", None)])
def test_page_number_from_the_url(raw, expected):
    assert page_number({"pagina": raw}) == expected


def test_absent_page_and_clamping():
    assert page_number({}) is None
    assert clamp(None, 120) == 1 and clamp(9, 120) == 3 and clamp(2, 0) == 1
    assert clamp(3, 120, size=25) == 3 and clamp(6, 120, size=25) == 5


def test_the_summary_names_the_rows_shown():
    assert Page(items=list(range(50)), total=1234, number=2, size=50).shown == "51–100"
    assert Page(items=[1], total=51, number=2, size=50).shown == "51"
    assert Page(items=list(range(34)), total=1234, number=25, size=50).shown == "1.201–1.234"
