"""The measurement form and the period form.

Both fields are read as typed; what they mean (which district, which period, which
number) is decided by :mod:`tracker.indicators.rules` against the indicator's facts as
they stand under the indicator's lock, with the same Dutch reasons as the CSV import.
"""

from __future__ import annotations

from tracker.forms import Form, ParsedField


class MeasurementForm(Form):
    # Not free text: a district and a period chosen from the indicator's own, and a
    # number (111.222.333 is a count, not a BSN); the rules look them up.
    district = ParsedField("District", no_bsn=False)
    period = ParsedField("Periode", no_bsn=False)
    value = ParsedField("Waarde", no_bsn=False)

    def typed(self) -> dict[str, str]:
        return {name: self[name].raw or "" for name in ("district", "period", "value")}


class PeriodForm(Form):
    period_key = ParsedField("Periode")  # stored as the period's key: refused like text
    period_label = ParsedField("Omschrijving")

    def typed(self) -> dict[str, str]:
        return {name: self[name].raw or "" for name in ("period_key", "period_label")}
