"""Installing the project as `make install` does prints no warning.

pip installs a fresh copy of the project (editable, no dependencies) into a new
venv, with build isolation (the
build backend from pyproject.toml's ``build-system.requires``, fetched as on any
machine), as pip shows it to a newcomer: every warning of setuptools (a deprecated
``project.license`` table, an editable-install notice...) shows there. This
machine's own pip configuration is left out (``PIP_CONFIG_FILE`` = devnull): the
newcomer has none.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "instance", "build", "dist", ".pytest_cache", ".ruff_cache", "node_modules",
        "__pycache__"}
WARNING = re.compile(r"warn|deprecat", re.IGNORECASE)


def _fresh_copy(target: Path) -> Path:
    def ignore(directory, names):
        return [n for n in names if n in SKIP or n.endswith(".egg-info")]

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def _pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def test_an_editable_install_prints_no_warning(tmp_path):
    """What `make install` runs last (``pip install --no-deps -e .``), into a new venv."""
    source = _fresh_copy(tmp_path / "src")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True, timeout=60)
    python = tmp_path / "venv" / "bin" / "python"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-e",
         str(source)],
        capture_output=True, text=True, env=_pip_env(), timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert [line for line in output.splitlines() if WARNING.search(line)] == []
    (site,) = (tmp_path / "venv" / "lib").glob("python3*/site-packages")
    (pth,) = site.glob("__editable__.vnon_tracker-*.pth")
    assert pth.read_text().split() == [str(source.resolve())]  # a plain path entry
    (metadata,) = site.glob("vnon_tracker-*.dist-info/METADATA")
    assert "License-Expression: EUPL-1.2" in metadata.read_text()


def test_the_check_sees_a_setuptools_warning(tmp_path):
    """The same build with the old license table does warn: the check is not empty."""
    source = _fresh_copy(tmp_path / "src")
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'license = "EUPL-1.2"', 'license = { text = "EUPL-1.2" }', 1))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir",
         str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, env=_pip_env(), timeout=300, check=False)
    output = result.stdout + result.stderr
    assert [line for line in output.splitlines() if WARNING.search(line)] != []
