"""The pure webhook rules: body bytes, signature, back-off, addresses."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.validation import ValidationError
from tracker.webhooks import rules

MOMENT = datetime(2018, 2, 5, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_the_body_is_stable_compact_json_with_a_utc_moment():
    first = rules.body("action.created", "k@1", MOMENT, {"b": 1, "a": "é"})
    assert first == rules.body("action.created", "k@1", MOMENT, {"a": "é", "b": 1})
    document = json.loads(first)
    assert document == {"event": "action.created", "id": "k@1",
                        "occurred_at": "2018-02-05T09:00:00Z", "data": {"a": "é", "b": 1}}
    assert b" " not in first


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    payload = b'{"event":"ping"}'
    expected = hmac.new(b"geheim", b"1517821200." + payload, hashlib.sha256).hexdigest()
    assert rules.signature("geheim", "1517821200", payload) == "sha256=" + expected
    assert rules.signature("geheim", "1517821201", payload) != "sha256=" + expected
    headers = rules.headers("ping", "k@1", "1517821200", "sha256=" + expected)
    assert headers["X-Tracker-Timestamp"] == "1517821200"
    assert headers["X-Tracker-Delivery"] == "k@1"


def test_back_off_then_give_up():
    now = datetime(2018, 2, 5, tzinfo=UTC)
    backoff = [timedelta(minutes=1), timedelta(minutes=5)]
    assert rules.next_attempt(1, now, backoff, 4) == now + timedelta(minutes=1)
    assert rules.next_attempt(2, now, backoff, 4) == now + timedelta(minutes=5)
    assert rules.next_attempt(3, now, backoff, 4) == now + timedelta(minutes=5)
    assert rules.next_attempt(4, now, backoff, 4) is None


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(code):
    assert rules.is_success(code)


@pytest.mark.parametrize("code", [None, 100, 301, 302, 400, 404, 410, 500, 503])
def test_anything_else_is_not(code):
    assert not rules.is_success(code)


@pytest.mark.parametrize("url", ["http://example.org/x", "http://[::2]/x", "file:///etc/passwd",
                                 "https://a:b@example.org/", "https://example.org/#x",
                                 "https://example.org:99999/", "https:///pad"])
def test_refused_addresses(url):
    with pytest.raises(ValidationError):
        rules.check_url(url, allow_local_http=True)


def test_https_anywhere_and_local_http_only_when_allowed():
    assert rules.check_url("https://dashboard.example.org/hook?x=1", allow_local_http=False)
    for url in ("http://localhost:8000/", "http://127.0.0.1/hook", "http://[::1]:9/"):
        assert rules.check_url(url, allow_local_http=True) == url
        with pytest.raises(ValidationError):
            rules.check_url(url, allow_local_http=False)


@pytest.mark.parametrize("url", ["https://localhost/hook", "https://app.localhost/x",
                                 "https://10.0.0.1/x", "https://192.168.1.5/x",
                                 "https://172.16.0.1/x", "https://169.254.169.254/latest/meta-data",
                                 "https://[::1]/x", "https://[fd00::1]/x", "https://0.0.0.0/x"])
def test_addresses_inside_the_own_network_are_refused_even_over_https(url):
    """Found by the walk-through: the cloud metadata address and private networks were
    accepted (a beheerder could make the server call them)."""
    with pytest.raises(ValidationError, match="eigen netwerk"):
        rules.check_url(url, allow_local_http=False)


def test_names_resolving_inwards_are_caught_at_delivery():
    assert rules.internal_addresses(["127.0.0.1", "93.184.215.14", "fe80::1%eth0"]) == [
        "127.0.0.1", "fe80::1%eth0"]
    assert rules.internal_addresses(["93.184.215.14", "2606:4700::1111"]) == []
