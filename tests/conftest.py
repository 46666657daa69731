"""Shared helpers: a temporary project with real seeds and templates, built through the CLI."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdigest.config import THEME

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
        return subprocess.run(
            [sys.executable, str(REPO / "build.py"), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def entries(self) -> list[Path]:
        return sorted(self.content.rglob("*.md"))


def make_project(root: Path, seeds: list[Path] | None = None) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    for seed in seeds if seeds is not None else sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, root / "seeds" / seed.name)
    shutil.copytree(THEME, root / "templates")
    (root / "pyproject.toml").write_text(
        f'[tool.newsdigest]\ntitle = "Test digest"\nbase_url = "{BASE_URL}"\nfeed_items = 20\n',
        encoding="utf-8",
    )
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
            out[path.relative_to(folder).as_posix()] = (
                st.st_ino,
                st.st_mtime_ns,
                path.read_bytes(),
            )
    return out


def files(folder: Path, search: bool = True) -> dict[str, bytes]:
    """Every file's bytes; `search=False` leaves out the search index, which an incremental
    build keeps as base + delta (compare it with `search_view`)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and (search or not p.relative_to(folder).as_posix().startswith(("pagefind", ".pagefind")))
    }


def _fragments(folder: Path) -> dict[str, str]:
    out = {}
    for frag in sorted(folder.glob("fragment/*.pf_fragment")):
        data = json.loads(gzip.decompress(frag.read_bytes()).removeprefix(b"pagefind_dcd"))
        out[data["url"]] = data["content"]
    return out


def search_view(site: Path) -> dict[str, str]:
    """What the search page finds, read from the index files themselves: {url: indexed text}
    of the base's shards, less the entries the delta replaces, plus the delta's own."""
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    view: dict[str, str] = {}
    for shard in shards:
        view.update(_fragments(site / "pagefind" / shard))
    replaced = json.loads((site / "pagefind-recent" / "replaced.json").read_text(encoding="utf-8"))
    for url in replaced["replaced"]:
        view.pop("/" + url, None)
    view.update(_fragments(site / "pagefind-recent"))
    return view


def inputs_copy(project: Project, root: Path) -> Project:
    """The project's inputs (seeds, content with its ledger, templates, settings) and
    nothing of what builds keep: no site/, no build state."""
    shutil.copytree(
        project.root,
        root,
        ignore=lambda folder, names: [n for n in names if n in ("site", ".newsdigest-cache")],
    )
    return Project(root)


def same_as_clean(project: Project, clean: Project) -> None:
    """`project` holds exactly what a clean build of the same inputs made in `clean`: every
    entry and the ledger byte for byte, every page byte for byte, the same search results,
    and no file of any other kind (a temp file, a stray page) anywhere."""
    assert files(project.content) == files(clean.content)
    assert files(project.site, search=False) == files(clean.site, search=False)
    assert search_view(project.site) == search_view(clean.site)
    leftovers = [
        p
        for p in [*project.site.rglob("*"), *project.content.rglob("*")]
        if p.name.endswith(".tmp")
    ]
    assert leftovers == []


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Selenium (pip's playwright cannot fetch one)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    if not (
        shutil.which("chromedriver")
        and (shutil.which("chromium") or Path("/usr/bin/chromium").exists())
    ):
        pytest.fail(
            "chromium and chromedriver are needed: run tests/setup-browser.sh (the README's test "
            "command does)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-file-access-from-files",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options
    )
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
