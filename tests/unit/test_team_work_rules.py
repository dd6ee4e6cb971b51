"""Pure rules of issue 3: due windows, milestone state, progress, CSV, links, BSN, pilots."""

from datetime import date

import pytest

from tracker.actions.rules import DueWindow, due_window, is_overdue, week_bounds, window_range
from tracker.csv_export import csv_bytes, neutralise
from tracker.enums import ActionStatus, PilotStatus
from tracker.milestones.rules import MilestoneState, Progress, milestone_state, progress_by_district
from tracker.pilots.rules import allowed_next, can_move
from tracker.privacy import looks_like_bsn, passes_elfproef
from tracker.text import linkify

WEDNESDAY = date(2018, 2, 7)


def test_week_starts_on_monday():
    assert week_bounds(WEDNESDAY) == (date(2018, 2, 5), date(2018, 2, 11))
    assert week_bounds(date(2018, 2, 11)) == (date(2018, 2, 5), date(2018, 2, 11))  # a Sunday


@pytest.mark.parametrize(
    ("due", "window"),
    [
        (None, DueWindow.NONE),
        (date(2018, 2, 6), DueWindow.OVERDUE),
        (WEDNESDAY, DueWindow.THIS_WEEK),
        (date(2018, 2, 11), DueWindow.THIS_WEEK),
        (date(2018, 2, 12), DueWindow.THIS_MONTH),
        (date(2018, 2, 28), DueWindow.THIS_MONTH),
        (date(2018, 3, 1), DueWindow.LATER),
    ],
)
def test_due_windows(due, window):
    assert due_window(due, WEDNESDAY) == window


def test_window_ranges_match_the_classification():
    for day in (date(2018, 2, d) for d in range(1, 29)):
        window = due_window(day, WEDNESDAY)
        start, end = window_range(window, WEDNESDAY)
        assert (start is None or start <= day) and (end is None or day <= end)


def test_december_month_end():
    assert window_range(DueWindow.THIS_MONTH, date(2018, 12, 3))[1] == date(2018, 12, 31)


def test_overdue_only_for_open_work():
    assert is_overdue(ActionStatus.OPEN, date(2018, 1, 1), WEDNESDAY)
    assert is_overdue(ActionStatus.BEZIG, date(2018, 1, 1), WEDNESDAY)
    assert not is_overdue(ActionStatus.GEREED, date(2018, 1, 1), WEDNESDAY)
    assert not is_overdue(ActionStatus.OPEN, None, WEDNESDAY)


DEADLINE = date(2018, 10, 1)


@pytest.mark.parametrize(
    ("today", "progress", "achieved", "state"),
    [
        (date(2018, 2, 1), Progress(10, 78), None, MilestoneState.OP_SCHEMA),
        (date(2018, 7, 15), Progress(30, 78), None, MilestoneState.RISICO),    # < 90 days, < 50%
        (date(2018, 7, 15), Progress(50, 78), None, MilestoneState.OP_SCHEMA),
        (date(2018, 9, 10), Progress(60, 78), None, MilestoneState.RISICO),    # < 30 days, < 90%
        (date(2018, 9, 10), Progress(75, 78), None, MilestoneState.OP_SCHEMA),
        (date(2018, 10, 2), Progress(77, 78), None, MilestoneState.TE_LAAT),
        (date(2018, 10, 2), Progress(78, 78), None, MilestoneState.GEHAALD),
        (date(2018, 12, 1), None, date(2018, 9, 1), MilestoneState.GEHAALD),
        (date(2018, 9, 20), None, None, MilestoneState.RISICO),               # 11 days, no measure
        (date(2018, 9, 1), None, None, MilestoneState.OP_SCHEMA),
        (DEADLINE, Progress(0, 0), None, MilestoneState.RISICO),
    ],
)
def test_milestone_state(today, progress, achieved, state):
    assert milestone_state(DEADLINE, today, achieved_on=achieved, progress=progress) == state


def test_progress_per_district():
    pairs = [("IJsselland", 1), ("IJsselland", 2), ("Twente", 3)]
    result = progress_by_district(pairs, {2, 3}, ["IJsselland", "Twente", "Gelderland-Zuid"])
    assert [(d.district, d.done, d.total) for d in result] == [
        ("IJsselland", 1, 2), ("Twente", 1, 1), ("Gelderland-Zuid", 0, 0)]


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-1+2", "@cmd", "\tx", "\rx"])
def test_csv_formula_injection_is_neutralised(value):
    assert neutralise(value).startswith("'")


def test_csv_is_excel_friendly():
    data = csv_bytes(["Titel", "Eigenaar"], [["Één; twee", "=HYPERLINK(\"x\")"]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Titel;Eigenaar"
    assert '"Één; twee";' in text and "'=HYPERLINK" in text


def test_linkify_escapes_and_links_only_http():
    html = str(linkify('Zie https://example.org/a?b=1&c=2. <script>x</script> javascript:alert(1)'))
    assert '<a class="utrecht-link utrecht-link--html-a" href="https://example.org/a?b=1&amp;c=2"' in html
    assert "</a>." in html  # the full stop stays outside the link
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="javascript' not in html


def test_linkify_does_not_break_out_of_attributes():
    html = str(linkify('https://example.org/"onmouseover="alert(1)'))
    assert 'onmouseover="' not in html


@pytest.mark.parametrize(("digits", "valid"), [("111222333", True), ("123456782", True),
                                                ("123456789", False), ("000000000", False)])
def test_elfproef(digits, valid):
    assert passes_elfproef(digits) is valid


def test_bsn_like_text_is_detected():
    assert looks_like_bsn("cliënt 111222333 besproken")
    assert looks_like_bsn("BSN 1112.22.333")
    assert looks_like_bsn("BSN 111.222.333") and looks_like_bsn("111-222-333")
    assert not looks_like_bsn("11.194 inbraken") and not looks_like_bsn("€ 1.111.222.333")
    assert not looks_like_bsn("dossier 123456789")  # fails the elfproef
    assert not looks_like_bsn("telefoon 0612345678")  # ten digits


def test_pilot_lifecycle():
    assert allowed_next(PilotStatus.GEPLAND) == (PilotStatus.LOPEND, PilotStatus.GESTOPT)
    assert can_move(PilotStatus.LOPEND, PilotStatus.GEEVALUEERD)
    assert can_move(PilotStatus.GEEVALUEERD, PilotStatus.GEBORGD)
    assert not can_move(PilotStatus.GEPLAND, PilotStatus.GEBORGD)
    assert not can_move(PilotStatus.GEBORGD, PilotStatus.LOPEND)
    assert allowed_next(PilotStatus.GESTOPT) == ()


def test_linkify_keeps_a_balanced_closing_bracket():
    html = str(linkify("Zie https://nl.wikipedia.org/wiki/Twente_(regio)."))
    assert 'href="https://nl.wikipedia.org/wiki/Twente_(regio)"' in html
    html = str(linkify("(zie https://example.org/a)"))
    assert 'href="https://example.org/a"' in html and "</a>)" in html


def test_count_actions_tallies_grouped_rows():
    from tracker.actions.rules import count_actions

    rows = [(ActionStatus.OPEN, date(2018, 1, 1), 2), (ActionStatus.BEZIG, None, 1),
            (ActionStatus.BEZIG, date(2018, 3, 1), 1), (ActionStatus.GEREED, date(2017, 1, 1), 3),
            (ActionStatus.VERVALLEN, date(2017, 1, 1), 4)]
    counts = count_actions(rows, WEDNESDAY)
    assert (counts.open, counts.overdue, counts.done, counts.cancelled) == (4, 2, 3, 4)
