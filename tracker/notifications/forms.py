"""Your own mail preferences and a team's reminder rules."""

from __future__ import annotations

from tracker.forms import EnumField, FlagField, Form, ParsedField
from tracker.notifications.models import DigestFrequency
from tracker.notifications.preferences import NOTICE_KINDS, NoticeChoice
from tracker.validation import ValidationError

MAX_REMINDERS = 5
MAX_DAYS = 365


def parse_notice(raw: str | None, field) -> NoticeChoice | None:
    """One of direct / bundel / nooit; None when the field was not sent (left unchanged)."""
    if not raw:
        return None
    try:
        return NoticeChoice(raw)
    except ValueError as error:
        raise ValidationError(field.name, "Kies direct, in de dagelijkse bundel of nooit.") from error


class PreferencesForm(Form):
    """How often the digest comes, whether reminders come, and per kind of notice how."""

    digest = EnumField(DigestFrequency, invalid="Kies hoe vaak u het overzicht wilt ontvangen.")
    reminders = FlagField()
    notice_assigned = ParsedField("Toegewezen", parse=parse_notice)
    notice_comment = ParsedField("Reactie", parse=parse_notice)
    notice_changed = ParsedField("Gewijzigd", parse=parse_notice)
    notice_event = ParsedField("Bijeenkomst", parse=parse_notice)

    def notices(self) -> dict[str, NoticeChoice]:
        """The notice choices that were sent, by kind."""
        return {kind: value for kind in NOTICE_KINDS
                if (value := getattr(self, f"notice_{kind}").data) is not None}


def parse_reminder_days(raw: str | None, field) -> tuple[int, ...]:
    """Up to five numbers of days (0..365), comma or semicolon separated; largest first."""
    parts = [p.strip() for p in (raw or "").replace(";", ",").split(",") if p.strip()]
    if not parts or len(parts) > MAX_REMINDERS or not all(
            p.isdigit() and p.isascii() and int(p) <= MAX_DAYS for p in parts):
        raise ValidationError(
            field.name, "Geef tot vijf aantallen dagen (0 tot en met 365), gescheiden door "
            "komma's, bijvoorbeeld 7,1.")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def parse_escalation_days(raw: str | None, field) -> int:
    text = (raw or "").strip()
    if not text.isdigit() or not text.isascii() or not 1 <= int(text) <= MAX_DAYS:
        raise ValidationError(field.name, "Geef een aantal dagen van 1 tot en met 365.")
    return int(text)


class TeamRulesForm(Form):
    """When a team's action owners are reminded and when overdue work goes to the trekker."""

    reminder_days = ParsedField("Herinnering", parse=parse_reminder_days)
    overdue_reminder = FlagField()
    escalation_days = ParsedField("Escalatie", parse=parse_escalation_days)
