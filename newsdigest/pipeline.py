"""The outer shell of one build: seeds -> content -> site model -> site/.

This is the only place (with store.py, sync.py and render.py, which it drives) that touches
the file system; the stages in between pass frozen values.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from . import code_digest, unchanged
from .config import LEDGER, Config, Paths
from .entries import EntryError, notes, parse, to_meta
from .ingest import sha256
from .knowledge import Knowledge, load_knowledge
from .log import Log
from .model import BuildOptions, BuildSummary, EntryMeta, SyncReport
from .people import Registry
from .render import SiteWriter, clean_outputs
from .search import SEARCH_SENTINELS, index_site
from .site import build_model, entry_pages_only, entry_state
from .store import OUTSIDE, UNREADABLE, BigDict, FileHashes, file_sha256
from .textutil import printable_name, slug as make_slug


ENTRY_CACHE = "entries.pickle"


def _is_entry(rel: str) -> bool:
    return rel.endswith(".md") and not any(part.startswith(".") for part in rel.split("/"))


@dataclass(frozen=True)
class Entries:
    metas: list[EntryMeta]
    earlier: dict[str, EntryMeta | None]  # entries whose bytes changed: their last front matter


def read_entries(
    paths: Paths,
    registry: Registry,
    log: Log,
    snapshot: unchanged.Snapshot,
    made: dict[str, EntryMeta] | None = None,
) -> Entries:
    """Every entry in content/, people mapped to the registry's spelling; bad ones warned.

    `snapshot` is the stat of content/ taken before anything read it. An entry whose stat is
    as last time (and which was not racy then) is not read; one whose bytes hash as last
    time is not parsed: its front matter, and any warning about it, come from a cache. A
    file sync has just written is not parsed either: `made` holds what it says.
    """
    made = made or {}
    cache = BigDict(paths.cache / ENTRY_CACHE, code_digest())
    old: dict[str, tuple] = cache.load()
    racy = dict(snapshot.racy)
    new: dict[str, tuple] = {}
    metas: list[EntryMeta] = []
    earlier: dict[str, EntryMeta | None] = {}
    seen: dict[str, str] = {}
    folder = str(paths.content)
    for rel in sorted(r for r, st in snapshot.stamps.items() if st == UNREADABLE):
        log.warn(
            f"content/{printable_name(rel.removeprefix('./'))}",
            "cannot be read; its entries are left out of the site this time (nothing is deleted)",
        )
    for rel in sorted(r for r in snapshot.stamps if _is_entry(r)):
        stamp, cached = snapshot.stamps[rel], old.get(rel)
        if stamp == OUTSIDE:
            log.warn(
                f"content/{printable_name(rel)}",
                "a symbolic link to a file outside content/; left out of the site (not read)",
            )
            continue
        if cached is None or cached[0] != stamp or rel in racy:
            sha = racy.get(rel) or file_sha256(os.path.join(folder, rel))
            if cached is None or cached[1] != sha:
                earlier[rel] = cached[2] if cached else None
            if cached is not None and cached[1] == sha:
                cached = (stamp, *cached[1:])
            elif rel in made and made[rel].sha256 == sha:
                cached = (stamp, sha, made[rel], None, None)
            else:
                cached = (stamp, sha, *_parse_entry(paths, rel, sha))
        new[rel] = cached
        meta = _checked(rel, cached, log, seen)
        if meta is not None:
            people = _canonical(meta.people, registry)
            metas.append(meta if people == meta.people else replace(meta, people=people))
    earlier.update({rel: old[rel][2] for rel in old.keys() - new.keys()})
    cache.save(new)
    return Entries(metas, earlier)


def _checked(rel: str, cached: tuple, log: Log, seen: dict[str, str]) -> EntryMeta | None:
    _, _, meta, problem, note = cached
    if problem:
        log.warn(f"content/{printable_name(rel)}", problem)
        return None
    if note:
        log.warn(f"content/{printable_name(rel)}", note)
    slug = _unique_slug(page_slug(rel.rsplit("/", 1)[-1][:-3]), rel, seen, log)
    return replace(meta, slug=slug) if meta.slug != slug else meta


_URL_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")


def page_slug(stem: str) -> str:
    """The entry's page name: its file name, when that is safe in a URL as it is (the tool's
    own names always are); otherwise (spaces, '?', '#', other scripts, bytes that are not
    UTF-8) the file name made into a slug, so every link to it works."""
    return stem if _URL_SAFE.fullmatch(stem) else make_slug(printable_name(stem))


def _canonical(people: tuple[str, ...], registry: Registry) -> tuple[str, ...]:
    return tuple(dict.fromkeys(registry.canonical(p) for p in people))


def _parse_entry(
    paths: Paths, rel: str, sha: str | None
) -> tuple[EntryMeta | None, str | None, str | None]:
    """(meta, problem that keeps it off the site, note worth a warning)."""
    try:
        parsed = parse((paths.content / rel).read_bytes().decode("utf-8"))
        meta = to_meta(parsed, rel, Path(rel).stem, sha or "")
    except (OSError, UnicodeDecodeError, EntryError) as exc:
        return None, f"{exc}; left out of the site (the file is untouched)", None
    return meta, None, notes(parsed, meta.date)


def _unique_slug(stem: str, rel: str, seen: dict[str, str], log: Log) -> str:
    if stem not in seen:
        seen[stem] = rel
        return stem
    made = f"{stem}-{sha256(printable_name(rel).encode())[:6]}"
    log.warn(
        f"content/{printable_name(rel)}",
        f"same page name as content/{printable_name(seen[stem])}; its page is entries/{made}/",
    )
    seen[made] = rel
    return made


def build(
    paths: Paths,
    config: Config,
    options: BuildOptions,
    log: Log,
    verdict: unchanged.Verdict | None = None,
    monitor: unchanged.Monitor | None = None,
) -> BuildSummary:
    """One build. `verdict`: the stat check's findings, if the caller already made it;
    `monitor`: under --watch, what the watcher saw change (so the check stats only that)."""
    started = time.perf_counter()
    if options.clean:
        clean_outputs(paths, log)
        verdict = None
    verdict = verdict or unchanged.check(paths, config, monitor)
    unchanged.forget(paths)  # a build that stops half-way must not leave a stale record
    knowledge = load_knowledge(paths, log)
    synced, sync_warnings, content = _sync(paths, config, knowledge, log, options, verdict)
    with log.stage("read"):
        entries = read_entries(paths, knowledge.registry, log, content, synced.made)
    synced.made.clear()
    writer = SiteWriter(paths, config, log, options.jobs, options.executor)
    counts = _render(entries, writer, knowledge, config, log)
    search_pages = writer.search_pages()
    if options.search == "now":
        index_site(
            paths.site, paths.cache, log, search_pages, config.search_shard_pages, options.jobs
        )
    summary = BuildSummary(
        counts.entries,
        counts.people,
        len(synced.generated),
        counts.written,
        counts.unchanged,
        counts.removed,
        len(log.warnings),
        time.perf_counter() - started,
        dict(log.seconds),
        tuple(synced.generated) + ((LEDGER,) if synced.ledger_written else ()),
        search_pages if options.search != "now" else None,
    )
    if writer.complete():  # under --watch the search index is still to come: the record says so
        warnings = [(w.file, w.message) for w in log.warnings if not w.once]
        counts = {
            "entries": summary.entries,
            "people": summary.people,
            "files": len(writer.outputs()),
        }
        record = unchanged.Record(
            verdict.sources,
            content,
            writer.outputs() + SEARCH_SENTINELS,
            counts,
            warnings,
            sync_warnings,
            search_done=options.search == "now",
        )
        unchanged.save(
            paths, record, verdict, frozenset(writer.report.written + SEARCH_SENTINELS), monitor
        )
    return summary


@dataclass(frozen=True)
class _Counts:
    entries: int
    people: int
    written: int
    unchanged: int
    removed: int


def _render(
    entries: Entries, writer: SiteWriter, knowledge: Knowledge, config: Config, log: Log
) -> _Counts:
    """content -> site: nothing if no input changed, only the edited entries' pages if only
    their text changed, else the whole model (its pages re-rendered where inputs changed)."""
    metas = entries.metas
    inputs = site_inputs(metas, knowledge, writer.templates_digest)
    if writer.current(inputs):
        log.info("site/ is up to date: no entry, template, registry or setting changed")
        return _Counts(len(metas), len({p for m in metas for p in m.people}), 0, len(writer.old), 0)
    with log.stage("site model"):  # the cards and groupings; pages are made as they are rendered
        bodies = _body_edits(entries, writer, knowledge)
        if bodies is not None:
            log.info(
                f"only the text of {len(bodies)} entries changed: their own pages are all there "
                f"is to make"
            )
        model = (
            entry_pages_only(metas, bodies)
            if bodies is not None
            else build_model(metas, knowledge.registry, config.feed_items, config.index_weeks)
        )
    report = writer.write(model, inputs, knowledge.digest, partial=bodies is not None)
    return _Counts(
        model.entries, model.people, len(report.written), report.unchanged, len(report.removed)
    )


def _body_edits(entries: Entries, writer: SiteWriter, knowledge: Knowledge) -> set[str] | None:
    """The entries whose body alone changed, when that is the only change since the last
    build: then only their own pages show anything new, and the rest of the site model need
    not be built. None when anything else changed (a title, a date, people, an entry added
    or removed, templates, registry, settings): then the whole model is built."""
    old = writer.old_state.get("entries")
    if (
        writer.recovering
        or not entries.earlier
        or not old
        or not writer.same_templates_and_registry(knowledge.digest)
    ):
        return None
    by_path = {m.path: m for m in entries.metas if m.path in entries.earlier}
    for rel, before in entries.earlier.items():
        now = by_path.get(rel)
        if before is None or now is None:
            return None  # added, removed or unreadable
        if old.get(rel) != entry_state(replace(now, sha256=before.sha256)):
            return None  # the site was not built from `before`, or people or slug changed
        if replace(now, sha256="", slug="", people=()) != replace(
            before, sha256="", slug="", people=()
        ):
            return None  # a title, date, summary... that other pages show
    return set(by_path)


def _sync(
    paths: Paths,
    config: Config,
    knowledge: Knowledge,
    log: Log,
    options: BuildOptions,
    verdict: unchanged.Verdict,
) -> tuple[SyncReport, list[tuple[str, str]], unchanged.Snapshot]:
    """seeds -> content, unless the stat check proved seeds, registries, templates, settings
    and the ledger untouched since the last build: then sync has nothing to do (edits and
    deletions in content/ are only ever kept), and its warnings are the last build's."""
    if verdict.same_sources and not options.prune:
        log.info(
            "seeds, registries, templates and settings as the last build left them: nothing to sync"
        )
        for file, message in verdict.sync_warnings():
            log.warn(file, message)
        return SyncReport(), verdict.sync_warnings(), verdict.content
    from .sync import sync  # here, not at the top: an edit to content/ never loads the cleaners

    before = len(log.warnings)
    hashes = FileHashes(paths.cache / "hashes.pickle")
    synced = sync(paths, knowledge, log, hashes, options.jobs, options.executor, options.prune)
    hashes.save()
    warnings = [(w.file, w.message) for w in log.warnings[before:] if not w.once]
    return synced, warnings, unchanged.take(paths, config, "content")


def site_inputs(metas: list[EntryMeta], knowledge: Knowledge, templates: str) -> str:
    """One hash of everything the site is made from: if it matches, site/ is current."""
    digest = hashlib.sha256(f"{knowledge.digest}|{templates}".encode())
    for m in sorted(metas, key=lambda m: m.path):
        digest.update(
            f"{m.path}|{m.slug}|{m.sha256}|{'|'.join(m.people)}\n".encode(
                "utf-8", "surrogateescape"
            )
        )
    return digest.hexdigest()
