"""The one build: seeds -> content -> site model -> site/, for every way a build starts.

The one-shot command, --watch and --serve all call `build` (MkDocs' lesson: one readable
build that the server calls too). The watcher hands it what changed (a Monitor of the paths
its events named); the stat check lives inside. A build the stat check proves unneeded
replays the last one's summary and warnings without importing the tool's heavy half
(cleaning, rendering, search): those imports are inside `_build`, on purpose.

This module (with sync.py, reading.py, render.py and store.py, which it drives) is the
only place that touches the file system; the stages in between pass frozen values.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from . import unchanged
from .config import LEDGER, Config, Paths
from .log import Log
from .model import BuildOptions, BuildSummary, SyncReport
from .state import FILE as STATE_FILE
from .state import Damaged, State
from .store import file_stamp

if TYPE_CHECKING:
    from .knowledge import Knowledge
    from .model import EntryMeta
    from .reading import Entries
    from .render import SiteWriter


def build(
    paths: Paths,
    config: Config,
    options: BuildOptions,
    log: Log,
    monitor: unchanged.Monitor | None = None,
) -> BuildSummary:
    """One build. `monitor`: under --watch, what the watcher saw change, so the stat check
    stats only that."""
    started = time.perf_counter()
    if options.clean:
        from .render import clean_outputs

        clean_outputs(paths, log)
    # a watcher's first build reads everything even when nothing changed: what it loads
    # (tables, entries, cards) stays in memory and makes each later rebuild O(changed)
    warm_up = monitor is not None and monitor.first
    try:
        verdict = unchanged.check(paths, config, monitor)
        asked = options.clean or options.prune or warm_up  # work the stat check cannot see
        if not asked and verdict.nothing_changed and verdict.state is not None:
            return unchanged.replay(verdict.state, log, started)
        return _build(paths, config, options, log, verdict, monitor, started)
    except Damaged as exc:  # found half-way: what this build wrote, its journals recover
        State.discard(paths.cache)
        log.warn(_state_file(paths), f"{exc}; rebuilt, and nothing in it trusted", once=True)
        verdict = unchanged.check(paths, config)
        return _build(paths, config, options, log, verdict, None, started)


def _state_file(paths: Paths) -> str:
    return f"{paths.cache.parent.name}/{paths.cache.name}/{STATE_FILE}"


def _build(
    paths: Paths,
    config: Config,
    options: BuildOptions,
    log: Log,
    verdict: unchanged.Verdict,
    monitor: unchanged.Monitor | None,
    started: float,
) -> BuildSummary:
    from .knowledge import load_knowledge
    from .reading import read_entries
    from .render import SiteWriter
    from .search import SEARCH_SENTINELS, index_site

    unchanged.forget(paths)  # a build that stops half-way must not leave a stale record
    state = State.open(paths.cache)
    if state.problem:
        log.warn(_state_file(paths), state.problem, once=True)  # said now, not replayed
        state.problem = None
    knowledge = load_knowledge(paths, log)
    synced, sync_warnings, content = _sync(paths, config, knowledge, log, options, verdict, state)
    if monitor is not None:
        monitor.synced(paths, config, content)
    with log.stage("read"):
        entries = read_entries(
            paths, knowledge.registry, log, content, state, synced.made, knowledge.people
        )
    synced.made.clear()
    writer = SiteWriter(paths, config, log, options.jobs, options.executor)
    writer.outputs_intact = verdict.same_outputs and not writer.recovering
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
    state.commit()
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
    from .site import build_model, entry_pages_only

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
    report = writer.write(model, inputs, knowledge.registry.shown(), partial=bodies is not None)
    return _Counts(
        model.entries, model.people, len(report.written), report.unchanged, len(report.removed)
    )


def _body_edits(entries: Entries, writer: SiteWriter, knowledge: Knowledge) -> set[str] | None:
    """The entries whose body alone changed, when that is the only change since the last
    build: then only their own pages show anything new, and the rest of the site model need
    not be built. None when anything else changed (a title, a date, people, an entry added
    or removed, templates, registry, settings): then the whole model is built."""
    from .site import entry_state

    old = writer.old_state.get("entries")
    if (
        writer.recovering
        or not entries.earlier
        or not old
        or not writer.same_templates_and_registry(knowledge.registry.shown())
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
    state: State,
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
    stamps = (verdict.sources.stamps, verdict.content.stamps)
    synced = sync(
        paths, knowledge, log, state, options.jobs, options.executor, options.prune, stamps
    )
    warnings = [(w.file, w.message) for w in log.warnings[before:] if not w.once]
    return synced, warnings, _content_after(paths, config, verdict.content, synced)


def _content_after(
    paths: Paths, config: Config, before: unchanged.Snapshot, synced: SyncReport
) -> unchanged.Snapshot:
    """content/ as sync left it: the snapshot taken before, with the files sync says it
    wrote or removed statted again (a scan of 10,000 entries cost a tenth of a second), or
    a full scan after a killed sync's journal was replayed. A new file goes last: the
    digest follows the stamps' order, which for a new name only a scan knows, so the next
    one-shot build may find content/ "changed" once and read it (never the reverse)."""
    if synced.rescan or not before.stamps:
        return unchanged.take(paths, config, "content")
    stamps = dict(before.stamps)
    for rel in synced.touched:
        now = file_stamp(paths.content / rel)
        if now is None:
            stamps.pop(rel, None)
        else:
            stamps[rel] = now
    return unchanged.take(paths, config, "content", stamps)


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
