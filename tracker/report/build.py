"""The progress report as plain data: load the facts, lay out the sections, compare editions.

The work is split by job: ``facts`` (plain rows), ``loading`` (reading them now or as of
a peildatum from history), ``sections`` (laying them out, pure) and ``editions`` (labels
and the changes since the previous edition, pure). This module puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.formatting import long_date
from tracker.report import texts as report_texts
from tracker.report.claim import computed_claim
from tracker.report.editions import changes_between, figures_of, snapshot_of, version_label_for
from tracker.report.facts import MilestoneRow, PilotRow
from tracker.report.loading import apply_corrections, load_world
from tracker.report.sections import (
    ACTIONS_TITLE,
    BLOCK_TITLES,
    IndicatorSection,
    TeamSection,
    build_indicator,
    build_sections,
)
from tracker.status import rollup

__all__ = [
    "ACTIONS_TITLE", "BLOCK_TITLES", "IndicatorSection", "Report", "TeamSection",
    "build_indicator", "build_report", "build_sections", "figures_of", "load_world", "snapshot_of",
    "version_label_for",
]


@dataclass
class Report:
    peildatum: date
    version_label: str
    texts: dict[str, Any]
    teams: list[TeamSection]
    milestones: list[MilestoneRow]
    pilots: list[PilotRow]
    network: rollup.NetworkStatus
    notices: list[str]
    changes: list[str] | None  # None: no previous edition to compare with
    previous_label: str | None
    #: The cover's sentence on the figures: what the tracker computed, what it took from a
    #: source (``tracker.report.claim.computed_claim``).
    figures_claim: str = ""
    #: A correction: ``changes`` says what it corrected in ``previous_label``, the
    #: edition it replaces (not the changes since the edition before).
    corrects: bool = False
    #: The summary stored with an edition (``editions.snapshot_of``).
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def changes_heading(self) -> str:
        """``Wijzigingen sinds versie januari 2018``, for a correction
        ``Gecorrigeerd ten opzichte van versie februari 2018``; ``Wijzigingen`` without one."""
        if self.previous_label is None:
            return "Wijzigingen"
        if self.corrects:
            return f"Gecorrigeerd ten opzichte van {self.previous_label}"
        return f"Wijzigingen sinds {self.previous_label}"

    @property
    def title_line(self) -> str:
        return f"{self.texts['title']} {self.version_label}"


def build_report(peildatum: date, *, timezone: str = "Europe/Amsterdam", as_of: bool = True,
                 version_label: str | None = None, corrected: bool = False,
                 supersedes_id: int | None = None, stand: datetime | None = None) -> Report:
    """The progress report with the data as it stood on ``peildatum`` (from history).

    ``as_of=False`` reads the data as it is now, judged on ``peildatum``: on a copy of the
    database taken at the end of that day, both give the same report (the history oracle).
    ``version_label``: the edition's label (default ``versie <maand>``); the placeholders
    in the texts (``{peildatum}``, ``{maand}``, ``{versie}``) are filled from the edition.
    ``corrected``: a corrected edition, the stand on ``peildatum`` with the texts and
    figures corrected since (``loading.apply_corrections``; with ``as_of`` only).
    ``supersedes_id``: the edition a correction replaces; the changes are then what was
    corrected in it (compared with its snapshot), not the changes since the edition before.
    ``stand``: read the history up to this moment if it is earlier than the end of the
    peildatum (``loading.load_world``).
    """
    from tracker.report.models import ReportEdition

    label = version_label or version_label_for(peildatum)
    world = load_world(peildatum, as_of=as_of, timezone=timezone, stand=stand)
    if corrected and as_of:
        apply_corrections(world)
    values = report_texts.placeholder_values(peildatum, label)
    world.texts = {key: report_texts.fill(value, values) for key, value in world.texts.items()}
    world.teams = [replace(t, introduction=report_texts.fill(t.introduction, values))
                   for t in world.teams]
    sections = build_sections(world)
    notices = []
    if not any(s.blocks[0][2] or s.blocks[1][2] or s.blocks[2][2] or s.actions for s in sections):
        notices.append(
            f"Op {long_date(peildatum)} bevatte de tracker nog geen stand van zaken van de "
            "teams: de peildatum ligt vóór de eerste vastgelegde gegevens."
        )
    if not sections:
        notices.append("Er zijn geen teams vastgelegd.")
    snapshot = snapshot_of(sections, texts=world.texts, milestones=world.milestones,
                           figures=figures_of(world.indicators, world.measurements,
                                              world.districts))
    if supersedes_id is not None:
        previous = db.session.execute(
            select(ReportEdition.version_label, ReportEdition.snapshot)
            .where(ReportEdition.id == supersedes_id)).first()
    else:
        # The previous edition: the latest earlier one that no correction replaced.
        superseded = select(ReportEdition.supersedes_id).where(
            ReportEdition.supersedes_id.is_not(None))
        previous = db.session.execute(
            select(ReportEdition.version_label, ReportEdition.snapshot)
            .where(ReportEdition.peildatum < peildatum, ReportEdition.id.not_in(superseded))
            .order_by(ReportEdition.peildatum.desc(), ReportEdition.id.desc()).limit(1)
        ).first()
    changes = None
    previous_label = None
    if previous is not None:
        previous_label = previous.version_label
        changes = changes_between(previous.snapshot or {}, snapshot)
    return Report(
        peildatum=peildatum, version_label=label, texts=world.texts,
        teams=sections, milestones=world.milestones, pilots=world.pilots,
        network=rollup.network_status([s.computed for s in sections]), notices=notices,
        changes=changes, previous_label=previous_label, snapshot=snapshot,
        figures_claim=computed_claim(sections),
        corrects=supersedes_id is not None and previous is not None,
    )
