"""The code is kept to the project's ruff settings (pyproject.toml: 100 columns, pyflakes,
pycodestyle, import order, bugbear, pyupgrade): a change that breaks them fails here."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def test_ruff_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
