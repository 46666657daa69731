"""newsdigest as a maintainer meets it: installed into a fresh venv outside the repository,
`newsdigest init` makes a site that builds and serves; the packaged theme is overridden
file by file; the subcommands, `python -m newsdigest` and `--version` work; the package
builds without a warning from its own configuration."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from newsdigest import __version__
from newsdigest.config import THEME
from newsdigest.scaffold import samples

from .conftest import REPO, SEEDS, Project
from .test_watch_serve import _free_port, _get

TIMEOUT = 600


def _run(*args: str | Path, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, **kw
    )


def _clean_env() -> dict[str, str]:
    """This environment, less what would let a venv see the repository's own code."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files a commit of the repository would hold (git's tracked files and the new
    ones it does not ignore: a package file that .gitignore hides fails here, as it would
    in a clone), less the checkout's own folders. A copy, because pip writes its build
    folders into the source it builds, and must not write into the repository."""
    source = tmp_path_factory.mktemp("source") / "newsdigest"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    assert listed.returncode == 0, "the package test needs the repository as a git checkout"
    skip = ("tests/", "bench/", "content/", "seeds/")  # the checkout's, not the package's
    for rel in listed.stdout.decode().split("\0"):
        if rel and not rel.startswith(skip) and (REPO / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, source / rel)
    return source


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    """A fresh venv outside the repository with newsdigest installed by pip from a copy of
    the repository's files. The venv sees the packages of the interpreter running the tests
    (the dependencies are there already: installing them again would only download the
    same wheels), listed in a .pth file, so an editable newsdigest there (its own .pth
    finder) is not seen: the code that runs is the installed copy."""
    root = tmp_path_factory.mktemp("install")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    inner = _run(
        python,
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=root,
        env=_clean_env(),
    ).stdout.strip()
    host = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(inner, "_host_packages.pth").write_text("\n".join(sorted(host)) + "\n", "utf-8")
    done = _run(
        python, "-m", "pip", "install", "--no-deps", str(source), cwd=root, env=_clean_env()
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return env_dir / "bin"


def test_init_then_build_in_a_fresh_venv_outside_the_repository(installed: Path) -> None:
    work = installed.parent.parent / "elsewhere"
    work.mkdir()
    env = _clean_env()
    made = _run(installed / "newsdigest", "init", "site", cwd=work, env=env)
    assert made.returncode == 0, made.stderr
    site = work / "site"
    for rel in ("pyproject.toml", "people.yaml", ".gitignore", ".github/workflows/site.yml"):
        assert (site / rel).is_file(), rel
    assert sorted(p.name for p in (site / "seeds").iterdir()) == sorted(samples())
    built = _run(installed / "newsdigest", "build", "--strict", cwd=site, env=env)
    assert built.returncode == 0, built.stderr
    assert re.search(r"built 5 entries", built.stderr)
    assert (site / "site" / "index.html").is_file()
    assert (site / "site" / "static" / "style.css").read_bytes() == (
        THEME / "static" / "style.css"
    ).read_bytes()  # the packaged theme, installed with the package
    assert len(list((site / "content").rglob("*.md"))) == 5
    # and the code that ran is the installed copy, not the repository's
    where = _run(
        installed / "python",
        "-c",
        "import newsdigest; print(newsdigest.__file__)",
        cwd=work,
        env=env,
    )
    assert str(REPO) not in where.stdout and "site-packages" in where.stdout


def test_serve_in_the_fresh_venv_serves_the_new_site(installed: Path) -> None:
    work = installed.parent.parent / "served"
    work.mkdir()
    env = _clean_env()
    assert _run(installed / "newsdigest", "init", "site", cwd=work, env=env).returncode == 0
    port = _free_port()
    proc = subprocess.Popen(
        [str(installed / "newsdigest"), "serve", "--port", str(port), "--jobs", "1"],
        cwd=work / "site",
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in proc.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("built "):
                break
        assert any(f"127.0.0.1:{port}" in line for line in lines), "".join(lines)
        status, _, body = _get(port, "/")
        assert status == 200 and b"NATO" in body  # a sample headline
        assert _get(port, "/people/")[0] == 200
    finally:
        proc.send_signal(2)
        assert proc.wait(timeout=60) == 0


def test_pip_builds_the_package_without_a_warning_from_its_configuration(
    tmp_path: Path, source: Path
) -> None:
    done = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-v",
        "-w",
        tmp_path,
        source,
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    project_warnings = [
        line
        for line in output.splitlines()
        if re.search(r"warning", line, re.I)
        and not re.search(r"root' user|byte-compiling is disabled", line)  # pip's, the host's
    ]
    assert project_warnings == []
    wheel = next(tmp_path.glob("newsdigest-*.whl"))
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for must in (
        "newsdigest/theme/base.html",
        "newsdigest/theme/static/style.css",
        "newsdigest/data/scaffold/workflow/site.yml",
        "newsdigest/data/lines.crfsuite",
    ):
        assert must in names, must


def test_the_shipped_samples_are_the_projects_seeds() -> None:
    assert samples() == {p.name: p.read_bytes() for p in SEEDS.glob("*.txt")}


def _main(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return _run(
        sys.executable,
        "-m",
        "newsdigest",
        *args,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_version_and_python_dash_m(tmp_path: Path) -> None:
    done = _main("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"newsdigest {__version__}"
    assert _main("build", "--version", cwd=tmp_path).stdout.strip() == done.stdout.strip()
    usage = _main("build", "--watch", cwd=tmp_path)  # the subcommand is the mode
    assert usage.returncode == 2 and "unrecognized arguments: --watch" in usage.stderr


def test_init_refuses_a_folder_that_holds_anything_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    done = _main("init", "mine", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    empty = _main("init", "empty", "--no-samples", cwd=tmp_path)
    assert empty.returncode == 0, empty.stderr
    assert list((tmp_path / "empty" / "seeds").iterdir()) == []


def test_a_site_overrides_the_packaged_theme_file_by_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert _main("init", "site", cwd=tmp_path).returncode == 0
    project = Project(site)
    assert project.build().code == 0  # no templates of its own: the packaged theme
    packaged = (site / "site" / "index.html").read_text(encoding="utf-8")
    base = (THEME / "base.html").read_text(encoding="utf-8")
    assert "</footer>" in base
    (site / "templates" / "base.html").write_text(
        base.replace("</footer>", "<p>Made by our newsroom</p></footer>"), encoding="utf-8"
    )
    (site / "templates" / "static").mkdir()
    (site / "templates" / "static" / "extra.css").write_text("p { color: #222 }", "utf-8")
    assert project.build().code == 0
    index = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "Made by our newsroom" in index and "Made by our newsroom" not in packaged
    entry = next((site / "site" / "entries").rglob("index.html")).read_text(encoding="utf-8")
    assert "Made by our newsroom" in entry  # every page extends the site's base.html
    assert (site / "site" / "static" / "extra.css").read_text(encoding="utf-8")
    assert (site / "site" / "static" / "style.css").read_bytes() == (
        THEME / "static" / "style.css"
    ).read_bytes()  # files the site does not override come from the theme
    (site / "templates" / "base.html").unlink()
    assert project.build().code == 0
    assert (site / "site" / "index.html").read_text(encoding="utf-8") == packaged
