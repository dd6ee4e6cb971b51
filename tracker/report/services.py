"""Reading the peildatum, publishing editions (and corrections), saving the fixed texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.audit.services import record
from tracker.concurrency import ConflictError
from tracker.extensions import db
from tracker.report.build import Report, build_report, version_label_for
from tracker.report.editions import correction_label
from tracker.report.models import ReportEdition, ReportText
from tracker.report.texts import EditableText, stored_value
from tracker.validation import ValidationError

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PeildatumError(ValueError):
    """A peildatum that cannot be used, with a Dutch message."""


def parse_peildatum(value: str | None, today: date) -> date:
    """``YYYY-MM-DD`` → date; empty means today; a future date is refused."""
    if value is None or not value.strip():
        return today
    try:
        # Only the written form: fromisoformat also reads 20180201 and other ISO forms.
        if not ISO_DATE.fullmatch(value.strip()):
            raise ValueError(value)
        peildatum = date.fromisoformat(value.strip())
    except ValueError:
        raise PeildatumError(
            "Ongeldige peildatum: gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2018-02-01."
        ) from None
    if peildatum > today:
        raise PeildatumError("De peildatum ligt in de toekomst: kies vandaag of een eerdere datum.")
    return peildatum


class EditionExists(ConflictError):
    """An edition with this label was published before; it never changes (``str``: the label)."""

    def __init__(self, label: str):
        Exception.__init__(self, label)
        self.label, self.obj, self.expected = label, None, None


class EditionSuperseded(ConflictError):
    """The edition to correct was corrected already: correct the newest correction."""

    def __init__(self, label: str, by: str):
        Exception.__init__(self, label)
        self.label, self.by, self.obj, self.expected = label, by, None, None


#: What an edition and a corrected edition show, as the preview and the list of editions
#: say it (the rule itself: ``loading.apply_corrections``).
EDITION_RULE = "De stand op de peildatum, zoals die toen in de tracker stond."
CORRECTION_RULE = (
    "De stand op de peildatum, met de vaste teksten, de inleidingen van de teams en de "
    "cijfers zoals ze sindsdien zijn gecorrigeerd (cijfers alleen over de perioden die op de "
    "peildatum al in de rapportage stonden). Statuspunten, acties, mijlpalen, pilots en "
    "personen staan zoals ze op de peildatum stonden: wat daarna gebeurde, hoort in de "
    "volgende editie en staat daar bij de wijzigingen.")


@dataclass(frozen=True)
class EditionPlan:
    """What publishing would make: the label, the peildatum, what it replaces."""

    peildatum: date
    label: str
    supersedes_id: int | None = None
    supersedes_label: str | None = None

    @property
    def corrected(self) -> bool:
        """A correction: the stand on the peildatum (from history) with the fixed texts,
        team introductions and figures corrected since (``loading.apply_corrections``);
        an edition: the stand on the peildatum as it was."""
        return self.supersedes_id is not None

    @property
    def rule(self) -> str:
        """What this edition shows, in Dutch (for the preview)."""
        return CORRECTION_RULE if self.corrected else EDITION_RULE


def plan_edition(peildatum: date, supersedes_id: int | None = None) -> EditionPlan:
    """The edition for ``peildatum``, or the correction of edition ``supersedes_id``.

    Raises ``EditionExists`` (a label is published once), ``EditionSuperseded`` or a
    ``ValidationError`` for an edition that does not exist.
    """
    if supersedes_id is None:
        label = version_label_for(peildatum)
        if db.session.scalar(select(ReportEdition.id).where(ReportEdition.version_label == label)):
            raise EditionExists(label)
        return EditionPlan(peildatum, label)
    wrong = db.session.get(ReportEdition, supersedes_id)
    if wrong is None:
        raise ValidationError("vervangt", "Deze editie bestaat niet (meer).")
    if wrong.superseded_by is not None:
        raise EditionSuperseded(wrong.version_label, wrong.superseded_by.version_label)
    taken = set(db.session.scalars(select(ReportEdition.version_label)))
    return EditionPlan(wrong.peildatum, correction_label(wrong.version_label, taken),
                       wrong.id, wrong.version_label)


def build_edition_report(plan: EditionPlan, *, timezone: str,
                         stand: datetime | None = None) -> Report:
    """The report exactly as the edition of ``plan`` will hold it (also the preview).
    ``stand``: the moment it was asked for, when it is published later (in the
    background): what changed after that moment on the peildatum itself is not in it."""
    return build_report(plan.peildatum, timezone=timezone, version_label=plan.label,
                        corrected=plan.corrected, supersedes_id=plan.supersedes_id,
                        stand=stand)


def edition_html(report: Report) -> str:
    """The HTML an edition stores (the stylesheet embedded): the preview shows this."""
    from tracker.report.export_html import render_report_html

    return render_report_html(report, standalone=True)


def publish_edition(peildatum: date, actor, *, timezone: str, supersedes_id: int | None = None,
                    confirmed_label: str | None = None) -> ReportEdition:
    """Build the report for ``peildatum`` (or the correction of edition ``supersedes_id``)
    in every format and store it, never to change.

    ``confirmed_label``: the label the publisher saw on the preview; publishing happens
    only when it is still the label of this edition (else a ``ValidationError``).
    """
    plan = confirmed_plan(peildatum, supersedes_id, confirmed_label)
    report = build_edition_report(plan, timezone=timezone)
    return store_edition(plan, report, edition_files(report), actor)


def confirmed_plan(peildatum: date, supersedes_id: int | None,
                   confirmed_label: str | None) -> EditionPlan:
    """The plan of the edition to publish, when it still has the label the publisher
    confirmed (else a ``ValidationError``; ``EditionExists``/``EditionSuperseded`` from
    :func:`plan_edition`)."""
    plan = plan_edition(peildatum, supersedes_id)
    if confirmed_label != plan.label:
        raise ValidationError(
            "versie", f"Bevestig de publicatie van ‘{plan.label}’ op de voorbeeldpagina: "
            "er is niets gepubliceerd.")
    return plan


def edition_files(report: Report) -> dict[str, Any]:
    """The stored forms of an edition: ``{"html": str, "pdf": bytes, "docx": bytes}``
    (slow for a big network: the PDF's layout grows with the number of actions)."""
    from tracker.report.export_docx import render_report_docx
    from tracker.report.export_pdf import render_report_pdf

    return {"html": edition_html(report), "pdf": render_report_pdf(report),
            "docx": render_report_docx(report)}


def store_edition(plan: EditionPlan, report: Report, files: dict[str, Any], actor) -> ReportEdition:
    """Store the edition of ``plan`` with its ``files`` and journal it (the caller commits)."""
    edition = ReportEdition(
        version_label=plan.label, peildatum=plan.peildatum, supersedes_id=plan.supersedes_id,
        as_of=not plan.corrected,
        published_by_id=getattr(actor, "id", None),
        published_by_name=getattr(actor, "name", "") or "",
        snapshot=report.snapshot, **files,
    )
    db.session.add(edition)
    db.session.flush()
    after = {"peildatum": plan.peildatum.isoformat(), "version_label": plan.label}
    if plan.supersedes_id:
        after["supersedes"] = plan.supersedes_label
    record("report_edition.correct" if plan.supersedes_id else "report_edition.publish",
           actor=actor, obj=edition, summary=plan.label, after=after)
    return edition


def edition_rows() -> list[dict[str, Any]]:
    """Every edition, newest peildatum first, a correction above the edition it replaces;
    ``current``: no correction replaced it."""
    editions = list(db.session.execute(
        select(ReportEdition.id, ReportEdition.version_label, ReportEdition.peildatum,
               ReportEdition.published_at, ReportEdition.published_by_name,
               ReportEdition.supersedes_id)
        .order_by(ReportEdition.peildatum.desc(), ReportEdition.id.desc())
    ))
    labels = {e.id: e.version_label for e in editions}
    replaced_by = {e.supersedes_id: e.version_label for e in editions if e.supersedes_id}
    return [
        {"id": e.id, "version_label": e.version_label, "peildatum": e.peildatum,
         "published_at": e.published_at, "published_by_name": e.published_by_name,
         "supersedes": labels.get(e.supersedes_id), "superseded_by": replaced_by.get(e.id),
         "current": e.id not in replaced_by}
        for e in editions
    ]


# --- the fixed texts ------------------------------------------------------------------------


def stored_texts() -> dict[str, Any]:
    """The stored texts by key (as they are now)."""
    return {t.key: t.value for t in db.session.scalars(select(ReportText))}


def save_text(text: EditableText, value: str | list[str], actor) -> bool:
    """Store ``value`` as ``text`` (versioned, audited); False when nothing changed."""
    row = db.session.scalar(select(ReportText).filter_by(key=text.key))
    before = row.value if row is not None else None
    new = stored_value(text, before, value)
    if new == before:
        return False
    if row is None:
        row = ReportText(key=text.key, value=new)
        db.session.add(row)
    else:
        row.value = new
    db.session.flush()
    record("report_text.update", actor=actor, obj=row, summary=text.label,
           before={"value": before}, after={"value": new})
    return True


def save_introduction(team, introduction: str, actor) -> bool:
    """Store a team's introduction in the report (versioned, audited)."""
    before = team.introduction or ""
    if before == introduction:
        return False
    team.introduction = introduction
    db.session.flush()
    record("team.introduction", actor=actor, obj=team, summary=team.name,
           before={"introduction": before}, after={"introduction": introduction})
    return True
