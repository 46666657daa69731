"""Typed settings: [tool.newsdigest] in the site's pyproject.toml, then command-line flags.

Validated once, up front: a bad setting is a usage error (exit 2) before any work starts.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class Config:
    title: str = "News digest"
    description: str = "A weekly digest of the news, by person."
    language: str = "en"
    base_url: str = "http://127.0.0.1:8000/"
    feed_items: int = 50
    index_weeks: int = 8
    search_shard_pages: int = 4000  # the most entries one Pagefind run holds (about 100 KB each)


LEDGER = ".newsdigest-ledger.json"  # in content/: which entries the tool made, and from what
THEME = Path(__file__).parent / "theme"  # the packaged default templates and static files


@dataclass(frozen=True)
class Paths:
    root: Path
    seeds: Path
    content: Path
    site: Path
    templates: Path

    @property
    def cache(self) -> Path:
        """Caches sit beside site/, one folder per site folder, never inside it."""
        return self.site.parent / ".newsdigest-cache" / self.site.name

    @property
    def lock(self) -> Path:
        """The build lock: beside the cache folder, so --clean (which removes it) keeps it."""
        return self.cache.with_name(self.cache.name + ".lock")

    def problem(self, given: frozenset[str] = frozenset()) -> str | None:
        """Why these folders cannot be built with, in one line; None when they can. Checked
        before anything is touched: a mistyped path must cost nothing. `given`: the folders
        named by a flag (a missing one is a typo; a missing default seeds/ is just empty)."""
        folders = {
            "seeds": self.seeds,
            "content": self.content,
            "site": self.site,
            "templates": self.templates,
            "cache": self.cache.parent,
        }
        for name, folder in folders.items():
            if folder.exists() and not folder.is_dir():
                return f"the {name} folder is not a folder: {folder}"
        if "templates" in given and not self.templates.is_dir():
            return f"templates folder not found: {self.templates}"
        if "seeds" in given and not self.seeds.exists():
            return f"seeds folder not found: {self.seeds}"
        for name, folder in folders.items():
            if folder == self.root or folder in self.root.parents:
                return (
                    f"the {name} folder ({folder}) is the project folder or holds it; "
                    f"give a folder inside it (e.g. --{name} {name})"
                )
        names = list(folders)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if _within(folders[a], folders[b]):
                    inner, outer = a, b
                elif _within(folders[b], folders[a]):
                    inner, outer = b, a
                else:
                    continue
                how = "is" if folders[a] == folders[b] else "is inside"
                return (
                    f"the {inner} folder ({folders[inner]}) {how} the {outer} folder "
                    f"({folders[outer]}): one build's writes would reach the other; "
                    "give folders that do not overlap"
                )
        return None

    def theme_files(self) -> dict[str, Path]:
        """{path relative to a theme folder: the file used}: the packaged theme, overridden
        file by file by the site's own templates/ (a site changes one page's look by copying
        one file). Sorted, so digests over it are stable."""
        files: dict[str, Path] = {}
        for folder in (THEME, self.templates):
            if folder.is_dir():
                for path in folder.rglob("*"):
                    if path.is_file() and "__pycache__" not in path.parts:
                        files[path.relative_to(folder).as_posix()] = path
        return dict(sorted(files.items()))

    @property
    def people_overrides(self) -> Path:
        return self.root / "people.yaml"

    @property
    def outlet_overrides(self) -> Path:
        return self.root / "outlets.yaml"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def load_config(pyproject: Path, overrides: dict[str, object]) -> Config:
    """Read [tool.newsdigest] (if the file exists) and apply non-None overrides."""
    values: dict[str, object] = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject.name}: not valid TOML: {exc}") from None
        values = dict(data.get("tool", {}).get("newsdigest", {}))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validate(values, pyproject.name)


def _validate(values: dict[str, object], origin: str) -> Config:
    known = {f.name: f for f in fields(Config)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(
            f"{origin}: unknown setting(s) in [tool.newsdigest]: {', '.join(unknown)}"
        )
    config = Config()
    for name, value in values.items():
        default = getattr(config, name)
        if isinstance(default, int) and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise ConfigError(f"{origin}: '{name}' must be a positive whole number, not {value!r}")
        if isinstance(default, str) and not (isinstance(value, str) and value.strip()):
            raise ConfigError(f"{origin}: '{name}' must be a non-empty string, not {value!r}")
        config = replace(config, **{name: value})
    if not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL must start with http:// or https://, not {config.base_url!r}")
    return replace(config, base_url=config.base_url.rstrip("/") + "/")


def default_jobs() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
