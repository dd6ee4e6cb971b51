"""The report's layout decisions (pure): labels broken into lines, footnotes in their
sentence, an action's date not repeated."""

from datetime import date

from tracker.report.facts import ActionRow
from tracker.report.sections import TextPart, place_footnotes, wrap_label


def test_chart_labels_break_into_lines_and_keep_every_character():
    assert wrap_label("Noord- en Oost-Gelderland", 16) == ["Noord- en Oost-", "Gelderland"]
    assert wrap_label("Gelderland-Midden", 16) == ["Gelderland-", "Midden"]
    long = "x" * 40
    assert "".join(wrap_label(long, 16)) == long
    assert all(len(line) <= 16 for line in wrap_label(f"a {long} b", 16))


def test_footnote_follows_its_anchor_not_the_paragraph():
    paragraphs = ["Daarin zijn door de 78 gemeenten, politie en justitie thema’s benoemd.", "Twee."]
    parts = place_footnotes(paragraphs, ["Dit aantal is teruggelopen"], ["78 gemeenten"])
    assert parts[0] == [TextPart("Daarin zijn door de 78 gemeenten", 1),
                        TextPart(", politie en justitie thema’s benoemd.")]
    # Without an anchor found: at the end of the first paragraph, text unchanged.
    parts = place_footnotes(paragraphs, ["Noot"], ["ontbreekt"])
    assert parts[0] == [TextPart(paragraphs[0]), TextPart("", 1)] and parts[1] == [TextPart("Twee.")]


def _action(text: str, precision: str, status: str = "open") -> ActionRow:
    return ActionRow(1, 1, text, "", status, date(2018, 12, 31), precision, None, 0)


def test_an_actions_date_is_not_repeated_when_its_text_says_it():
    assert _action("Endterm review eind 2018", "year").note == ""
    assert _action("Endterm review eind 2018", "year", "bezig").note == "bezig"
    assert _action("Endterm review", "year").note == "open, eind 2018"
