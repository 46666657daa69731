"""What understanding depends on besides the page: the people registry and the outlet table.

Both come from the shipped data (newsdigest/data/) with the site's own people.yaml and
outlets.yaml on top. A broken override is one warning, never a crash. The outlet table is
built only when a page is cleaned: a build that only re-renders edited entries never needs
it, nor the cleaning code it lives in.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import code_digest
from .config import Paths
from .entries import load_yaml
from .log import Log
from .people import Registry

if TYPE_CHECKING:
    from .clean.furniture import Outlets


@dataclass(frozen=True)
class Knowledge:
    registry: Registry
    outlet_data: tuple[dict, ...]  # the outlet table's rows, site's own first
    # the code and the outlet table: entries made under another are regenerated (if not edited)
    base: str
    people: str  # the people registry's digest: entries resolved under another are re-resolved
    people_data: tuple[tuple[dict, ...], ...]  # the registry's sources, to diff a later one with

    @classmethod
    def build(cls, people: list[list[dict]], outlets: list[list[dict]]) -> Knowledge:
        return cls(
            Registry.from_data(*people),
            tuple(o for src in outlets for o in src),
            _digest([code_digest(), outlets]),
            _digest(people),
            tuple(tuple(src or ()) for src in people),
        )

    @property
    def digest(self) -> str:
        """Everything understanding depends on besides the page."""
        return f"{self.base}-{self.people}"

    def changed_keys(self, old_people: object) -> frozenset[tuple[str, ...]] | None:
        """The folded names whose registry answer differs from the one the registry of
        `old_people` (an earlier `people_data`) gave; None when that cannot be told."""
        try:
            old = Registry.from_data(*old_people)  # type: ignore[misc]
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
        return self.registry.changed_keys(old)

    @functools.cached_property
    def outlets(self) -> Outlets:
        """Built on first use, in the process that cleans (a worker builds its own)."""
        from .clean.furniture import Outlets

        return Outlets.from_data(list(self.outlet_data))


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _yaml_list(path: Path, log: Log, label: str) -> list[dict]:
    """A registry file as a list of mappings; a broken one is a warning, not a crash."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError:
        return []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        log.warn(label, f"not valid YAML, ignored ({str(exc).splitlines()[0]})")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        log.warn(label, "must be a YAML list of entries with a 'name'; ignored")
        return []
    return [d for d in data if isinstance(d, dict)]


@functools.cache
def _shipped(name: str) -> object:
    return load_yaml((resources.files("newsdigest") / "data" / name).read_text(encoding="utf-8"))


def load_knowledge(paths: Paths | None, log: Log) -> Knowledge:
    """The shipped registries, with the site's own people.yaml / outlets.yaml on top."""
    people = [_shipped("people.yaml")]
    outlets = [_shipped("outlets.yaml")]
    if paths is not None:
        people.append(_yaml_list(paths.people_overrides, log, "people.yaml"))
        outlets.insert(0, _yaml_list(paths.outlet_overrides, log, "outlets.yaml"))
    return Knowledge.build(people, outlets)
