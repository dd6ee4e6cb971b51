"""The as-of logic: the data as it stood on the peildatum."""

from datetime import UTC, date, datetime

from tracker.report.asof import (
    Change,
    action_status_as_of,
    cutoff_for,
    deleted_rows,
    existed,
    undo_changes,
)

CUTOFF = cutoff_for(date(2018, 2, 1))


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_cutoff_is_midnight_after_the_peildatum_in_amsterdam():
    assert CUTOFF.astimezone(UTC) == at(2018, 2, 1, 23, 0)
    assert existed(at(2018, 2, 1, 22, 59), CUTOFF)
    assert not existed(at(2018, 2, 1, 23, 0), CUTOFF)
    assert existed(at(2030, 1, 1), None)


def test_later_changes_are_undone_newest_first():
    changes = [
        Change(at(2018, 3, 1), "report_item.update", "report_items", 1, {"text": "eerste"}),
        Change(at(2018, 4, 1), "report_item.update", "report_items", 1, {"text": "tweede"}),
        Change(at(2018, 5, 1), "report_item.move", "report_items", 1, {"position": 3,
                                                                        "unknown": "x"}),
    ]
    state = undo_changes({"text": "derde", "position": 0}, changes)
    assert state == {"text": "eerste", "position": 3}


def test_an_action_completed_after_the_peildatum_was_still_open():
    assert action_status_as_of("gereed", at(2018, 3, 1), [], CUTOFF) == "open"
    assert action_status_as_of("gereed", at(2018, 1, 15), [], CUTOFF) == "gereed"
    assert action_status_as_of("gereed", at(2018, 3, 1), [], None) == "gereed"


def test_the_audit_trail_wins_where_it_recorded_the_status():
    complete = Change(at(2018, 3, 1), "action.complete", "actions", 7, {"status": "bezig"})
    assert action_status_as_of("gereed", at(2018, 3, 1), [complete], CUTOFF) == "bezig"
    reopen = Change(at(2018, 3, 2), "action.reopen", "actions", 7, {"status": "gereed"})
    assert action_status_as_of("open", None, [reopen], CUTOFF) == "gereed"


def test_rows_deleted_after_the_peildatum_come_back_when_they_existed_then():
    old = Change(at(2018, 3, 1), "report_item.delete", "report_items", 5,
                 {"team_id": 1, "kind": "doel", "text": "oud", "position": 0,
                  "created_at": at(2018, 1, 1).isoformat()})
    young = Change(at(2018, 3, 1), "report_item.delete", "report_items", 6,
                   {"team_id": 1, "kind": "doel", "text": "jong", "position": 1,
                    "created_at": at(2018, 2, 20).isoformat()})
    rows = deleted_rows([old, young], "report_items", CUTOFF)
    assert [r["text"] for r in rows] == ["oud"]
    assert rows[0]["id"] == 5
