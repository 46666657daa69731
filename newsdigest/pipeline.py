"""The outer shell of one build: seeds -> content -> site model -> site/.

This is the only place (with store.py, sync.py and render.py, which it drives) that touches
the file system; the stages in between pass frozen values.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import yaml

from .config import Config, Paths
from .entries import EntryError, parse, to_meta, week_mismatch
from .ingest import sha256
from .log import Log
from .model import EntryMeta
from .people import Registry
from .render import SiteWriter
from .site import build_model
from .sync import list_entries, sync
from .workers import Knowledge


@dataclass(frozen=True)
class BuildOptions:
    jobs: int = 1
    executor: str = "process"
    clean: bool = False


@dataclass(frozen=True)
class BuildSummary:
    entries: int
    people: int
    generated: int
    written: int
    unchanged: int
    removed: int
    warnings: int
    seconds: float
    stages: dict[str, float]

    def line(self) -> str:
        return (f"built {self.entries} entries, {self.people} people: {self.generated} entries made, "
                f"{self.written} files written, {self.unchanged} unchanged, {self.removed} removed, "
                f"{self.warnings} warning(s) in {self.seconds:.2f}s")


def _yaml_list(path: Path, log: Log, label: str) -> list[dict]:
    """A registry file as a list of mappings; a broken one is a warning, not a crash."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def load_knowledge(paths: Paths | None, log: Log) -> Knowledge:
    """The shipped registries, with the site's own people.yaml / outlets.yaml on top."""
    shipped = resources.files("newsdigest") / "data"
    people = [yaml.safe_load(shipped.joinpath("people.yaml").read_text(encoding="utf-8"))]
    outlets = [yaml.safe_load(shipped.joinpath("outlets.yaml").read_text(encoding="utf-8"))]
    if paths is not None:
        people.append(_yaml_list(paths.people_overrides, log, "people.yaml"))
        outlets.insert(0, _yaml_list(paths.outlet_overrides, log, "outlets.yaml"))
    return Knowledge.build(people, outlets)


def read_entries(paths: Paths, registry: Registry, log: Log) -> list[EntryMeta]:
    """Every entry in content/, people mapped to the registry's spelling; bad ones warned."""
    metas: list[EntryMeta] = []
    seen: dict[str, str] = {}
    for rel in list_entries(paths.content):
        try:
            data = (paths.content / rel).read_bytes()
            parsed = parse(data.decode("utf-8"))
            slug = _unique_slug(Path(rel).stem, rel, seen, log)
            meta = to_meta(parsed, rel, slug, sha256(data))
        except (OSError, UnicodeDecodeError, EntryError) as exc:
            log.warn(f"content/{rel}", f"{exc}; left out of the site (the file is untouched)")
            continue
        mismatch = week_mismatch(parsed, meta.date)
        if mismatch:
            log.warn(f"content/{rel}", mismatch)
        people = tuple(dict.fromkeys(registry.canonical(p) for p in meta.people))
        metas.append(meta if people == meta.people else replace(meta, people=people))
    return metas


def _unique_slug(stem: str, rel: str, seen: dict[str, str], log: Log) -> str:
    if stem not in seen:
        seen[stem] = rel
        return stem
    made = f"{stem}-{sha256(rel.encode())[:6]}"
    log.warn(f"content/{rel}", f"same file name as content/{seen[stem]}; its page is entries/{made}/")
    seen[made] = rel
    return made


def build(paths: Paths, config: Config, options: BuildOptions, log: Log) -> BuildSummary:
    started = time.perf_counter()
    if options.clean:
        for folder in (paths.site, paths.cache):
            shutil.rmtree(folder, ignore_errors=True)
    knowledge = load_knowledge(paths, log)
    synced = sync(paths, knowledge, log, options.jobs, options.executor)
    with log.stage("read"):
        metas = read_entries(paths, knowledge.registry, log)
    with log.stage("site model"):
        model = build_model(metas, knowledge.registry, config.feed_items, config.index_weeks)
    report = SiteWriter(paths, config, log).write(model)
    return BuildSummary(model.entries, model.people, len(synced.generated), len(report.written),
                        report.unchanged, len(report.removed), len(log.warnings),
                        time.perf_counter() - started, dict(log.seconds))
