"""The outer shell of one build: seeds -> content -> site model -> site/.

This is the only place (with store.py, sync.py and render.py, which it drives) that touches
the file system; the stages in between pass frozen values.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path

import yaml

from . import code_digest, unchanged
from .config import Config, Paths
from .entries import EntryError, parse, to_meta, week_mismatch
from .ingest import sha256
from .store import FileHashes, read_pickle, write_pickle
from .log import Log
from .model import BuildOptions, BuildSummary, EntryMeta
from .people import Registry
from .render import SiteWriter
from .search import SEARCH_SENTINELS, index_site
from .site import build_model
from .sync import list_entries, sync
from .workers import Knowledge


def _load_yaml(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _yaml_list(path: Path, log: Log, label: str) -> list[dict]:
    """A registry file as a list of mappings; a broken one is a warning, not a crash."""
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
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
    people = [_load_yaml(shipped.joinpath("people.yaml").read_text(encoding="utf-8"))]
    outlets = [_load_yaml(shipped.joinpath("outlets.yaml").read_text(encoding="utf-8"))]
    if paths is not None:
        people.append(_yaml_list(paths.people_overrides, log, "people.yaml"))
        outlets.insert(0, _yaml_list(paths.outlet_overrides, log, "outlets.yaml"))
    return Knowledge.build(people, outlets)


ENTRY_CACHE = "entries.pickle"


def read_entries(paths: Paths, registry: Registry, log: Log, hashes: FileHashes) -> list[EntryMeta]:
    """Every entry in content/, people mapped to the registry's spelling; bad ones warned.

    An entry whose bytes are unchanged since the last build is not read or parsed again: its
    front matter (and any warning about it) comes from a cache keyed by its hash.
    """
    cache_file = paths.cache / ENTRY_CACHE
    stored = read_pickle(cache_file) or {}
    old: dict[str, tuple] = stored.get("entries", {}) if stored.get("code") == code_digest() else {}
    new: dict[str, tuple] = {}
    metas: list[EntryMeta] = []
    seen: dict[str, str] = {}
    for rel in list_entries(paths.content):
        slug = _unique_slug(rel.rsplit("/", 1)[-1][:-3], rel, seen, log)
        sha = hashes.sha(paths.content / rel)
        cached = old.get(rel)
        outcome = cached if cached and cached[0] == sha else (sha, *_parse_entry(paths, rel, sha))
        new[rel] = outcome
        _, meta, problem, note = outcome
        if problem:
            log.warn(f"content/{rel}", problem)
            continue
        if note:
            log.warn(f"content/{rel}", note)
        meta = replace(meta, slug=slug) if meta.slug != slug else meta
        people = tuple(dict.fromkeys(registry.canonical(p) for p in meta.people))
        metas.append(meta if people == meta.people else replace(meta, people=people))
    if new != old:
        write_pickle(cache_file, {"code": code_digest(), "entries": new})
    return metas


def _parse_entry(paths: Paths, rel: str, sha: str | None) -> tuple[EntryMeta | None, str | None, str | None]:
    """(meta, problem that keeps it off the site, note worth a warning)."""
    try:
        parsed = parse((paths.content / rel).read_bytes().decode("utf-8"))
        meta = to_meta(parsed, rel, Path(rel).stem, sha or "")
    except (OSError, UnicodeDecodeError, EntryError) as exc:
        return None, f"{exc}; left out of the site (the file is untouched)", None
    return meta, None, week_mismatch(parsed, meta.date)


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
    unchanged.forget(paths)  # a build that stops half-way must not leave a stale record
    sources = unchanged.take(paths, config, "sources")
    knowledge = load_knowledge(paths, log)
    hashes = FileHashes(paths.cache / "hashes.json")
    synced = sync(paths, knowledge, log, hashes, options.jobs, options.executor)
    content = unchanged.take(paths, config, "content")
    with log.stage("read"):
        metas = read_entries(paths, knowledge.registry, log, hashes)
        hashes.save()
    writer = SiteWriter(paths, config, log, options.jobs, options.executor)
    inputs = site_inputs(metas, knowledge, writer.templates_digest())
    people = len({p for m in metas for p in m.people})
    if writer.current(inputs):
        log.info("site/ is up to date: no entry, template, registry or setting changed")
        written, kept, removed, model_counts = 0, len(writer.old), 0, (len(metas), people)
    else:
        with log.stage("site model"):
            model = build_model(metas, knowledge.registry, config.feed_items, config.index_weeks)
        report = writer.write(model, inputs, knowledge.digest)
        written, kept, removed, model_counts = len(report.written), report.unchanged, len(report.removed), \
            (model.entries, model.people)
    search_pages = writer.search_pages()
    if options.search == "now":
        index_site(paths.site, paths.cache, log, search_pages)
    summary = BuildSummary(*model_counts, len(synced.generated), written, kept, removed, len(log.warnings),
                           time.perf_counter() - started, dict(log.seconds), tuple(synced.generated),
                           search_pages if options.search != "now" else None)
    if options.search == "now" and writer.complete():
        counts = {"entries": summary.entries, "people": summary.people, "files": len(writer.outputs())}
        unchanged.save(paths, unchanged.Record(sources, content, writer.outputs() + SEARCH_SENTINELS, counts,
                                               [(w.file, w.message) for w in log.warnings]))
    return summary


def site_inputs(metas: list[EntryMeta], knowledge: Knowledge, templates: str) -> str:
    """One hash of everything the site is made from: if it matches, site/ is current."""
    digest = hashlib.sha256(f"{knowledge.digest}|{templates}".encode())
    for m in sorted(metas, key=lambda m: m.path):
        digest.update(f"{m.path}|{m.slug}|{m.sha256}|{'|'.join(m.people)}\n".encode())
    return digest.hexdigest()
