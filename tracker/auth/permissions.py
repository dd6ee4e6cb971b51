"""The one place that answers "may this user do this to that object".

Routes declare what they need with :func:`requires` (or mark themselves
:func:`public` / :func:`authenticated`); every mutating route must carry such a
mark, and a request to one that does not is refused (default deny, enforced by
:func:`enforce_declared_permission` and by a test that walks ``app.url_map``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user

from tracker.enums import Role, TeamRole

#: Marks stored on view functions as ``view.required_permission``.
PUBLIC = "public"
AUTHENTICATED = "authenticated"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}

#: Team roles that may change a team's work (actions, blocks, milestones, pilots).
EDITING_TEAM_ROLES = frozenset({TeamRole.TREKKER, TeamRole.COORDINATOR})


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register the function deciding permission ``name``."""

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def _is_logged_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def team_role(user, team) -> TeamRole | None:
    """The user's role in ``team``, or None when not a member."""
    for membership in user.memberships:
        if membership.team_id == team.id:
            return membership.role
    return None


def member_team_ids(user) -> list[int]:
    """The ids of the teams ``user`` is a member of (any team role), sorted."""
    return sorted({m.team_id for m in user.memberships})


def visible_team_ids(user) -> list[int] | None:
    """Which teams' lists ``user`` may see: None for every team, else the team ids.

    The one answer every route and query that scopes lists by team uses (dashboard,
    status, milestones, pilots, meetings): partners see the teams they belong to.
    """
    if user.role == Role.PARTNER:
        return member_team_ids(user)
    return None


def sees_team(user, team_id: int | None) -> bool:
    """Whether ``team_id`` lies within :func:`visible_team_ids` (None = network-wide: yes)."""
    ids = visible_team_ids(user)
    return team_id is None or ids is None or team_id in ids


# == Startpagina: which teams a person's home covers ==


def portfolio_team_ids(user) -> list[int]:
    """The teams ``user`` chairs (team role voorzitter): a bestuurder's portfolio, sorted."""
    return sorted({m.team_id for m in user.memberships if m.role == TeamRole.VOORZITTER})


def portfolio_scope(user) -> tuple[list[int], bool]:
    """What a bestuurder's Start page covers: ``(team ids, whole network?)``.

    The teams they chair; a bestuurder who chairs none (a member of the regional board,
    the demo's bestuurder) oversees the network, so every team they may see.
    """
    chaired = portfolio_team_ids(user)
    if chaired:
        return chaired, False
    visible = visible_team_ids(user)
    if visible is None:
        from sqlalchemy import select

        from tracker.extensions import db
        from tracker.network.models import Team

        visible = sorted(db.session.scalars(select(Team.id)))
    return visible, True


def work_team_ids(user) -> list[int]:
    """The teams whose work ``user`` runs (trekker or coordinator), sorted; when none, the
    teams they belong to at all (a coordinator who is only a member still sees that work)."""
    running = sorted({m.team_id for m in user.memberships if m.role in EDITING_TEAM_ROLES})
    return running or member_team_ids(user)


# == (end Startpagina) ==


#: Roles that only read: they edit, comment, publish and manage nothing.
READ_ONLY_ROLES = frozenset({Role.LEZER})


def may_change_data(user) -> bool:
    """Whether ``user``'s role lets them change anything at all (at least comment).

    Every role but lezer comments on the work of the teams it sees (``team.comment``);
    this decides who must use a second factor when ``TRACKER_MFA_REQUIRED`` is on.
    """
    return user.role not in READ_ONLY_ROLES


def can(user, permission: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``permission`` (to ``obj``). Anonymous users may nothing."""
    if permission not in RULES:
        raise KeyError(f"unknown permission {permission!r}")
    if not _is_logged_in(user):
        return False
    return RULES[permission](user, obj)


@rule("network.view")
def _network_view(user, _obj) -> bool:
    """Everyone with an account sees the dashboard (partners only their own teams)."""
    return True


@rule("team.view")
def _team_view(user, team) -> bool:
    """Partners see the teams they belong to; every other role sees every team."""
    return sees_team(user, team.id)


@rule("team.edit")
def _team_edit(user, team) -> bool:
    """The beheerder, and the team's trekker and coordinators, change a team's work."""
    if user.role == Role.BEHEERDER:
        return True
    if user.role in (Role.LEZER, Role.PARTNER):
        return False
    return team_role(user, team) in EDITING_TEAM_ROLES


def editable_team_ids(user) -> list[int] | None:
    """The teams whose work ``user`` may change (``team.edit``) without loading a team:
    None for every team (the beheerder), else the ids, sorted (none for lezer and partner).
    The event form offers and accepts exactly these."""
    if user.role == Role.BEHEERDER:
        return None
    if user.role in (Role.LEZER, Role.PARTNER):
        return []
    return sorted({m.team_id for m in user.memberships if m.role in EDITING_TEAM_ROLES})


@rule("team.comment")
def _team_comment(user, team) -> bool:
    """Everyone who sees a team may comment on its work, except read-only accounts."""
    return may_change_data(user) and _team_view(user, team)


@rule("action.view")
def _action_view(user, action) -> bool:
    return _team_view(user, action.team)


@rule("action.edit")
def _action_edit(user, action) -> bool:
    return _team_edit(user, action.team)


@rule("action.comment")
def _action_comment(user, action) -> bool:
    return _team_comment(user, action.team)


@rule("milestone.view")
def _milestone_view(user, milestone) -> bool:
    """Network-wide milestones are for everyone; a team's follow the team."""
    return milestone.team is None or _team_view(user, milestone.team)


@rule("milestone.edit")
def _milestone_edit(user, milestone) -> bool:
    """A team's coordinators keep its milestones; network-wide ones are the beheerder's."""
    if milestone.team is None:
        return user.role == Role.BEHEERDER
    return _team_edit(user, milestone.team)


@rule("pilot.view")
def _pilot_view(user, pilot) -> bool:
    return _team_view(user, pilot.team)


@rule("pilot.edit")
def _pilot_edit(user, pilot) -> bool:
    return _team_edit(user, pilot.team)


# == Pilots: correcting a status (helper "people", issue 13) ==
@rule("pilot.correct")
def _pilot_correct(user, pilot) -> bool:
    """Putting a pilot's status back a step: the beheerder and the team's coordinator only
    (not the trekker: the correction is the coordinator's check on the team's own moves)."""
    if user.role == Role.BEHEERDER:
        return True
    if user.role in (Role.LEZER, Role.PARTNER):
        return False
    return team_role(user, pilot.team) == TeamRole.COORDINATOR


@rule("organisations.manage")
def _organisations_manage(user, _obj) -> bool:
    """Only the beheerder (secretariat) adds, renames and merges organisations."""
    return user.role == Role.BEHEERDER


@rule("indicator.view")
def _indicator_view(user, indicator) -> bool:
    """An indicator belongs to a team: whoever sees the team sees its measurements."""
    return _team_view(user, indicator.team)


@rule("indicator.edit")
def _indicator_edit(user, indicator) -> bool:
    """Entering and importing measurements is team work (the team.edit rule)."""
    return _team_edit(user, indicator.team)


@rule("users.manage")
def _users_manage(user, _obj) -> bool:
    """Only the beheerder (secretariat) manages accounts and team membership."""
    return user.role == Role.BEHEERDER


@rule("report.view")
def _report_view(user, _obj) -> bool:
    """The whole-network report and overview: every role but partners (who see their teams)."""
    return user.role != Role.PARTNER


@rule("report.publish")
def _report_publish(user, _obj) -> bool:
    """Only the beheerder (secretariat) publishes an edition of the progress report."""
    return user.role == Role.BEHEERDER


@rule("report.texts")
def _report_texts(user, _obj) -> bool:
    """Only the beheerder (secretariat) edits the report's fixed texts."""
    return user.role == Role.BEHEERDER


@rule("team.introduction")
def _team_introduction(user, team) -> bool:
    """A team's introduction in the report is the team's own text: whoever edits the
    team's work (its trekker and coordinators, and the beheerder) edits it."""
    return _team_edit(user, team)


@rule("outbox.manage")
def _outbox_manage(user, _obj) -> bool:
    """Only the beheerder reads the outbox and sends a failed message again."""
    return user.role == Role.BEHEERDER


@rule("webhook.manage")
def _webhook_manage(user, _obj) -> bool:
    """Only the beheerder registers webhooks, reads their delivery log and retries."""
    return user.role == Role.BEHEERDER


@rule("event.view")
def _event_view(user, event) -> bool:
    """Partners see the meetings they are invited to or their team holds; others see all."""
    if visible_team_ids(user) is None:
        return True
    if event.team is not None and sees_team(user, event.team.id):
        return True
    return any(invitation.user_id == user.id for invitation in event.invitations)


@rule("event.create")
def _event_create(user, _obj) -> bool:
    """The beheerder, and whoever may change the work of at least one team."""
    return edits_some_team(user)


def edits_some_team(user) -> bool:
    """The beheerder, and whoever may change the work of at least one team."""
    if user.role == Role.BEHEERDER:
        return True
    if user.role in (Role.LEZER, Role.PARTNER):
        return False
    return any(m.role in EDITING_TEAM_ROLES for m in user.memberships)


@rule("event.manage")
def _event_manage(user, event) -> bool:
    """A team's meeting is kept by its coordinators; one without a team by the beheerder."""
    if event.team is None:
        return user.role == Role.BEHEERDER
    return _team_edit(user, event.team)


@rule("event.minutes")
def _event_minutes(user, event) -> bool:
    """The organiser and whoever manages the meeting keep its minutes and actions from it."""
    if user.role in READ_ONLY_ROLES or user.role == Role.PARTNER:
        return False
    return event.organiser_id == user.id or _event_manage(user, event)


# == Bulk changes on actions (issue 13) ==
@rule("actions.bulk")
def _actions_bulk(user, selection) -> bool:
    """Changing several actions at once: someone who edits a team's work, and only when
    every selected action is one they may edit (``action.edit``). One foreign or unknown
    action in the selection refuses the whole request: the lists only offer editable
    rows, so it can only come from a tampered or outdated form."""
    if not edits_some_team(user) or selection.missing:
        return False
    return all(_action_edit(user, action) for action, _version in selection.rows)


# == Bijlagen (attachments) ==================================================================
#: Per parent table: the rule that lets a user see it, and the one for its team's keepers.
ATTACHMENT_PARENT_RULES = {
    "actions": ("action.view", "action.edit"),
    "pilots": ("pilot.view", "pilot.edit"),
    "events": ("event.view", "event.manage"),
}


@rule("attachment.add")
def _attachment_add(user, parent) -> bool:
    """Adding a file to an action, pilot or meeting: whoever sees it and may change data
    (as with comments; lezers only read)."""
    view, _keep = ATTACHMENT_PARENT_RULES[parent.__tablename__]
    return may_change_data(user) and RULES[view](user, parent)


@rule("attachment.view")
def _attachment_view(user, attachment) -> bool:
    """A file is seen (listed, downloaded) by exactly who sees its action, pilot or meeting."""
    parent = attachment.parent
    view, _keep = ATTACHMENT_PARENT_RULES[parent.__tablename__]
    return RULES[view](user, parent)


@rule("attachment.remove")
def _attachment_remove(user, attachment) -> bool:
    """The team removes files: its trekker and coordinators (the parent's edit rule, the
    beheerder included), and the uploader while they may still add files there."""
    parent = attachment.parent
    _view, keep = ATTACHMENT_PARENT_RULES[parent.__tablename__]
    if RULES[keep](user, parent):
        return True
    return attachment.uploaded_by_id == user.id and _attachment_add(user, parent)


def requires(permission: str, load: Callable[..., Any] | None = None):
    """Guard a view: log in first, 404 when ``load`` finds nothing, 403 when denied.

    ``load`` receives the view's URL arguments and returns the object the
    permission is about; the view then receives it as ``subject``.
    """
    if permission not in RULES:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            from tracker.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            subject = None
            if load is not None:
                subject = load(**kwargs)
                if subject is None:
                    abort(404)
            if not can(current_user, permission, subject):
                abort(403)
            if load is not None:
                kwargs["subject"] = subject
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate


def public(view):
    """Mark a view open to anonymous visitors (login, healthz, signed links)."""
    view.required_permission = PUBLIC
    return view


def authenticated(view):
    """Guard a view that any logged-in user may use on their own behalf (logout)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        from tracker.extensions import login_manager

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    guarded.required_permission = AUTHENTICATED
    return guarded


def declared_permission(view) -> str | None:
    return getattr(view, "required_permission", None)


def enforce_declared_permission(app) -> None:
    """Refuse any mutating request to a view that declares no permission."""

    @app.before_request
    def _default_deny():
        if request.method in SAFE_METHODS or request.endpoint is None:
            return None
        view = app.view_functions.get(request.endpoint)
        if view is None or declared_permission(view) is None:
            abort(403)
        return None
