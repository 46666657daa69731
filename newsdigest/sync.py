"""seeds/ -> content/: make, refresh and retire entries, never touching what a person wrote.

The ledger (content/.newsdigest-ledger.json, committed with the entries) records, per seed,
the entry made from it and the hash of the bytes the tool wrote. An entry whose bytes differ
from that hash was edited by hand and is never overwritten or deleted. An entry deleted by
hand stays deleted while its seed's bytes stay the same. The ledger lives in content/ rather
than in a cache so that a fresh clone still knows which entries are pristine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from . import code_digest
from .archives import Page, holds_pages, pages, unit
from .clean.boilerplate import CHUNK
from .config import LEDGER, Paths
from .entries import EntryError, front_matter, meta_of, parse, to_markdown
from .ingest import sha256
from .knowledge import Knowledge
from .log import Log
from .model import Entry, Hints, Skip, SyncReport
from .state import State
from .store import (
    Changed,
    FileHashes,
    Guard,
    Journal,
    contained,
    file_sha256,
    file_stamp,
    json_row,
    json_rows,
    read_json,
    remove,
    temp_name,
    walk_files,
    write_atomic,
)
from .stories import Profile, jaccard, neighbour_weeks, profile, same_article, same_event
from .textutil import printable_name
from .textutil import slug as make_slug
from .workers import SeedResult, SeedTask, mapper, with_boilerplate


@dataclass(frozen=True)
class Record:
    seed_sha256: str
    generator: str
    entry: str | None = None  # path relative to content/; None when the seed was skipped
    entry_sha256: str | None = None
    skipped: str | None = None  # the reason, re-warned on every build while it holds
    moved: bool = False  # the entry was moved or renamed by hand: it stays where it was put
    notes: str | None = (
        None  # the fallbacks cleaning took ("no date found; ..."), re-warned while they hold
    )
    same_as: str | None = None  # the seed whose entry holds this seed's article (a duplicate)


JOURNAL = "journal-content"  # in the cache: entries being written (see store.Journal)


def list_seeds(seeds: Path, outside: list[str] | None = None) -> dict[str, str]:
    """{printable name: name on disk} of every seed; links out of seeds/ go to `outside`."""
    return {printable_name(rel): rel for rel in walk_files(seeds, outside=outside)}


def list_entries(content: Path) -> list[str]:
    return walk_files(content, ".md")


def _record(raw: object) -> Record | None:
    """A ledger record, or None when it is not one (a field missing or of the wrong type)."""
    if not isinstance(raw, dict):
        return None
    try:
        record = Record(**raw)
    except TypeError:
        return None
    texts = (record.entry, record.entry_sha256, record.skipped, record.notes, record.same_as)
    if not (isinstance(record.seed_sha256, str) and isinstance(record.generator, str)):
        return None
    if not all(v is None or isinstance(v, str) for v in texts) or not isinstance(
        record.moved, bool
    ):
        return None
    return record


class _Sync:
    """One pass of seeds -> content. Holds the ledger while it is being updated."""

    def __init__(
        self,
        paths: Paths,
        knowledge: Knowledge,
        log: Log,
        state: State,
        prune: bool = False,
        stamps: tuple[dict, dict] = ({}, {}),
    ) -> None:
        self.paths, self.knowledge, self.log, self.state, self.prune = (
            paths,
            knowledge,
            log,
            state,
            prune,
        )
        self.hashes = FileHashes(state.table("seeds"))
        # the stat check's stamps of seeds/ ("seeds/<name>") and content/: no stat twice
        self.seed_stamps, self.entry_stamps = stamps
        self.seeds_dir, self.content_dir = f"{paths.seeds}{os.sep}", f"{paths.content}{os.sep}"
        self.ledger_people: object = None  # the registry digest the ledger's entries used
        self.ledger: dict[str, Record] = self._load_ledger()
        self.loaded = dict(self.ledger)
        self.journal = Journal(paths.cache / JOURNAL)
        self.report = SyncReport()
        self._recover()
        self.stems = {_stem(rel): rel for rel in list_entries(paths.content)}
        self.cache_keys: dict[str, str] = {}
        self.cache = state.table("cleaned", code_digest())
        self.detected = state.table("detected", code_digest())
        self.names = state.table("names", code_digest())
        self._changed: frozenset[tuple[str, ...]] | None | bool = False  # False: not worked out yet
        self._names: dict | None = None
        self.guard = Guard(paths.content)
        self.on_disk: dict[str, str] = {}  # printable seed name -> its name on disk
        self.unlisted: list[str] = []  # seed folders that cannot be read: their seeds are not gone
        self._by_seed: dict[str, list[str]] | None = None  # entries by the seed they name
        self.profiles = state.table("profiles", code_digest())  # by entry hash: stories.Profile
        self._profiled: dict[str, Profile] = {}  # entry -> its profile, as this sync knows it
        self._weeks: dict[str, set[str]] | None = None  # week folder -> the entries in it
        self._dups: dict[str, set[str]] | None = None  # seed -> the seeds that duplicate it
        self.regroup: set[str] = set()  # seeds whose entry's duplicate_seeds may be stale
        self.listed: dict[str, tuple[str, ...]] = {}  # seed -> duplicate_seeds written now
        # pages of files holding many (archives.py): seed -> (file on disk, record, sha256)
        self.records: dict[str, tuple[str, int, str]] = {}
        self.record_index = state.table("records", code_digest())  # file -> (sha, its index)
        self.indexes: dict[str, tuple] = {}  # the rows of record_index this sync saw
        self.unread: set[str] = set()  # pages that cannot be read now: their entries stay
        # the last such file unpacked: (file, {record: (page, its sha256)})
        self._held: tuple[str, dict[int, tuple[Page, str]]] | None = None

    def _load_ledger(self) -> dict[str, Record]:
        """The ledger as records; what is malformed is one warning and left out, and the
        entries it would have named are adopted again by their bytes (see `_place`). A
        process that wrote or read it last (--watch) and finds it with the same stamp does
        not parse its 10,000 records again."""
        path = self.paths.content / LEDGER
        known = _LEDGERS.get(str(path))
        stamp = file_stamp(path)
        if known is not None and known[0] == stamp:
            self.ledger_people = known[1]
            return dict(known[2])
        ledger = self._parse_ledger(path)
        _LEDGERS[str(path)] = (stamp, self.ledger_people, dict(ledger))
        return ledger

    def _parse_ledger(self, path: Path) -> dict[str, Record]:
        raw = read_json(path, None)
        seeds = raw.get("seeds") if isinstance(raw, dict) else None
        self.ledger_people = raw.get("people") if isinstance(raw, dict) else None
        if raw is not None and not isinstance(seeds, dict):
            self.log.warn(
                f"content/{LEDGER}",
                "not a ledger (no 'seeds' mapping); rebuilt from content/",
                once=True,
            )
            return {}
        if raw is None and path.exists():
            self.log.warn(
                f"content/{LEDGER}", "not readable JSON; rebuilt from content/", once=True
            )
        ledger: dict[str, Record] = {}
        bad = 0
        for name, rec in (seeds or {}).items():
            record = _record(rec)
            if record is None:
                bad += 1
            elif record.entry is not None and contained(record.entry) is None:
                self.log.warn(
                    f"content/{LEDGER}",
                    f"the record of seeds/{printable_name(name)} names an entry "
                    f"outside content/ ({record.entry!r}); ignored",
                    once=True,
                )
            else:
                ledger[name] = record
        if bad:
            self.log.warn(
                f"content/{LEDGER}",
                f"{bad} malformed record(s) ignored; their entries are adopted again",
                once=True,
            )
        return ledger

    def _recover(self) -> None:
        """Finish the bookkeeping of a sync that was killed: entries it wrote whose bytes are
        on disk join the ledger (else they would count as edited by hand for ever), entries
        it moved leave no copy behind, and its half-written temp files go."""
        notes, pids = self.journal.left()
        self.report.rescan = bool(notes or pids)
        for line in notes:
            try:
                self._replay(json.loads(line), pids)
            except (ValueError, AttributeError, KeyError, TypeError):
                continue  # a note cut short by the kill: its write never happened

    def _replay(self, note: dict, pids: list[str]) -> None:
        rel = contained(note.get("entry"))
        if rel is not None:
            path = self.paths.content / rel
            for pid in pids:
                temp_name(path, pid).unlink(missing_ok=True)
            if "sha" in note and file_sha256(path) == note["sha"]:
                self.ledger[note["seed"]] = Record(
                    note["seed_sha256"],
                    note["generator"],
                    rel,
                    note["sha"],
                    moved=bool(note.get("moved")),
                    notes=note.get("notes"),
                )
                old = contained(note.get("old"))
                if (
                    old
                    and old != rel
                    and file_sha256(self.paths.content / old) == note.get("old_sha")
                ):
                    remove(self.paths.content / old, self.paths.content)
            elif note.get("gone") and not path.exists():
                rec = self.ledger.get(note["seed"])
                if rec is not None and rec.entry == rel:
                    del self.ledger[note["seed"]]

    def run(self, jobs: int, executor: str) -> SyncReport:
        """Plan, process and apply seeds a chunk at a time: memory holds at most two chunks'
        bytes, never the archive's. The next chunk is planned (read, hashed, its shared lines
        found) while the pool still works on the last one, so no core waits on the planning.
        One executor serves every chunk."""
        with self.log.stage("scan"):
            outside: list[str] = []
            self.on_disk = list_seeds(self.paths.seeds, outside)
            self._expand()
            seeds = sorted(self.on_disk)
            for rel in outside:
                if rel.endswith("/"):
                    self.unlisted.append(rel.removeprefix("./"))
                    self.log.warn(
                        f"seeds/{printable_name(rel.removeprefix('./'))}",
                        "cannot be read; the entries of the seeds in it are kept as they are",
                    )
                else:
                    self.log.warn(
                        f"seeds/{printable_name(rel)}",
                        "a symbolic link to a file outside seeds/; skipped (not read)",
                    )
        with mapper(self.knowledge, jobs, executor) as run:
            in_flight: tuple[Iterable[SeedResult], int] | None = None
            for start in range(0, len(seeds), CHUNK):
                tasks = self._tasks(seeds[start : start + CHUNK])
                # the pool works on the last chunk while this one was planned
                if in_flight is not None:
                    self._collect(*in_flight)
                in_flight = (run(tasks), len(tasks))
                del tasks
            if in_flight is not None:
                self._collect(*in_flight)
        with self.log.stage("entries"):
            self._retire(set(seeds))
        self._regroup(jobs, executor)
        with self.log.stage("entries"):
            self._save()
            self.hashes.save()
            self.record_index.save(self.indexes)
            self.state.set_fact("people", (self.knowledge.people, self.knowledge.people_data))
            self.state.commit()
            self.journal.clear()  # the ledger on disk now records everything the journal noted
        # an entry made again by `_regroup` (its duplicates settled) is one entry made
        self.report.generated = list(dict.fromkeys(self.report.generated))
        return self.report

    def _regroup(self, jobs: int, executor: str) -> None:
        """Settle what the seeds' duplicates changed: the seeds whose article's entry is gone
        decide again (one may now be the article's entry), and an entry whose list of
        duplicate seeds is stale is made again (it comes from the clean cache). A few rounds
        at most: each settles what the last one changed."""
        for _ in range(3):
            redo = self._unsettled()
            if not redo:
                return
            with mapper(self.knowledge, jobs, executor) as run:
                with self.log.stage("scan"):
                    planned = [t for t in (self._plan(n, force=True) for n in sorted(redo)) if t]
                    tasks = [self._from_cache(t) for t in with_boilerplate(planned)]
                self._collect(run(tasks), len(tasks))

    def _unsettled(self) -> set[str]:
        redo: set[str] = set()
        for primary, dups in self._dup_index().items():
            rec = self.ledger.get(primary)
            if dups and (rec is None or not rec.entry or rec.same_as is not None):
                redo |= {d for d in dups if d in self.on_disk}
        for primary in sorted(self.regroup):
            rec = self.ledger.get(primary)
            if rec is None or not rec.entry or rec.same_as is not None or primary in redo:
                continue
            wanted = tuple(sorted(self._dup_index().get(primary, ())))
            if self._listed(primary, rec) != wanted and self._pristine(primary):
                redo.add(primary)
        self.regroup.clear()
        return redo

    def _listed(self, name: str, rec: Record) -> tuple[str, ...] | None:
        """The duplicate seeds the seed's entry lists now (None: it cannot be read)."""
        if name in self.listed:
            return self.listed[name]
        try:
            parsed = parse((self.paths.content / (rec.entry or "")).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, EntryError):
            return None
        value = parsed.meta.get("duplicate_seeds") or []
        return tuple(str(v) for v in value) if isinstance(value, list) else None

    def _tasks(self, names: list[str]) -> list[SeedTask]:
        """One chunk's work: the seeds that need it, with their shared lines and cache hits."""
        with self.log.stage("scan"):
            planned = [t for t in (self._plan(name) for name in names) if t]
            return [self._from_cache(t) for t in with_boilerplate(planned)]

    def _collect(self, results: Iterable[SeedResult], total: int) -> None:
        """Apply a chunk's results in seed order, as the pool hands them back."""
        for result in self.log.progress(results, total, "pages"):
            for stage, seconds in zip(("ingest", "clean", "understand"), result.seconds):
                self.log.seconds[stage] += seconds
            with self.log.stage("entries"):
                self._apply(result)

    def _expand(self) -> None:
        """Each page of a file holding many (a WARC, JSON lines) becomes a seed of its own,
        `FILE#N`. The file's index of pages is kept in the build state while its bytes stay
        the same, so an unchanged crawl is not unpacked again."""
        for name in [n for n, disk in self.on_disk.items() if holds_pages(disk)]:
            disk = self.on_disk.pop(name)
            index = self._index_of(name, disk)
            if index is None:
                self.unlisted.append(f"{name}#")  # its entries are kept as they are
                continue
            for record, sha, problem, rest_unknown in index:
                page = f"{name}#{record}"
                if problem is None:
                    self.on_disk[page] = disk
                    self.records[page] = (disk, record, sha)
                    continue
                self.log.warn(
                    f"seeds/{name}",
                    f"{unit(disk)} {record} cannot be read ({problem}); the file's other pages "
                    "build",
                )
                self.unread.add(page)
                if rest_unknown:
                    self.unlisted.append(f"{name}#")  # the records after it are unknown

    def _index_of(self, name: str, disk: str) -> tuple | None:
        """((record, sha256 or None, problem or None, rest unknown), ...) of the file; None
        when it cannot be read at all. Read only when its stamp changed, and then once."""
        path = self.seeds_dir + disk
        sha = self.hashes.unchanged(path, known=self.seed_stamps.get("seeds/" + disk))
        known = self.record_index.get(disk)
        if sha is not None and known is not None and known[0] == sha:
            self.indexes[disk] = known
            return known[1]
        return self._unpack(name, disk)

    def _unpack(self, name: str, disk: str) -> tuple | None:
        """Read and unpack a file holding pages: its index (as `_index_of`), recorded; its
        pages are kept until another such file is unpacked."""
        try:
            data = (self.paths.seeds / disk).read_bytes()
        except OSError as exc:
            self.log.warn(
                f"seeds/{name}", f"cannot be read ({exc.strerror}); the entries of its pages stay"
            )
            return None
        found = [(p, sha256(p.data) if isinstance(p, Page) else None) for p in pages(disk, data)]
        index = tuple(
            (p.record, sha, None, False)
            if isinstance(p, Page)
            else (p.record, None, p.problem, p.rest_unknown)
            for p, sha in found
        )
        self._held = (disk, {p.record: (p, sha) for p, sha in found if isinstance(p, Page)})
        self.indexes[disk] = (self.hashes.sha(self.seeds_dir + disk, data), index)
        return index

    def _plan_page(self, name: str, force: bool) -> SeedTask | None:
        """`_plan` for one page of a file holding many: its bytes are read only when its
        entry needs them."""
        disk, record, sha = self.records[name]
        rec = self.ledger.get(name)
        if rec is not None and not force and self._settled(name, rec, sha):
            return None
        if self._held is None or self._held[0] != disk:
            if self._unpack(name.rsplit("#", 1)[0], disk) is None:
                return None
        page, now = self._held[1].get(record, (None, None)) if self._held else (None, None)
        if page is None or now != sha:  # changed since the listing: next build
            self.log.warn(f"seeds/{name}", "changed while the build read it; built next time")
            return None
        try:
            modified = dt.date.fromtimestamp((self.paths.seeds / disk).stat().st_mtime)
        except (OSError, ValueError, OverflowError):
            modified = None
        return SeedTask(name, sha, page.data, None, modified=modified, hints=page.hints)

    def _plan(self, name: str, force: bool = False) -> SeedTask | None:
        """What to do with one seed; None when nothing needs doing (`force`: it does)."""
        if name in self.records:
            return self._plan_page(name, force)
        disk = self.on_disk.get(name, name)
        rec = self.ledger.get(name)
        if (
            rec is not None and not force
        ):  # known seed: hash from the stat cache, read only if it changed
            # paths as strings here: pathlib's joins were a third of planning 10,000 seeds
            sha = self.hashes.sha(
                self.seeds_dir + disk, known=self.seed_stamps.get("seeds/" + disk)
            )
            if sha is not None and self._settled(name, rec, sha):
                return None
        path = self.paths.seeds / disk
        try:
            data = path.read_bytes()
            modified = dt.date.fromtimestamp(path.stat().st_mtime)
        except (OSError, ValueError, OverflowError) as exc:
            self.log.warn(
                f"seeds/{name}",
                f"cannot be read ({getattr(exc, 'strerror', None) or exc}); skipped",
            )
            return None
        return SeedTask(
            name, self.hashes.sha(path, data) or sha256(data), data, None, modified=modified
        )

    def _from_cache(self, task: SeedTask) -> SeedTask:
        """A seed cleaned before with the same bytes, code and boilerplate skips cleaning."""
        key = self._cache_key(task.sha256, task.boilerplate, task.hints)
        self.cache_keys[task.name] = key
        cached = self.cache.get(key)
        if cached is None:
            return task
        return replace(task, data=None, raw=None, cached=cached, detected=self.detected.get(key))

    def _settled(self, name: str, rec: Record, sha: str) -> bool:
        """True when the seed's entry needs no work (up to date, edited, or deleted by hand)."""
        same_seed = rec.seed_sha256 == sha
        if rec.same_as is not None:  # a duplicate: its article is another seed's entry
            return same_seed and rec.generator == self.knowledge.base
        if rec.skipped is not None:
            if same_seed and rec.generator == self.knowledge.base:
                self.log.warn(f"seeds/{name}", rec.skipped)
                return True
            return False
        current = (
            self.hashes.sha(self.content_dir + rec.entry, known=self.entry_stamps.get(rec.entry))
            if rec.entry
            else None
        )
        if current is None and not same_seed:
            rec = self._follow(name, rec)
            current = (
                self.hashes.sha(self.paths.content / rec.entry) if rec.entry and rec.moved else None
            )
        if current is None:
            if same_seed:
                self.log.info(
                    f"content/{rec.entry}: deleted by hand; not regenerated from seeds/{name}"
                )
            return same_seed
        if current != rec.entry_sha256:
            if not same_seed:
                self.log.warn(
                    f"content/{rec.entry}",
                    f"edited by hand since it was generated; kept as is "
                    f"although its seed seeds/{name} changed",
                )
                self.ledger[name] = Record(sha, rec.generator, rec.entry, rec.entry_sha256)
            self.report.kept_edits.append(rec.entry or "")
            return True
        settled = (
            same_seed and rec.generator == self.knowledge.base and not self._renamed(name, sha)
        )
        if settled and rec.notes:  # a pristine entry made by a fallback: still worth saying
            for note in rec.notes.split("\n"):
                self.log.warn(f"seeds/{name}", note)
        return settled

    def _renamed(self, name: str, sha: str) -> bool:
        """True when the registry changed since this seed's entry was made in a way that may
        change who it names: the seed has every word of a name whose answer changed (or
        that cannot be told). A people.yaml edit so re-resolves only the seeds it concerns."""
        if self.ledger_people == self.knowledge.people:
            return False
        if self._changed is False:
            self._changed = self._changed_keys()
        if self._names is None:
            self._names = self.names.load()  # one read of the table, not one per seed
        row = self._names.get(name)
        if self._changed is None or row is None or row[0] != sha:
            return True
        words = row[1]
        return any(all(w in words for w in key) for key in self._changed)

    def _changed_keys(self) -> frozenset[tuple[str, ...]] | None:
        """The names whose registry answer differs from the registry the ledger's entries
        were resolved with (the build state keeps it), with the seeds' long words that a
        changed surname is a near miss of (people resolves those by rapidfuzz)."""
        known = self.state.fact("people")
        if not isinstance(known, tuple) or known[0] != self.ledger_people:
            return None
        changed = self.knowledge.changed_keys(known[1])
        surnames = [key[0] for key in changed or () if len(key) == 1]
        if not surnames:
            return changed
        from rapidfuzz import fuzz, process

        words = {w for _, keys in self.names.load().values() for w in keys if len(w) >= 8}
        near = {
            (hit[0],)
            for word in surnames
            for hit in process.extract(word, words, scorer=fuzz.ratio, score_cutoff=90, limit=None)
        }
        return changed | near  # type: ignore[operator]

    def _follow(self, name: str, rec: Record) -> Record:
        """The record of a seed whose entry is not where the ledger says: if an entry naming
        this seed was moved or renamed by hand, the ledger follows it there (and it stays
        there); else it was deleted by hand, and the record is as it was."""
        if self._by_seed is None:
            self._by_seed = self._entries_by_seed()
        found = [rel for rel in self._by_seed.get(name, []) if rel != rec.entry]
        if len(found) != 1:
            return rec
        moved = replace(rec, entry=found[0], moved=True)
        self.log.info(
            f"content/{found[0]}: moved by hand from content/{rec.entry}; the ledger follows it"
        )
        self.ledger[name] = moved
        return moved

    def _entries_by_seed(self) -> dict[str, list[str]]:
        """{seed: entries naming it}, read only when an entry has gone missing (rare)."""
        out: dict[str, list[str]] = {}
        for rel in list_entries(self.paths.content):
            try:
                data = (self.paths.content / rel).read_bytes()
                seed = parse(data.decode("utf-8")).meta.get("seed") if b"\nseed:" in data else None
            except (OSError, UnicodeDecodeError, EntryError):
                continue
            if isinstance(seed, str):
                out.setdefault(seed, []).append(rel)
        return out

    def _cache_key(self, sha: str, boilerplate: frozenset[str], hints: Hints = Hints()) -> str:
        """The clean result's key: the bytes, the code, the lines shared with other pages,
        and what a file holding the page says of it (its address, date and title)."""
        extra = (
            "-" + hashlib.sha256("\n".join(sorted(boilerplate)).encode()).hexdigest()[:8]
            if boilerplate
            else ""
        )
        if hints != Hints():
            extra += "-" + hashlib.sha256(repr(hints).encode()).hexdigest()[:8]
        return f"{sha}-{code_digest()}{extra}"

    def _apply(self, result: SeedResult) -> None:
        name, sha = result.name, result.sha256
        if result.packed is not None:
            self.cache.put(self.cache_keys[name], None, result.packed)
        if result.detected is not None:
            self.detected.put(self.cache_keys[name], None, result.detected)
        old = self.ledger.get(name)
        if old is not None and old.same_as is not None:  # it decides again, below
            self._not_a_duplicate(name, old.same_as)
        if isinstance(result.entry, Skip):
            self._skip(name, sha, old, result.entry.reason)
            return
        mine = profile(front_matter(result.entry), "", result.signatures)
        near = self._neighbours(result.entry.date, name, old)
        primary = self._same_article(mine, near)
        if primary is not None:
            self._duplicate(name, sha, old, primary)
            return
        for note in result.notes:
            self.log.warn(f"seeds/{name}", note)
        entry, rel, data = self._made(result.entry, old, self._story(mine, near))
        digest = sha256(data)
        target = self.paths.content / rel
        if not self.guard.allows(target):
            self.log.warn(
                f"content/{rel.rsplit('/', 1)[0]}",
                "a symbolic link out of content/; "
                f"the entry of seeds/{name} is not written through it",
            )
            return
        self.names.put(name, (sha, result.names))
        record = Record(
            sha,
            self.knowledge.base,
            rel,
            digest,
            moved=bool(old and old.moved and old.entry == rel),
            notes="\n".join(result.notes) or None,
        )
        if self.hashes.sha(target) != digest:
            self._note(name, record, old)
            try:  # compare-and-swap: only over the bytes the ledger says the tool wrote
                write_atomic(
                    target, data, expect=old.entry_sha256 if old and old.entry == rel else None
                )
            except Changed:
                self._edited_meanwhile(name, sha, old, rel)
                return
            except PermissionError as exc:  # one folder we may not write: that entry, not the build
                self.log.warn(
                    f"content/{rel}",
                    f"cannot be written ({exc.strerror}); the entry of "
                    f"seeds/{name} is left as it was",
                )
                return
            self.hashes.sha(target, data)
            self.report.touched.append(rel)
        if old and old.entry and old.entry != rel:
            self._drop_entry(name, old, record)
        self._index(rel, digest, replace(mine, story=entry.story))
        self.ledger[name] = record
        self.listed[name] = entry.duplicate_seeds
        self.report.generated.append(rel)
        self.report.made[rel] = meta_of(entry, rel, Path(rel).stem, digest)

    def _made(
        self, entry: Entry, old: Record | None, story: str | None
    ) -> tuple[Entry, str, bytes]:
        """(the entry as written, its path in content/, its bytes): its duplicate seeds as
        the ledger has them, and its story (its own, named by its file, when it joins none).
        A distinct, deterministic slug on a collision; a file that already holds exactly
        these bytes is this entry (a lost or reset ledger must not duplicate every entry
        under a suffixed name)."""
        entry = replace(entry, duplicate_seeds=tuple(sorted(self._dup_index().get(entry.seed, ()))))
        rel, owner = self._slot(entry, old)
        made = replace(entry, story=story or _stem(rel))
        data = to_markdown(made).encode("utf-8")
        if owner is None:
            return made, rel, data
        if self.hashes.sha(self.paths.content / owner) == sha256(data):
            return made, owner, data
        base = _stem(rel)
        suffix = hashlib.sha256(entry.seed.encode()).hexdigest()[:6]
        self.log.warn(
            f"seeds/{entry.seed}",
            f"its slug '{base}' is taken by content/{owner}; written as '{base}-{suffix}'",
        )
        rel = f"{entry.week}/{base}-{suffix}.md"
        made = replace(entry, story=story or f"{base}-{suffix}")
        return made, rel, to_markdown(made).encode("utf-8")

    def _drop_entry(self, name: str, old: Record, record: Record | None) -> None:
        """The seed's earlier entry goes (moved to another name, or its article is now
        another seed's entry), if it is as the tool wrote it."""
        rel = old.entry or ""
        if file_sha256(self.paths.content / rel) != old.entry_sha256:
            return
        if record is None:
            self.journal.note(json.dumps({"seed": name, "entry": rel, "gone": True}))
        else:
            self._note(name, record, old)
        remove(self.paths.content / rel, self.paths.content)
        self.report.touched.append(rel)
        self.stems.pop(Path(rel).stem, None)
        self._unindex(rel)

    def _duplicate(self, name: str, sha: str, old: Record | None, primary: str) -> None:
        """A seed holding the article another seed's entry holds: no entry of its own; the
        other entry lists it in `duplicate_seeds`."""
        self.log.info(
            f"seeds/{name}: the same article as seeds/{primary} "
            f"(content/{self.ledger[primary].entry}); listed there as a duplicate seed"
        )
        if old is not None and old.entry and old.same_as is None:
            self._drop_entry(name, old, None)
        self.ledger[name] = Record(sha, self.knowledge.base, same_as=primary)
        self.names.delete(name)
        self._dup_index().setdefault(primary, set()).add(name)
        self.regroup.add(primary)

    # -- stories: which entries near in time hold the same article or report the same event

    def _index(self, rel: str, digest: str, known: Profile) -> None:
        self.stems[Path(rel).stem] = rel
        self._profiled[rel] = known
        self.profiles.put(digest, known)
        self._week_index().setdefault(rel.split("/", 1)[0], set()).add(rel)

    def _unindex(self, rel: str) -> None:
        self._profiled.pop(rel, None)
        self._week_index().get(rel.split("/", 1)[0], set()).discard(rel)

    def _week_index(self) -> dict[str, set[str]]:
        if self._weeks is None:
            self._weeks = {}
            for rel in self.stems.values():
                self._weeks.setdefault(rel.split("/", 1)[0], set()).add(rel)
        return self._weeks

    def _not_a_duplicate(self, name: str, primary: str) -> None:
        """`name` no longer counts as a duplicate of `primary`, whose entry's list is stale."""
        self._dup_index().get(primary, set()).discard(name)
        self.regroup.add(primary)

    def _dup_index(self) -> dict[str, set[str]]:
        if self._dups is None:
            self._dups = {}
            for name, rec in self.ledger.items():
                if rec.same_as is not None:
                    self._dups.setdefault(rec.same_as, set()).add(name)
        return self._dups

    def _neighbours(self, day: dt.date, name: str, old: Record | None) -> list[tuple[str, Profile]]:
        """The entries in the weeks an entry of `day` may share a story with, but this seed's
        own (its earlier entry, or one naming it)."""
        own = old.entry if old is not None else None
        index, out = self._week_index(), []
        for week in neighbour_weeks(day):
            for rel in sorted(index.get(week, ())):
                known = self._profile(rel) if rel != own else None
                if known is not None and known.seed != name:
                    out.append((rel, known))
        return out

    def _profile(self, rel: str) -> Profile | None:
        """An entry's profile: from this sync, from the build state by the entry's hash, or
        read from the file (a pure function of its bytes, so every build decides alike)."""
        known = self._profiled.get(rel)
        if known is not None:
            return known
        path = self.content_dir + rel
        sha = self.hashes.sha(path, known=self.entry_stamps.get(rel))
        known = self.profiles.get(sha) if sha else None
        if known is None and sha:
            try:
                parsed = parse(Path(path).read_bytes().decode("utf-8"))
            except (OSError, UnicodeDecodeError, EntryError):
                return None
            known = profile(parsed.meta, parsed.body)
            self.profiles.put(sha, known)
        if known is not None:
            self._profiled[rel] = known
        return known

    def _same_article(self, mine: Profile, near: list[tuple[str, Profile]]) -> str | None:
        """The seed whose entry holds this article already, if one does: not an entry made
        by hand or moved, whose seed is no primary."""
        primaries = [
            (rel, other)
            for rel, other in near
            if (rec := self.ledger.get(other.seed or "")) is not None
            and rec.entry == rel
            and rec.same_as is None
        ]
        best = _closest(mine, primaries, same_article, "shingles")
        return best[1].seed if best else None

    def _story(self, mine: Profile, near: list[tuple[str, Profile]]) -> str | None:
        """The story of the entry nearby that reports the same event, if one does (the
        closest in words); None: a story of its own."""
        best = _closest(mine, near, same_event, "words")
        return (best[1].story or _stem(best[0])) if best else None

    def _edited_meanwhile(self, name: str, sha: str, old: Record | None, rel: str) -> None:
        """The entry was saved by someone after this build planned to rewrite it: theirs."""
        self.log.warn(
            f"content/{rel}",
            f"edited by hand while the build ran; kept as is although its seed "
            f"seeds/{name} changed",
        )
        if old is not None and old.entry == rel:
            self.ledger[name] = replace(old, seed_sha256=sha)
            self.report.kept_edits.append(rel)

    def _note(self, name: str, record: Record, old: Record | None) -> None:
        """Journal the record before its entry is written: a sync killed after the write and
        before the ledger is saved is finished by the next one (`_recover`)."""
        note = {
            "seed": name,
            "entry": record.entry,
            "sha": record.entry_sha256,
            "moved": record.moved,
            "seed_sha256": record.seed_sha256,
            "generator": record.generator,
            "notes": record.notes,
        }
        if old is not None and old.entry:
            note.update(old=old.entry, old_sha=old.entry_sha256)
        self.journal.note(json.dumps(note, ensure_ascii=False))

    def _skip(self, name: str, sha: str, old: Record | None, reason: str) -> None:
        self.log.warn(f"seeds/{name}", reason)
        if old and old.entry and (self.paths.content / old.entry).exists():
            self.log.warn(f"seeds/{name}", f"kept its earlier entry content/{old.entry}")
            self.ledger[name] = Record(sha, old.generator, old.entry, old.entry_sha256)
            return
        self.ledger[name] = Record(sha, self.knowledge.base, skipped=reason)

    def _slot(self, entry: Entry, old: Record | None) -> tuple[str, str | None]:
        """(content/<week>/<slug>.md the entry asks for, the entry already there under that
        name when it is not this seed's)."""
        if old is not None and old.moved and old.entry:
            return old.entry, None
        base = make_slug(entry.title)
        owner = self.stems.get(base)
        if owner is None or (old is not None and old.entry == owner):
            return f"{entry.week}/{base}.md", None
        return f"{entry.week}/{base}.md", owner

    def _retire(self, present: set[str]) -> None:
        """Seeds that are gone: their generated entries go too; edited entries stay. A build
        that would retire more than half of the entries at once (an emptied or mistyped
        seeds folder) retires none without --prune: it warns and keeps their records."""
        gone = sorted(
            name
            for name in set(self.ledger) - present - self.unread
            if not any(name.startswith(folder) for folder in self.unlisted)
        )
        doomed = [name for name in gone if self._pristine(name)]
        made = sum(1 for rec in self.ledger.values() if rec.entry)
        if doomed and not self.prune and len(doomed) > made / 2:
            self.log.warn(
                "seeds/",
                f"the seeds of {len(doomed)} of {made} entries are gone (an empty or "
                "mistyped seeds folder?); nothing retired: run with --prune to retire them",
            )
            return
        for name in gone:
            rec = self.ledger.pop(name)
            self.names.delete(name)
            if rec.same_as is not None:  # a duplicate: its article's entry lists one seed less
                self._not_a_duplicate(name, rec.same_as)
                continue
            if not rec.entry:
                continue
            path = self.paths.content / rec.entry
            current = self.hashes.sha(path)
            if current is None:
                rec = self._follow(name, rec)
                current = self.hashes.sha(self.paths.content / rec.entry) if rec.moved else None
                path = self.paths.content / rec.entry
                self.ledger.pop(name, None)
            if current is None:
                continue
            if current == rec.entry_sha256 and self.guard.allows(path):
                self.journal.note(
                    json.dumps({"seed": name, "entry": rec.entry, "gone": True}, ensure_ascii=False)
                )
                remove(path, self.paths.content)
                self.report.removed.append(rec.entry)
                self.report.touched.append(rec.entry)
                self.stems.pop(Path(rec.entry).stem, None)
                self._unindex(rec.entry)
            else:
                self.log.warn(
                    f"content/{rec.entry}",
                    f"its seed seeds/{name} is gone; kept because it was edited by hand",
                )

    def _pristine(self, name: str) -> bool:
        """The entry of this seed is on disk as the tool wrote it (retiring would delete it)."""
        rec = self.ledger[name]
        return (
            bool(rec.entry)
            and self.hashes.sha(self.paths.content / (rec.entry or "")) == rec.entry_sha256
        )

    def _save(self) -> None:
        same_people = self.ledger_people == self.knowledge.people
        if self.ledger == self.loaded and same_people and (self.paths.content / LEDGER).exists():
            return  # nothing changed: no need to serialise 10,000 records
        path = self.paths.content / LEDGER
        if self.ledger or path.exists():
            self.paths.content.mkdir(parents=True, exist_ok=True)
            # names its temp file, if killed mid-write
            self.journal.note(json.dumps({"entry": LEDGER}))
            head = {"people": self.knowledge.people, "version": 2}
            lines = [_line(name, rec) for name, rec in sorted(self.ledger.items())]
            write_atomic(path, json_rows(head, "seeds", lines))
            self.report.ledger_written = True
            self.report.touched.append(LEDGER)
            _LEDGERS[str(path)] = (file_stamp(path), self.knowledge.people, dict(self.ledger))


def _stem(rel: str) -> str:
    """An entry's file name without folder or '.md' (its slug, and its own story id)."""
    return rel.rsplit("/", 1)[-1][:-3]


def _closest(
    mine: Profile, near: list[tuple[str, Profile]], test, signature: str
) -> tuple[str, Profile] | None:
    """The (entry, profile) nearby that passes `test` with `mine` and shares the most of
    the named signature; the first such in `near`'s order on a tie."""
    best: tuple[float, str, Profile] | None = None
    for rel, other in near:
        if test(mine, other):
            score = jaccard(getattr(mine, signature), getattr(other, signature))
            if best is None or score > best[0]:
                best = (score, rel, other)
    return (best[1], best[2]) if best else None


_FIELDS = tuple(Record.__dataclass_fields__)
# ledger path -> (its stamp, people digest, records) as this process last read or wrote it
_LEDGERS: dict[str, tuple] = {}


_LINES: dict[str, tuple[Record, str]] = {}  # seed -> (its record, its ledger line)


def _line(name: str, rec: Record) -> str:
    """One seed's line of the ledger, made again only for a record that is not the one it
    was made from (a resident process keeps its records between builds: most are)."""
    known = _LINES.get(name)
    if known is not None and known[0] is rec:
        return known[1]
    line = json_row(name, _fields(rec))
    _LINES[name] = (rec, line)
    return line


def _fields(rec: Record) -> dict:
    """A record as the ledger writes it: only the fields that say something (asdict, which
    deep-copies, cost a second per 10,000 records)."""
    values = (getattr(rec, f) for f in _FIELDS)
    return {f: v for f, v in zip(_FIELDS, values) if v is not None and v is not False}


def sync(
    paths: Paths,
    knowledge: Knowledge,
    log: Log,
    state: State,
    jobs: int = 1,
    executor: str = "process",
    prune: bool = False,
    stamps: tuple[dict, dict] = ({}, {}),
) -> SyncReport:
    """`stamps`: the stat check's stamps of seeds/ and content/, taken at the build's start."""
    return _Sync(paths, knowledge, log, state, prune, stamps).run(jobs, executor)
