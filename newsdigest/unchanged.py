"""Proof from stat() alone of what did not change since the last build (git's index trick).

Without it a no-change rebuild of 10,000 articles imports the whole tool, loads the ledger,
the hash cache and the manifest and looks every file up in them: well over a second. Here
one os.scandir pass over the inputs and one stat per output decide it, before the rest of
the tool is even imported. The same pass tells a build whose seeds, templates and settings
are untouched (only content/ changed, the common edit) that sync has nothing to do.

This is not "dirty by mtime": every input's full stat (path, mtime, size, inode, ctime) is
compared with what the last build saw, and any difference at all, or a new or missing
file, another setting or another version of the tool, sends that part down the normal path,
which decides by content hash what really changed. Files modified so close to the snapshot
that a second write could share their timestamp ("racy", as git calls them) are confirmed
by hash. The last build's warnings are replayed, so --strict still fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from stat import S_ISDIR

from . import code_digest
from .config import LEDGER, Config, Paths
from .log import Log
from .model import BuildSummary
from .state import FILE, State
from .store import (
    OUTSIDE,
    Stamp,
    file_sha256,
    file_stamp,
    leads_out,
    scan,
    stamp,
)

RECORD = "unchanged"  # the build state's fact holding the last complete build's record
RACY_NS = 200_000_000  # timestamps this close to the snapshot are confirmed by content hash


@dataclass(frozen=True)
class Snapshot:
    """The stat of every file of one part of the inputs, taken before the build read any."""

    digest: str
    racy: tuple[tuple[str, str | None], ...]  # (file, sha256) of files modified within RACY_NS
    stamps: dict[str, Stamp] = field(default_factory=dict, compare=False, repr=False)


_MISSING: Stamp = (0, -1, 0, 0)


def _folders(paths: Paths) -> tuple[tuple[str, Path, str], ...]:
    """(part, folder, key prefix): how a stamp's key names a file. The settings and registry
    files in the root are "sources" keyed by their name (`_settings`)."""
    return (
        ("content", paths.content, ""),
        ("sources", paths.seeds, "seeds/"),
        ("sources", paths.templates, "templates/"),
    )


def _settings(paths: Paths) -> tuple[Path, ...]:
    return paths.pyproject, paths.people_overrides, paths.outlet_overrides


def _stamps(paths: Paths, part: str) -> dict[str, Stamp]:
    out: dict[str, Stamp] = {}
    for owner, folder, prefix in _folders(paths):
        if owner == part:
            out.update(scan(folder, prefix))
    if part == "sources":
        for file in _settings(paths):
            out[file.name] = file_stamp(file) or _MISSING
    return out


def take(
    paths: Paths, config: Config, part: str, stamps: dict[str, Stamp] | None = None
) -> Snapshot:
    """`part` is "sources" (seeds, templates, settings, registries) or "content": content/
    is taken after sync has written it and before anything reads it. Racy files are hashed
    now, before the build reads them, so a later write with the same timestamp still shows.
    `stamps`: the part's stamps as a Monitor already knows them (else: scan the folders)."""
    now = time.time_ns()
    stamps = _stamps(paths, part) if stamps is None else stamps
    head = json.dumps(
        [
            code_digest(),
            asdict(config),
            part,
            str(paths.root),
            str(paths.seeds),
            str(paths.content),
            str(paths.site),
            str(paths.templates),
        ]
    )
    digest = hashlib.sha256(head.encode("utf-8", "surrogateescape"))
    # in scandir's order, not sorted (sorting 20,000 stamps costs a no-change build 5 %): a
    # folder's order only changes when files come or go, which changes the digest anyway, and
    # a Monitor's dict keeps the order of its first scan. An order that differs is at worst a
    # build that did not need to run, never one skipped
    digest.update(pickle.dumps(list(stamps.items()), protocol=5))
    racy = tuple(
        sorted(
            (rel, file_sha256(_file(paths, part, rel)))
            for rel, (mtime, _, _, ctime) in stamps.items()
            if now - mtime < RACY_NS or now - ctime < RACY_NS
        )
    )
    return Snapshot(digest.hexdigest(), racy, stamps)


def _file(paths: Paths, part: str, rel: str) -> str:
    """The file a stamp's key names (the inverse of `_locate`)."""
    for owner, folder, prefix in _folders(paths):
        if owner == part and rel.startswith(prefix):
            return os.path.join(folder, rel[len(prefix) :])
    return os.path.join(paths.root, rel)


OutputStamps = dict[str, tuple[int, int]]  # output -> (mtime_ns, size)


def _output_stamps(
    paths: Paths,
    outputs: list[str],
    known: OutputStamps | None = None,
    fresh: frozenset[str] = frozenset(),
) -> OutputStamps | None:
    """The outputs' stamps; None if one is missing. `known`: stamps the check took at the
    start of this build, still good for every output the build did not write (`fresh`)."""
    site, known = str(paths.site) + os.sep, known or {}
    out: OutputStamps = {}
    for rel in outputs:
        if rel in known and rel not in fresh:
            out[rel] = known[rel]
            continue
        try:
            st = os.stat(site + rel)
        except OSError:
            return None
        out[rel] = (st.st_mtime_ns, st.st_size)
    return out


def _digest(stamps: OutputStamps | None) -> str | None:
    return (
        None
        if stamps is None
        else hashlib.sha256(pickle.dumps(list(stamps.values()), protocol=5)).hexdigest()
    )


@dataclass(frozen=True)
class Record:
    """What a build that finished leaves for the next one to compare against."""

    sources: Snapshot
    content: Snapshot
    outputs: list[str]
    summary: dict  # the counts of the last build's summary line
    warnings: list[tuple[str, str]]
    sync_warnings: list[tuple[str, str]]  # the part of `warnings` that sync gave
    search_done: bool = True  # False under --watch, where the index is brought up to date later


def save(
    paths: Paths,
    record: Record,
    verdict: Verdict,
    written: frozenset[str],
    monitor: Monitor | None = None,
) -> None:
    """`written`: the outputs this build wrote (the others keep the stamps the check took)."""
    stamps = _output_stamps(paths, record.outputs, verdict.outputs, written)
    outputs = _digest(stamps)
    if outputs is None:
        forget(paths)
        return
    if monitor is not None:
        monitor.outputs = stamps
    State.open(paths.cache).set_fact(
        RECORD,
        {
            "sources": record.sources.digest,
            "content": record.content.digest,
            "racy": {"sources": dict(record.sources.racy), "content": dict(record.content.racy)},
            "outputs": record.outputs,
            "ledger": record.content.stamps.get(LEDGER),
            "outputs_digest": outputs,
            "summary": record.summary,
            "warnings": record.warnings,
            "sync_warnings": record.sync_warnings,
            "search_done": record.search_done,
        },
    )


def forget(paths: Paths) -> None:
    """Drop the record at once: a build that stops half-way must not leave it claiming that
    site/ is current."""
    if (paths.cache / FILE).exists():
        State.open(paths.cache).drop_fact(RECORD)


@dataclass(frozen=True)
class Verdict:
    """What the stat check found: which parts are as the last build left them."""

    state: dict | None  # the last build's record
    sources: Snapshot
    content: Snapshot
    same_sources: bool  # seeds, templates, settings, registries, code: sync has nothing to do
    same_content: bool
    same_outputs: bool
    outputs: OutputStamps | None = field(default=None, compare=False, repr=False)  # as found

    @property
    def nothing_changed(self) -> bool:
        done = bool((self.state or {}).get("search_done"))
        return done and self.same_sources and self.same_content and self.same_outputs

    def sync_warnings(self) -> list[tuple[str, str]]:
        return list((self.state or {}).get("sync_warnings") or [])


def check(paths: Paths, config: Config, monitor: Monitor | None = None) -> Verdict:
    """Compare the inputs and outputs with the last build's record. `monitor` (under
    --watch): the watcher's events say which inputs to stat again, and the last build's
    output stamps are still in memory."""
    state = State.open(paths.cache).fact(RECORD) if paths.cache.is_dir() else None
    if monitor is not None:
        sources, content = monitor.snapshots(paths, config)
    else:
        sources, content = take(paths, config, "sources"), take(paths, config, "content")
    if not isinstance(state, dict):
        return Verdict(None, sources, content, False, False, False)
    same_sources = _confirmed(state, sources, "sources", paths) and content.stamps.get(
        LEDGER
    ) == state.get("ledger")
    same_content = _confirmed(state, content, "content", paths)
    known = monitor.last_outputs() if monitor is not None else None
    outputs = known if known is not None else _output_stamps(paths, state.get("outputs") or [])
    same_outputs = _digest(outputs) == state.get("outputs_digest")
    return Verdict(state, sources, content, same_sources, same_content, same_outputs, outputs)


def _confirmed(state: dict, snapshot: Snapshot, part: str, paths: Paths) -> bool:
    """Same stats as recorded, and every file that was racy then still has its hash."""
    if snapshot.digest != state.get(part):
        return False
    racy: dict[str, str | None] = (state.get("racy") or {}).get(part) or {}
    return all(
        sha is not None and file_sha256(_file(paths, part, rel)) == sha for rel, sha in racy.items()
    )


def replay(state: dict, log: Log, started: float) -> BuildSummary:
    """The summary of a build that had nothing to do, with the last build's warnings again."""
    for file, message in state.get("warnings") or []:
        log.warn(file, message)
    log.info(
        "site/ is up to date: no seed, entry, template, registry or setting changed (stat check)"
    )
    counts = state.get("summary") or {}
    return BuildSummary(
        counts.get("entries", 0),
        counts.get("people", 0),
        0,
        0,
        counts.get("files", 0),
        0,
        len(log.warnings),
        time.perf_counter() - started,
        dict(log.seconds),
    )


class Monitor:
    """git's fsmonitor, for --watch: the watcher's events name the paths that changed, so
    the stat check stats those again instead of every file in seeds/ and content/.

    Every event under seeds/, content/, templates/ and the root's settings files is noted
    (the tool's own writes and editor junk too: the stamps must equal what a full scan would
    find). The first check, and any check after a burst too big to trust (an inotify queue
    can overflow), scans in full. The stamps are always read from disk, never inferred from
    an event; an event that arrives after the check is applied at the next one. Sync's own
    writes are not left to events: the build hands over content/ as sync left it (`synced`),
    so a check that comes before their events (a loaded machine, a lost event) still sees
    every entry sync wrote.
    """

    FULL_SCAN_ABOVE = (
        1000  # noted paths beyond this: scan in full (a burst inotify may have cut short)
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[str] | None = None  # None: unknown, scan in full
        self._stamps: dict[str, dict[str, Stamp]] = {}
        self._taken: dict[str, tuple[tuple[Config, Paths], Snapshot]] = {}  # part -> last snapshot
        self.outputs: OutputStamps | None = None  # as the last complete build left them

    def changed(self, path: str) -> None:
        """An event's path (absolute). Called from the watcher's thread."""
        with self._lock:
            if self._dirty is not None:
                self._dirty.add(path)
                if len(self._dirty) > self.FULL_SCAN_ABOVE:
                    self._dirty = None

    @property
    def first(self) -> bool:
        """No check has used this monitor yet (the watcher's first build is next)."""
        return not self._stamps

    def last_outputs(self) -> OutputStamps | None:
        """The output stamps the last build saved, once: a build that fails leaves none."""
        outputs, self.outputs = self.outputs, None
        return outputs

    def snapshots(self, paths: Paths, config: Config) -> tuple[Snapshot, Snapshot]:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        if dirty is None or not self._stamps:
            self._stamps = {part: _stamps(paths, part) for part in ("sources", "content")}
            self._taken.clear()
        else:
            for path in dirty:
                self._taken.pop(self._restat(paths, path) or "", None)
        key = (config, paths)  # another setting is another snapshot (its digest covers both)
        for part in ("sources", "content"):  # a part no event touched keeps its snapshot
            if self._taken.get(part, (None,))[0] != key:
                self._taken[part] = (key, take(paths, config, part, dict(self._stamps[part])))
        return self._taken["sources"][1], self._taken["content"][1]

    def synced(self, paths: Paths, config: Config, content: Snapshot) -> None:
        """content/ as sync left it (its own writes statted again): known now, not when
        their events come."""
        with self._lock:
            if not self._stamps:
                return  # no check has run: the next one scans in full anyway
            self._stamps["content"] = dict(content.stamps)
            self._taken["content"] = ((config, paths), content)

    def _restat(self, paths: Paths, path: str) -> str | None:
        """Bring one path's stamps up to date; the part it belongs to (None: not an input)."""
        where = _locate(paths, Path(path))
        if where is None:
            return None
        part, key = where
        if not key:  # a watched folder itself came or went
            self._stamps[part] = _stamps(paths, part)
            return part
        stamps = self._stamps[part]
        folder = _folder_of(paths, part, key)
        try:
            st: os.stat_result | None = os.stat(path)
        except OSError:
            st = None
        if st is not None and os.path.islink(path) and leads_out(path, folder):
            stamps[key] = OUTSIDE  # as a full scan sees it: a link out, never read
            for old in [k for k in stamps if k.startswith(key + "/")]:
                del stamps[old]
        elif st is not None and not S_ISDIR(st.st_mode):
            stamps[key] = stamp(st)
        elif (
            part == "sources" and "/" not in key
        ):  # a settings file in the root (people.yaml...): gone
            stamps[key] = _MISSING
        else:
            if stamps.pop(key, None) is None:  # not a known file: a folder, gone, moved or new
                for old in [k for k in stamps if k.startswith(key + "/")]:
                    del stamps[old]
            if st is not None:
                stamps.update(scan(Path(path), key + "/", within=folder))
        return part


def _folder_of(paths: Paths, part: str, key: str) -> Path:
    """The folder a stamp's key lies in (the root for the settings files)."""
    for owner, folder, prefix in _folders(paths):
        if owner == part and key.startswith(prefix) and (prefix or part == "content"):
            return folder
    return paths.root


def _locate(paths: Paths, path: Path) -> tuple[str, str] | None:
    """(part, stamp key) of a path, named as _stamps names it; None if not an input."""
    for part, folder, prefix in _folders(paths):
        if path == folder:
            return part, ""
        if folder in path.parents:
            return part, prefix + path.relative_to(folder).as_posix()
    for file in _settings(paths):
        if path == file:
            return "sources", file.name
    return None
