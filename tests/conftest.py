"""Shared helpers: a temporary project with real seeds and templates, built through the CLI."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE_URL = "https://digest.example.org/sub/"


@dataclass
class Result:
    code: int
    err: str


@dataclass
class Project:
    root: Path

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def build(self, *args: str) -> Result:
        """Run the real CLI in-process (fast), in this project's folder."""
        from newsdigest.cli import main

        err = io.StringIO()
        old = Path.cwd()
        os.chdir(self.root)
        try:
            with contextlib.redirect_stderr(err):
                code = main(["--jobs", "1", *args])
        finally:
            os.chdir(old)
        return Result(code, err.getvalue())

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """Run `python build.py` as a separate process, as a maintainer would."""
        return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=self.root,
                              capture_output=True, text=True, timeout=300)

    def entries(self) -> list[Path]:
        return sorted(self.content.rglob("*.md"))


def make_project(root: Path, seeds: list[Path] | None = None) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    for seed in seeds if seeds is not None else sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, root / "seeds" / seed.name)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(
        f'[tool.newsdigest]\ntitle = "Test digest"\nbase_url = "{BASE_URL}"\nfeed_items = 20\n', encoding="utf-8")
    return Project(root)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "proj")


@pytest.fixture(scope="session")
def built_seeds(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The five seeds built once, for the read-only checks."""
    proj = make_project(tmp_path_factory.mktemp("seeds") / "proj")
    result = proj.build()
    assert result.code == 0, result.err
    return proj


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file's inode, mtime and bytes: to prove a rebuild touched nothing."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return out
