"""`newsdigest init DIR`: a new site, ready to build, from the files in data/scaffold/.

The shell's one job that writes outside seeds/ -> content/ -> site/: it copies, never
overwrites. A folder that already holds anything is refused before a byte is written, so a
mistyped path costs nothing.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# where each shipped file goes in the new site
_FILES = {
    "pyproject.toml": "pyproject.toml",
    "people.yaml": "people.yaml",
    "gitignore": ".gitignore",
    "requirements.txt": "requirements.txt",
    "workflow/site.yml": ".github/workflows/site.yml",
}
_FOLDERS = ("seeds", "content", "templates")


class InitError(ValueError):
    """Why the site cannot be made there, in one line."""


def _shipped(rel: str) -> bytes:
    return (resources.files("newsdigest") / "data" / "scaffold" / rel).read_bytes()


def samples() -> dict[str, bytes]:
    """The five sample pages (the project's own seeds), by file name."""
    folder = resources.files("newsdigest") / "data" / "samples"
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith(".txt")}


def init_site(target: Path, with_samples: bool = True) -> list[str]:
    """Write a new site into `target` (new or empty); the paths written, relative to it."""
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise InitError(f"{target} is not empty; give a new or empty folder")
    files = {dest: _shipped(src) for src, dest in _FILES.items()}
    if with_samples:
        files.update({f"seeds/{name}": data for name, data in samples().items()})
    for folder in _FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # "x": never over a file that appeared meanwhile
            out.write(data)
    return sorted(files)
