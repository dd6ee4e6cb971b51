"""Pure rules of webhooks: the events, the body, the signature, which addresses may receive.

No database, no app: unit-tested in tests/unit/test_webhook_rules.py.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tracker.validation import ValidationError

#: Event name -> its Dutch label, in the order the form offers them.
EVENTS: dict[str, str] = {
    "action.created": "Actie aangemaakt",
    "action.completed": "Actie gereed gemeld",
    "action.overdue": "Actie te laat",
    "milestone.reached": "Mijlpaal gehaald",
    "meeting.answered": "Antwoord op een uitnodiging",
}
#: The test button's event; sent to one webhook whatever it subscribed to.
PING = "ping"
#: Every label, the test event included (for the delivery log).
LABELS = {**EVENTS, PING: "Testbericht"}

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SIGNATURE_PREFIX = "sha256="


def body(event: str, delivery_id: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """The JSON body ``{"event", "id", "occurred_at" (UTC ISO 8601, Z), "data"}`` as UTF-8.

    Keys sorted and compact, so that a retry sends exactly the same bytes.
    """
    moment = occurred_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    document = {"event": event, "id": delivery_id, "occurred_at": moment, "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def signature(secret: str, timestamp: str, payload: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 under ``secret`` of ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + payload,
                   hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def headers(event: str, delivery_id: str, timestamp: str, sig: str) -> dict[str, str]:
    """The request headers of one attempt (``timestamp``: Unix seconds as text)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "VNON-tracker-webhooks/1",
        "X-Tracker-Event": event,
        "X-Tracker-Delivery": delivery_id,
        "X-Tracker-Timestamp": timestamp,
        "X-Tracker-Signature": sig,
    }


def check_url(url: str, *, allow_local_http: bool, field: str = "url") -> str:
    """Return ``url`` when a webhook may post to it; else ``ValidationError`` (Dutch).

    Always https, except http:// to this machine (127.0.0.1, ::1, localhost) when
    ``allow_local_http`` (testing, debug or ``TRACKER_WEBHOOK_ALLOW_LOCAL_HTTP``). No
    user name or password in the address (it would be stored readable), no fragment.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is no number
    except ValueError as error:
        raise ValidationError(field, "Het adres is geen geldige link.") from error
    del port
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError(field, "Het adres mist een servernaam.")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(field, "Zet geen gebruikersnaam of wachtwoord in het adres.")
    if parts.fragment:
        raise ValidationError(field, "Het adres mag geen #-deel hebben.")
    if host in LOOPBACK_HOSTS and allow_local_http and scheme in ("http", "https"):
        return url
    if scheme == "http" and host in LOOPBACK_HOSTS:
        raise ValidationError(field, "Alleen https:// is toegestaan (http:// naar deze computer "
                                     "alleen in een test- of ontwikkelomgeving).")
    if internal_host(host):
        raise ValidationError(field, "Een adres binnen het eigen netwerk (localhost, 10.…, "
                                     "172.16–31.…, 192.168.…, 169.254.…, ::1) is niet toegestaan.")
    if scheme == "https":
        return url
    raise ValidationError(field, "Het adres moet beginnen met https:// (http:// alleen naar deze "
                                 "computer, in een test- of ontwikkelomgeving).")


def internal_host(host: str) -> bool:
    """Whether ``host`` names this machine or a non-public network by itself: ``localhost``
    (and ``*.localhost``) or an IP literal that is not global (loopback, private, link-local
    such as the cloud metadata address 169.254.169.254, reserved). Names are resolved at
    delivery (:func:`internal_addresses`), where a name may point inwards too."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def internal_addresses(addresses: list[str]) -> list[str]:
    """Of resolved ``addresses`` (IP strings), those that are not public."""
    return [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global]


def is_success(status_code: int | None) -> bool:
    """2xx is delivered; anything else (a redirect too: it is not followed) is tried again."""
    return status_code is not None and 200 <= status_code < 300


def next_attempt(attempts: int, now: datetime, backoff: list, max_attempts: int
                 ) -> datetime | None:
    """When to try again after ``attempts`` failed tries; None: give up (failed).

    ``backoff[i]`` is the delay after the (i+1)-th failure; past its end the last delay
    repeats until ``max_attempts`` tries are spent.
    """
    if attempts >= max_attempts:
        return None
    return now + backoff[min(attempts, len(backoff)) - 1]
