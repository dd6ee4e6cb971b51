"""Throttling that nobody can turn against the account's owner.

Attempts are counted in the database (table ``throttle_failures``), so every
gunicorn worker and every instance on the same database sees the same counts.
Two limits apply to each ``kind`` of attempt (``login``, ``password_link``,
``totp``):

* per (account, client address) pair: the first ``free`` failures cost nothing;
  after that the pair waits ``first_delay``, then twice that, four times …, at
  most ``max_delay``, counted from its last failure. A stranger who types wrong
  passwords for a mayor's address only slows down themselves: the mayor at
  another address is not affected. With the login policy a pair gets at most
  nine failures in any 15 minutes (five free, then after 1, 2, 4 and 8 minutes),
  within QUALITY.md's "at most 10 failures per 15 minutes per account" read per
  (account, client) pair.
* per client address, across accounts (spraying): at most ``client_limit``
  failures per ``client_window``; then that address waits until the oldest of
  them ages out.

The account key is whatever was typed, normalised, whether an account exists or
not, so the answers for unknown accounts are the same as for known ones. For the
TOTP step (the account is known by then) pass ``str(user.id)``.

Use::

    decision = throttle.check("login", address, client, now)
    if not decision.allowed:        # answer 429 with Retry-After: decision.retry_after
        ...
    throttle.record_failure("login", address, client, now)   # a wrong password
    throttle.clear("login", address, client)                 # a correct one

A check and the following record are not one atomic step: parallel requests of
one pair may each pass a check, so the bound can be exceeded by the number of
requests in flight at once (a handful, not an unbounded stream).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select

from tracker.auth.models import ThrottleFailure
from tracker.extensions import db

KINDS = ("login", "password_link", "totp")


@dataclass(frozen=True)
class Policy:
    """The limits for one kind of attempt (see the module docstring)."""

    #: Failures of one (account, client) pair before delays start.
    free: int
    #: The first delay; each further failure doubles it.
    first_delay: timedelta
    #: The longest delay between two attempts of a pair.
    max_delay: timedelta
    #: How long a failure counts for its pair (longer than ``max_delay``, so delays grow).
    window: timedelta
    #: Failures one client address may have across all accounts per ``client_window``.
    client_limit: int
    client_window: timedelta


LOGIN_POLICY = Policy(
    free=5, first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=15),
    window=timedelta(hours=1), client_limit=20, client_window=timedelta(minutes=15),
)

#: Defaults; ``TRACKER_THROTTLE_POLICIES`` (a dict kind -> Policy) overrides per kind.
POLICIES: dict[str, Policy] = {
    "login": LOGIN_POLICY,
    "totp": LOGIN_POLICY,
    # Every request for a link counts (there is no "wrong" request); one mail per
    # quarter hour is sent anyway, so three free requests are plenty.
    "password_link": Policy(
        free=3, first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=15),
        window=timedelta(hours=1), client_limit=10, client_window=timedelta(minutes=15),
    ),
}


class Decision(NamedTuple):
    """Whether an attempt may proceed now; if not, after how many whole seconds."""

    allowed: bool
    retry_after: int


def policy(kind: str) -> Policy:
    """The policy for ``kind``; ``KeyError`` for an unknown kind."""
    if kind not in POLICIES:
        raise KeyError(f"unknown throttle kind {kind!r}")
    return current_app.config.get("TRACKER_THROTTLE_POLICIES", {}).get(kind, POLICIES[kind])


def _keys(account: str, client: str | None) -> tuple[str, str]:
    return (account or "").strip().lower()[:254], (client or "-")[:64]


def pair_delay(failures: int, rules: Policy) -> timedelta:
    """The wait after the last of ``failures`` failures of one pair (zero while free)."""
    if failures < rules.free:
        return timedelta(0)
    doublings = min(failures - rules.free, 20)  # 2**20 minutes is past any sensible cap
    return min(rules.first_delay * 2**doublings, rules.max_delay)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


def check(kind: str, account: str, client: str | None, now: datetime) -> Decision:
    """May ``client`` try ``kind`` for ``account`` at ``now`` (aware UTC)?

    Returns ``Decision(allowed, retry_after)``; ``retry_after`` is 0 when allowed,
    else the seconds until both the pair's delay and the client's limit allow it.
    """
    rules = policy(kind)
    account, client = _keys(account, client)
    failures, last = db.session.execute(
        select(func.count(ThrottleFailure.id), func.max(ThrottleFailure.at))
        .where(ThrottleFailure.kind == kind, ThrottleFailure.account == account,
               ThrottleFailure.client == client, ThrottleFailure.at > now - rules.window)
    ).one()
    wait = 0
    if failures:
        wait = _seconds_until(last + pair_delay(failures, rules), now)
    client_times = db.session.scalars(
        select(ThrottleFailure.at)
        .where(ThrottleFailure.kind == kind, ThrottleFailure.client == client,
               ThrottleFailure.at > now - rules.client_window)
        .order_by(ThrottleFailure.at.desc())
        .limit(rules.client_limit)
    ).all()
    if len(client_times) >= rules.client_limit:
        wait = max(wait, _seconds_until(client_times[-1] + rules.client_window, now))
    return Decision(wait == 0, wait)


def record_failure(kind: str, account: str, client: str | None, now: datetime) -> None:
    """Count one failed (or, for password links, any) attempt; flushes.

    Also forgets attempts older than every window, so the table stays small.
    """
    policy(kind)
    account, client = _keys(account, client)
    horizon = max(max(p.window, p.client_window) for p in map(policy, KINDS))
    db.session.execute(delete(ThrottleFailure).where(ThrottleFailure.at < now - horizon))
    db.session.add(ThrottleFailure(kind=kind, account=account, client=client, at=now))
    db.session.flush()


def clear(kind: str, account: str, client: str | None) -> None:
    """Forget the failures of this pair (after a success); other clients' stay. Flushes."""
    account, client = _keys(account, client)
    db.session.execute(delete(ThrottleFailure).where(
        ThrottleFailure.kind == kind, ThrottleFailure.account == account,
        ThrottleFailure.client == client))
    db.session.flush()


def wait_text(seconds: int) -> str:
    """``retry_after`` seconds as Dutch text in whole minutes: "1 minuut", "4 minuten"."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"
