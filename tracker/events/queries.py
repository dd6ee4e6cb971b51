"""Reading meetings and invitations: locks, seat counts, the organiser's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from tracker.auth.models import User
from tracker.enums import RsvpResponse
from tracker.events.models import Event, Invitation
from tracker.extensions import db
from tracker.network.models import Organisation
from tracker.pagination import Page, paginate
from tracker.validation import search_words


def visible_events_query(user):
    """SELECT of the meetings ``user`` may see in lists (the event.view rule as a query):
    every meeting when they see every team, else those of their teams and those they are
    invited to. Used by the meetings page and the API."""
    from tracker.auth.permissions import visible_team_ids

    query = select(Event)
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        invited = select(Invitation.event_id).where(Invitation.user_id == user.id)
        query = query.where(or_(Event.id.in_(invited), Event.team_id.in_(team_ids)))
    return query


#: Meetings per page of the current and of the past list of the meetings page.
EVENTS_PAGE = 25


def event_lists(user, moment: datetime, current_number: int | None,
                past_number: int | None) -> tuple[Page, Page]:
    """One page of the current meetings (undated last, else soonest first) and one of the
    past ones (latest first) that ``user`` may see; current as :func:`rules.is_current`
    decides, in SQL. Four statements plus one for the teams shown (and those of
    :func:`visible_events_query`)."""
    from sqlalchemy.orm import selectinload

    from tracker.events.rules import current_clause

    visible = visible_events_query(user).options(selectinload(Event.team))
    current = current_clause(moment)
    upcoming = paginate(visible.where(current).order_by(
        Event.starts_at.is_(None), Event.starts_at, Event.id), current_number,
        size=EVENTS_PAGE)
    past = paginate(visible.where(~current).order_by(Event.starts_at.desc(), Event.id.desc()),
                    past_number, size=EVENTS_PAGE)
    return upcoming, past


def lock_event(event_id: int) -> Event | None:
    """The event, re-read and locked (``FOR UPDATE`` on PostgreSQL; SQLite's writer lock)."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True)
    )


def seats_taken(event_id: int, *, excluding: int | None = None) -> int:
    query = select(func.count(Invitation.id)).where(
        Invitation.event_id == event_id, Invitation.response == RsvpResponse.JA,
        Invitation.waitlisted_at.is_(None))
    if excluding is not None:
        query = query.where(Invitation.id != excluding)
    return db.session.scalar(query) or 0


def local_day(moment: datetime) -> date:
    """The Europe/Amsterdam (``TRACKER_TIMEZONE``) date of ``moment``."""
    return moment.astimezone(ZoneInfo(current_app.config["TRACKER_TIMEZONE"])).date()


@dataclass
class Summary:
    ja: int = 0
    nee: int = 0
    misschien: int = 0
    geen_antwoord: int = 0
    wachtlijst: int = 0

    @property
    def total(self) -> int:
        return self.ja + self.nee + self.misschien + self.geen_antwoord + self.wachtlijst


def tally(rows) -> Summary:
    """The organiser's counts from ``(response, waiting, how many)`` rows (pure): the one
    rule that sorts an invitation into ja, nee, misschien, geen antwoord or wachtlijst."""
    summary = Summary()
    for response, waiting, n in rows:
        if response is None:
            summary.geen_antwoord += n
        elif response == RsvpResponse.JA and waiting:
            summary.wachtlijst += n
        else:
            key = RsvpResponse(response).value
            setattr(summary, key, getattr(summary, key) + n)
    return summary


def summarise(invitations) -> Summary:
    """The counts the organiser sees, from the invitations (pure)."""
    return tally((i.response, i.waitlisted_at is not None, 1) for i in invitations)


def invitation_summary(event_id: int) -> Summary:
    """The organiser's counts of an event, counted in the database (one statement)."""
    waiting = Invitation.waitlisted_at.is_not(None)
    return tally(db.session.execute(
        select(Invitation.response, waiting, func.count(Invitation.id))
        .where(Invitation.event_id == event_id).group_by(Invitation.response, waiting)).all())


def invitations_query(event_id: int):
    """The invitations of an event by name, with their people and organisations loaded in
    the same statement."""
    return (select(Invitation).where(Invitation.event_id == event_id)
            .join(Invitation.user).outerjoin(User.organisation)
            .options(contains_eager(Invitation.user).contains_eager(User.organisation))
            .order_by(User.name, Invitation.id))


def invitations_of(event_id: int) -> list[Invitation]:
    """Every invitation of an event (the exports), in one query."""
    return list(db.session.scalars(invitations_query(event_id)))


def invitation_page(event_id: int, number: int | None, summary: Summary) -> Page:
    """Page ``number`` of an event's invitations by name; the total is ``summary``'s (the
    counts already made), so one statement."""
    return paginate(invitations_query(event_id), number, total=summary.total)


# --- Finding people to invite ----------------------------------------------------------

#: At most this many people are offered per search (refine the search for others).
PEOPLE_FOUND = 20
#: Words of a person search used (the rest is ignored) and their longest length.
SEARCH_WORDS, SEARCH_WORD_LENGTH = 5, 60


def may_organise():
    """Who may be a meeting's organiser (the organiser search offers exactly these and the
    event form accepts only these): active accounts other than partners and lezers."""
    from tracker.enums import Role

    return and_(User.active.is_(True), User.role != Role.PARTNER, User.role != Role.LEZER)


def is_organiser_choice(user_id: int | None) -> bool:
    """Whether ``user_id`` may be chosen as organiser (one statement, none for None)."""
    return user_id is not None and db.session.scalar(
        select(User.id).where(User.id == user_id, may_organise())) is not None


def invitable():
    """Who may be invited by account (the person search offers exactly these): active
    accounts. The invitation service applies the same condition."""
    return User.active.is_(True)


@dataclass
class FoundPerson:
    id: int
    name: str
    email: str
    organisation: str | None
    #: Already invited to this event (inviting again skips them).
    invited: bool


@dataclass
class PeopleFound:
    text: str
    #: People ticked before this search (kept ticked), then the matches.
    chosen: list[FoundPerson]
    found: list[FoundPerson]
    #: More matched than :data:`PEOPLE_FOUND`: the search should be narrowed.
    more: bool
    #: Why nothing was searched for (``tracker.validation.search_words``), or None.
    refused: str | None = None


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_people(event_id: int, text: str | None, chosen_ids=()) -> PeopleFound:
    """People to invite whose name, e-mail address or organisation holds every word of
    ``text``, by name, at most :data:`PEOPLE_FOUND`; ``chosen_ids`` (ticked earlier) come
    back first. Only :func:`invitable` accounts. At most two statements, none without a
    search and nothing ticked.
    """
    invited = (select(Invitation.id).where(Invitation.event_id == event_id,
                                           Invitation.user_id == User.id).exists())
    return _search_people(invitable(), invited, text, chosen_ids)


def find_organisers(text: str | None, chosen_id: int | None) -> PeopleFound:
    """Possible organisers (:func:`may_organise`) found like :func:`find_people`; the
    current choice ``chosen_id`` first. At most two statements."""
    from sqlalchemy import false

    return _search_people(may_organise(), false(), text,
                          [chosen_id] if chosen_id is not None else [])


def _search_people(condition, invited, text: str | None, chosen_ids) -> PeopleFound:
    words, refused = search_words(text, max_words=SEARCH_WORDS, max_length=SEARCH_WORD_LENGTH)
    shown_text = " ".join(words)
    chosen_ids = sorted(set(chosen_ids))[:PEOPLE_FOUND * 10]
    base = (select(User.id, User.name, User.email, Organisation.name, invited)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(condition).order_by(User.name, User.id))

    def people(query) -> list[FoundPerson]:
        return [FoundPerson(*row) for row in db.session.execute(query)]

    chosen = people(base.where(User.id.in_(chosen_ids))) if chosen_ids else []
    if not words:
        return PeopleFound(shown_text, chosen, [], False, refused)
    query = base
    for word in words:
        pattern = _like(word)
        query = query.where(or_(
            func.lower(User.name).like(pattern, escape="\\"),
            func.lower(User.email).like(pattern, escape="\\"),
            func.lower(func.coalesce(Organisation.name, "")).like(pattern, escape="\\")))
    if chosen_ids:
        query = query.where(User.id.not_in(chosen_ids))
    found = people(query.limit(PEOPLE_FOUND + 1))
    return PeopleFound(shown_text, chosen, found[:PEOPLE_FOUND], len(found) > PEOPLE_FOUND)


# --- Finding a team for the event form --------------------------------------------------

#: The event form offers the teams as a list up to this many; more are found by a search.
TEAMS_AS_LIST = 40


@dataclass
class TeamsFound:
    text: str
    #: The team chosen before this search (kept chosen), then the matches.
    chosen: list[tuple[int, str]]
    found: list[tuple[int, str]]
    more: bool
    #: Why nothing was searched for (``tracker.validation.search_words``), or None.
    refused: str | None = None


def _teams_among(team_ids):
    """Teams among ``team_ids`` (None: every team), in the network's order."""
    from tracker.network.models import Team

    query = select(Team.id, Team.name).order_by(Team.position, Team.name, Team.id)
    return query if team_ids is None else query.where(Team.id.in_(team_ids))


def team_count(team_ids) -> int:
    """How many teams ``team_ids`` (None: every team) holds; a statement only for None."""
    from tracker.network.models import Team

    if team_ids is not None:
        return len(team_ids)
    return db.session.scalar(select(func.count(Team.id))) or 0


def team_list(team_ids) -> list[tuple[int, str]]:
    """``(id, name)`` of the teams among ``team_ids`` (None: every team); one statement."""
    if team_ids is not None and not team_ids:
        return []
    return [tuple(row) for row in db.session.execute(_teams_among(team_ids))]


def find_teams(team_ids, text: str | None, chosen_id: int | None) -> TeamsFound:
    """Teams among ``team_ids`` (None: every team) whose name or short name holds every
    word of ``text``, at most :data:`PEOPLE_FOUND`; the chosen one first. At most two
    statements, none without a search and nothing chosen."""
    from tracker.network.models import Team

    words, refused = search_words(text, max_words=SEARCH_WORDS, max_length=SEARCH_WORD_LENGTH)
    base = _teams_among(team_ids)
    chosen = ([tuple(r) for r in db.session.execute(base.where(Team.id == chosen_id))]
              if chosen_id is not None else [])
    if not words:
        return TeamsFound("", chosen, [], False, refused)
    query = base
    for word in words:
        pattern = _like(word)
        query = query.where(or_(func.lower(Team.name).like(pattern, escape="\\"),
                                func.lower(Team.short_name).like(pattern, escape="\\")))
    if chosen_id is not None:
        query = query.where(Team.id != chosen_id)
    found = [tuple(r) for r in db.session.execute(query.limit(PEOPLE_FOUND + 1))]
    return TeamsFound(" ".join(words), chosen, found[:PEOPLE_FOUND], len(found) > PEOPLE_FOUND)


def waitlist_place(invitation: Invitation) -> int | None:
    """The 1-based place of ``invitation`` on its event's waiting list; None when not on it.

    The order is the promotion order of ``rsvp.promote_waitlist``: waiting since, then id.
    """
    if invitation.response != RsvpResponse.JA or invitation.waitlisted_at is None:
        return None
    ahead = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.event_id == invitation.event_id, Invitation.response == RsvpResponse.JA,
            Invitation.waitlisted_at.is_not(None),
            or_(Invitation.waitlisted_at < invitation.waitlisted_at,
                and_(Invitation.waitlisted_at == invitation.waitlisted_at,
                     Invitation.id < invitation.id))))
    return (ahead or 0) + 1
