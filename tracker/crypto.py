"""Secrets at rest: encryption with the data key, and keyed hashes of random codes.

The key is ``TRACKER_DATA_KEY``: one or more Fernet keys (URL-safe base64 of 32
bytes), comma-separated. The first encrypts; every key decrypts, so a key can be
rotated by putting the new one first.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _keys(config_value: str) -> list[str]:
    return [key.strip() for key in config_value.split(",") if key.strip()]


def check_data_key(config_value: str) -> None:
    """Raise ``RuntimeError`` (Dutch) when ``config_value`` holds no valid Fernet key."""
    keys = _keys(config_value or "")
    try:
        if not keys:
            raise ValueError("leeg")
        for key in keys:
            Fernet(key)
    except ValueError as error:
        raise RuntimeError(
            "TRACKER_DATA_KEY is geen geldige sleutel: gebruik de uitvoer van "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from error


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys(current_app.config["TRACKER_DATA_KEY"])])


def encrypt(plain: str) -> str:
    """The encrypted, authenticated form of ``plain`` (ASCII, about 1.4 × its length + 100)."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text encrypted in ``token``; ``ValueError`` when no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise ValueError("cannot decrypt with the configured TRACKER_DATA_KEY") from error


def keyed_hashes(code: str, purpose: str) -> list[str]:
    """HMAC-SHA-256 (hex, 64 characters) of ``code`` under each data key, the current first.

    For random codes with enough entropy (recovery codes): a slow password hash adds
    nothing there, and the key means a database copy alone cannot check a guess.
    ``purpose`` separates uses of the same key.
    """
    return [
        hmac.new(hashlib.sha256(f"{purpose}:{key}".encode()).digest(), code.encode(),
                 hashlib.sha256).hexdigest()
        for key in _keys(current_app.config["TRACKER_DATA_KEY"])
    ]
