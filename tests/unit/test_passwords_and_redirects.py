"""Password policy and the login ``next`` check: pure functions, no app."""

import pytest

from tracker.auth.passwords import password_problems
from tracker.auth.redirects import safe_next_url
from tracker.validation import ValidationError, clean_text


@pytest.mark.parametrize(
    "password",
    ["kort", "elf-tekens!", "passwordpassword", "wachtwoord123", "123456789012", "qwertyuiopasdfgh"],
)
def test_weak_passwords_are_refused(password):
    assert password_problems(password)


def test_password_containing_the_email_name_is_refused():
    assert password_problems("heidema-heidema-2018", email="heidema@example.org")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "oost-nederland-2018",
        "zonder-regels ok",
        "ünïcødé: één wachtzin met accenten",
    ],
)
def test_long_uncommon_passwords_are_accepted_without_composition_rules(password):
    assert password_problems(password) == []


def test_too_long_password_is_refused():
    phrase = "de trein naar Zwolle vertrekt om 7 uur 12 "  # 42 characters
    assert password_problems((phrase * 4)[:129])
    assert password_problems((phrase * 4)[:128]) == []


HOSTILE_NEXT = [
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2f%2fevil.example",
    "/%5cevil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "//evil.example/%2e%2e",
    "evil.example",
    "ftp://evil.example",
    "/%09/evil.example",
    "\x00/evil",
]


@pytest.mark.parametrize("candidate", HOSTILE_NEXT)
def test_hostile_next_values_fall_back_to_home(candidate):
    assert safe_next_url(candidate, "/") == "/"


@pytest.mark.parametrize("candidate", ["/teams/jeugd", "/beheer/gebruikers?x=1", "/"])
def test_local_paths_are_kept(candidate):
    assert safe_next_url(candidate, "/home") == candidate


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "verplicht"),
        ("   \t ", "verplicht"),
        ("a\x00b", "stuur"),
        ("a\x1bb", "stuur"),
        ("regel\r\nBcc: x@example.org", "regelovergang"),
        ("abc\u202edef", "tekstrichting"),
        ("x" * 121, "hoogstens 120"),
        ("x" * 1210, "hoogstens 120"),
    ],
)
def test_clean_text_refuses_bad_input_with_a_dutch_message(value, fragment):
    with pytest.raises(ValidationError) as caught:
        clean_text(value, field="name", label="Naam", max_length=120)
    assert fragment in caught.value.message


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "{{7*7}}", 'hx-get="/x"'])
def test_clean_text_keeps_markup_as_inert_text(value):
    assert clean_text(value, field="name", label="Naam", max_length=120) == value
