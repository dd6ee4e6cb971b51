"""Password policy and hashing.

Policy (OWASP ASVS 6.2): at least 12 characters, up to 128, no composition
rules, refused when it is a commonly used password or contains the account's
own e-mail name. Hashing: scrypt through Werkzeug (configurable for tests).
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
DEFAULT_HASH_METHOD = "scrypt"

#: Common Dutch choices not in the English-language list.
DUTCH_COMMON = frozenset(
    {
        "wachtwoord", "wachtwoord1", "wachtwoord123", "wachtwoord1234", "welkom01",
        "welkomwelkom", "welkom123456", "veiligheid123", "veiligheidsnetwerk",
        "oostnederland", "oost-nederland", "politie12345", "gemeente12345",
        "zomer2018zomer", "voorjaar2018!", "hallohallo12",
    }
)


@cache
def common_passwords() -> frozenset[str]:
    """The list of commonly used passwords (lower-case)."""
    path = Path(__file__).parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip()) | DUTCH_COMMON


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Dutch explanations of what is wrong with ``password``; empty when acceptable."""
    problems: list[str] = []
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) < MIN_LENGTH:
        problems.append(f"Het wachtwoord moet minstens {MIN_LENGTH} tekens lang zijn.")
    if len(normalised) > MAX_LENGTH:
        problems.append(f"Het wachtwoord mag hoogstens {MAX_LENGTH} tekens lang zijn.")
    lowered = normalised.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!") in common_passwords():
        problems.append("Dit wachtwoord komt voor in lijsten van veelgebruikte wachtwoorden.")
    if _is_repetition(lowered) or _is_sequence(lowered):
        problems.append("Het wachtwoord is een herhaling of een reeks toetsen; kies iets anders.")
    if email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in lowered:
            problems.append("Het wachtwoord mag uw e-mailadres niet bevatten.")
    return problems


_SEQUENCES = ("1234567890" * 3, "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn",
              "abcdefghijklmnopqrstuvwxyz")


def _is_repetition(text: str) -> bool:
    """True for a short piece repeated, like ``passwordpassword`` or ``abcabcabcabc``."""
    size = len(text)
    return any(
        size % k == 0 and text[:k] * (size // k) == text for k in range(1, size // 2 + 1)
    )


def _is_sequence(text: str) -> bool:
    """True for a run along the keyboard or the alphabet, forwards or backwards."""
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def hash_password(password: str) -> str:
    method = DEFAULT_HASH_METHOD
    if has_app_context():
        method = current_app.config.get("TRACKER_PASSWORD_HASH_METHOD", DEFAULT_HASH_METHOD)
    return generate_password_hash(unicodedata.normalize("NFKC", password), method=method)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash, spend the same effort and answer False."""
    candidate = unicodedata.normalize("NFKC", password)
    if not password_hash:
        check_password_hash(_dummy_hash(), candidate)
        return False
    return check_password_hash(password_hash, candidate)


@cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def _dummy_hash() -> str:
    method = DEFAULT_HASH_METHOD
    if has_app_context():
        method = current_app.config.get("TRACKER_PASSWORD_HASH_METHOD", DEFAULT_HASH_METHOD)
    return _dummy_hash_for(method)
