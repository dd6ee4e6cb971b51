"""The lock files pin every dependency that pyproject.toml names (a forgotten `make lock`).

`make install` installs requirements/dev-lock.txt and then the project with
``--no-deps``: a dependency added to pyproject.toml but not locked would simply be
missing. These checks read the files only (no network, no pip).
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
DEV_LOCK = ROOT / "requirements" / "dev-lock.txt"
PROJECT_SOURCE = "vnon-tracker (pyproject.toml)"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def runtime_requirements() -> list[Requirement]:
    return [Requirement(r) for r in _pyproject()["dependencies"]]


def dev_requirements() -> list[Requirement]:
    return [Requirement(r) for r in _pyproject()["optional-dependencies"]["dev"]]


def read_lock(path: Path) -> dict[str, dict]:
    """``{name: {"version": Version, "marker": Marker | None, "via": set[str], "hashes": int}}``."""
    pins: dict[str, dict] = {}
    current = None
    in_via = False
    for line in path.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            marker = Marker(match.group(4)) if match.group(4) else None
            current = pins[name] = {"version": Version(match.group(3)), "marker": marker,
                                    "via": set(), "hashes": 0}
            in_via = False
            continue
        stripped = line.strip()
        if current is None:
            continue
        if stripped.startswith("--hash="):
            current["hashes"] += 1
        elif stripped.startswith("# via "):
            current["via"].add(stripped.removeprefix("# via ").strip())
            in_via = False
        elif stripped == "# via":
            in_via = True
        elif in_via and stripped.startswith("#   "):
            current["via"].add(stripped.removeprefix("#   ").strip())
    return pins


def _extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What ``name[extra]`` adds, read from the installed distribution (the lock's version)."""
    found = []
    for text in metadata.requires(requirement.name) or []:
        extra_req = Requirement(text)
        for extra in requirement.extras:
            if extra_req.marker is not None and extra_req.marker.evaluate({"extra": extra}) \
                    and not extra_req.marker.evaluate({"extra": ""}):
                found.append(extra_req)
    return found


def missing_pins(requirements: list[Requirement], pins: dict[str, dict]) -> list[str]:
    """Each requirement whose name is not pinned, or pinned outside its bounds."""
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{requirement}: niet in het lock-bestand")
        elif not requirement.specifier.contains(pin["version"], prereleases=True):
            problems.append(f"{requirement}: vastgelegd op {pin['version']}")
        elif requirement.extras:
            for extra_req in _extra_requirements(requirement):
                if canonicalize_name(extra_req.name) not in pins:
                    problems.append(f"{requirement}: {extra_req.name} ontbreekt")
    return problems


def stale_pins(requirements: list[Requirement], pins: dict[str, dict]) -> list[str]:
    """Pins the lock says pyproject.toml asked for, while pyproject.toml no longer does."""
    wanted = {canonicalize_name(r.name) for r in requirements}
    return sorted(name for name, pin in pins.items()
                  if PROJECT_SOURCE in pin["via"] and name not in wanted)


@pytest.mark.parametrize("path, requirements", [
    (LOCK, runtime_requirements()),
    (DEV_LOCK, runtime_requirements() + dev_requirements()),
], ids=["lock", "dev-lock"])
def test_every_dependency_is_pinned_within_its_bounds(path, requirements):
    pins = read_lock(path)
    assert missing_pins(requirements, pins) == [], "run `make lock` (README: Afhankelijkheden)"
    assert stale_pins(requirements, pins) == [], "run `make lock` (README: Afhankelijkheden)"


@pytest.mark.parametrize("path", [LOCK, DEV_LOCK], ids=["lock", "dev-lock"])
def test_every_pin_is_exact_and_hashed(path):
    pins = read_lock(path)
    assert pins
    assert all(pin["hashes"] >= 1 for pin in pins.values())
    lines = [line for line in path.read_text().splitlines()
             if line and not line.startswith((" ", "#"))]
    # Every requirement line is an exact pin; a package may have one pin per environment
    # marker (the universal lock resolves `deprecated` apart for Python < 3.12 and >= 3.12).
    assert all("==" in line for line in lines)
    assert {canonicalize_name(line.split("==")[0]) for line in lines} == set(pins)


def test_runtime_and_dev_locks_agree():
    runtime, dev = read_lock(LOCK), read_lock(DEV_LOCK)
    assert {name: pin["version"] for name, pin in dev.items() if name in runtime} == {
        name: pin["version"] for name, pin in runtime.items()}


def test_the_runtime_lock_has_no_dev_only_package():
    runtime = read_lock(LOCK)
    assert [r.name for r in dev_requirements() if canonicalize_name(r.name) in runtime] == []


def test_every_dependency_has_lower_and_upper_bounds():
    for requirement in runtime_requirements() + dev_requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert {">=", "<"} <= operators, f"{requirement}: onder- en bovengrens (<volgende major)"


# The checks themselves: a lock that lacks, misplaces or keeps a dependency fails them.

_SAMPLE = """\
# This file was autogenerated by uv via the following command:
#    make lock
flask==3.1.3 \\
    --hash=sha256:aa \\
    --hash=sha256:bb
    # via
    #   vnon-tracker (pyproject.toml)
    #   flask-login
flask-mail==0.10.0 \\
    --hash=sha256:cc
    # via vnon-tracker (pyproject.toml)
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:dd
    # via click
"""


def test_the_checks_catch_a_forgotten_lock(tmp_path):
    path = tmp_path / "lock.txt"
    path.write_text(_SAMPLE)
    pins = read_lock(path)
    assert set(pins) == {"flask", "flask-mail", "colorama"}
    assert pins["colorama"]["marker"] is not None and pins["flask"]["hashes"] == 2
    assert pins["flask"]["via"] == {PROJECT_SOURCE, "flask-login"}
    assert missing_pins([Requirement("flask>=3.1,<4")], pins) == []
    assert missing_pins([Requirement("Flask>=3.2,<4")], pins) == ["Flask<4,>=3.2: vastgelegd op 3.1.3"]
    assert missing_pins([Requirement("authlib>=1.6,<2")], pins) == [
        "authlib<2,>=1.6: niet in het lock-bestand"]
    assert stale_pins([Requirement("flask>=3.1,<4")], pins) == ["flask-mail"]


def _imported_top_levels(paths: list[Path]) -> set[str]:
    import ast

    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _third_party(names: set[str], local_dirs: list[Path]) -> set[str]:
    import sys

    def local(name: str) -> bool:
        return any((d / name).is_dir() or (d / f"{name}.py").exists() for d in local_dirs)

    return {n for n in names if n not in sys.stdlib_module_names and not local(n)
            and n != "__future__"}


@functools.cache
def _providers() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _unlocked_imports(sources: list[Path], local_dirs: list[Path], lock: Path) -> list[str]:
    """Imported modules that no distribution pinned in ``lock`` provides."""
    pinned = set(read_lock(lock))
    providers = _providers()
    return sorted(
        f"{module} ({', '.join(providers.get(module, ['?']))})"
        for module in _third_party(_imported_top_levels(sources), local_dirs)
        if not {canonicalize_name(d) for d in providers.get(module, [])} & pinned)


def test_the_app_imports_only_locked_packages():
    """A stale venv (Flask-Mail or Flask-Babel left from before) cannot hide an import."""
    sources = [*ROOT.glob("tracker/**/*.py"), ROOT / "config.py", ROOT / "wsgi.py",
               ROOT / "gunicorn.conf.py", *ROOT.glob("migrations/**/*.py")]
    assert _unlocked_imports(sources, [ROOT], LOCK) == []


def test_the_tests_import_only_locked_packages():
    sources = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]
    assert _unlocked_imports(sources, [ROOT, ROOT / "tests", ROOT / "bench"], DEV_LOCK) == []


def test_the_import_check_sees_an_unlocked_package(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("import json\nfrom flask import Flask\nimport pytest\nfrom . import x\n")
    assert _unlocked_imports([source], [tmp_path], LOCK) == ["pytest (pytest)"]
