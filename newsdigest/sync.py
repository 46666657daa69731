"""seeds/ -> content/: make, refresh and retire entries, never touching what a person wrote.

The ledger (content/.newsdigest-ledger.json, committed with the entries) records, per seed,
the entry made from it and the hash of the bytes the tool wrote. An entry whose bytes differ
from that hash was edited by hand and is never overwritten or deleted. An entry deleted by
hand stays deleted while its seed's bytes stay the same. The ledger lives in content/ rather
than in a cache so that a fresh clone still knows which entries are pristine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .config import LEDGER, Paths
from .entries import meta_of, to_markdown
from .ingest import sha256
from .log import Log
from .model import Entry, Skip, SyncReport
from .store import BlobCache, FileHashes, read_json, remove, walk_files, write_atomic, write_json
from .textutil import slug as make_slug
from . import code_digest
from .clean.boilerplate import CHUNK
from .knowledge import Knowledge
from .workers import SeedResult, SeedTask, mapper, with_boilerplate


@dataclass(frozen=True)
class Record:
    seed_sha256: str
    generator: str
    entry: str | None = None  # path relative to content/; None when the seed was skipped
    entry_sha256: str | None = None
    skipped: str | None = None  # the reason, re-warned on every build while it holds


def list_seeds(seeds: Path) -> list[str]:
    return walk_files(seeds)


def list_entries(content: Path) -> list[str]:
    return walk_files(content, ".md")


class _Sync:
    """One pass of seeds -> content. Holds the ledger while it is being updated."""

    def __init__(self, paths: Paths, knowledge: Knowledge, log: Log, hashes: FileHashes) -> None:
        self.paths, self.knowledge, self.log, self.hashes = paths, knowledge, log, hashes
        raw = read_json(paths.content / LEDGER, {}).get("seeds", {})
        self.ledger: dict[str, Record] = {}
        for name, rec in raw.items():
            try:
                self.ledger[name] = Record(**rec)
            except TypeError:
                continue
        self.stems = {rel.rsplit("/", 1)[-1][:-3]: rel for rel in list_entries(paths.content)}
        self.loaded = dict(self.ledger)
        self.report = SyncReport()
        self.cache_keys: dict[str, str] = {}
        self.cache = BlobCache(paths.cache / "clean.sqlite")

    def run(self, jobs: int, executor: str) -> SyncReport:
        """Plan, process and apply seeds a chunk at a time: memory holds at most two chunks'
        bytes, never the archive's. The next chunk is planned (read, hashed, its shared lines
        found) while the pool still works on the last one, so no core waits on the planning.
        One executor serves every chunk."""
        with self.log.stage("scan"):
            seeds = list_seeds(self.paths.seeds)
        with mapper(self.knowledge, jobs, executor) as run:
            in_flight: tuple[Iterable[SeedResult], int] | None = None
            for start in range(0, len(seeds), CHUNK):
                tasks = self._tasks(seeds[start : start + CHUNK])
                if in_flight is not None:  # the pool works on the last chunk while this one was planned
                    self._collect(*in_flight)
                in_flight = (run(tasks), len(tasks))
                del tasks
            if in_flight is not None:
                self._collect(*in_flight)
        with self.log.stage("entries"):
            self._retire(set(seeds))
            self._save()
            self.cache.close()
        return self.report

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

    def _plan(self, name: str) -> SeedTask | None:
        """What to do with one seed; None when nothing needs doing."""
        path = self.paths.seeds / name
        rec = self.ledger.get(name)
        if rec is not None:  # known seed: hash from the stat cache, read only if it changed
            sha = self.hashes.sha(path)
            if sha is not None and self._settled(name, rec, sha):
                return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.log.warn(f"seeds/{name}", f"cannot be read ({exc.strerror or exc}); skipped")
            return None
        return SeedTask(name, self.hashes.sha(path, data) or sha256(data), data, None)

    def _from_cache(self, task: SeedTask) -> SeedTask:
        """A seed cleaned before with the same bytes, code and boilerplate skips cleaning."""
        key = self._cache_key(task.sha256, task.boilerplate)
        self.cache_keys[task.name] = key
        cached = self.cache.get(key)
        return task if cached is None else replace(task, data=None, raw=None, cached=cached)

    def _settled(self, name: str, rec: Record, sha: str) -> bool:
        """True when the seed's entry needs no work (up to date, edited, or deleted by hand)."""
        same_seed = rec.seed_sha256 == sha
        if rec.skipped is not None:
            if same_seed and rec.generator == self.knowledge.digest:
                self.log.warn(f"seeds/{name}", rec.skipped)
                return True
            return False
        entry = self.paths.content / (rec.entry or "")
        current = self.hashes.sha(entry) if rec.entry else None
        if current is None:
            if same_seed:
                self.log.info(f"content/{rec.entry}: deleted by hand; not regenerated from seeds/{name}")
            return same_seed
        if current != rec.entry_sha256:
            if not same_seed:
                self.log.warn(f"content/{rec.entry}", f"edited by hand since it was generated; kept as is "
                              f"although its seed seeds/{name} changed")
                self.ledger[name] = Record(sha, rec.generator, rec.entry, rec.entry_sha256)
            self.report.kept_edits.append(rec.entry or "")
            return True
        return same_seed and rec.generator == self.knowledge.digest

    def _cache_key(self, sha: str, boilerplate: frozenset[str]) -> str:
        extra = "-" + hashlib.sha256("\n".join(sorted(boilerplate)).encode()).hexdigest()[:8] if boilerplate else ""
        return f"{sha}-{code_digest()}{extra}"

    def _apply(self, result: SeedResult) -> None:
        name, sha = result.name, result.sha256
        if result.packed is not None:
            self.cache.put(self.cache_keys[name], result.packed)
        old = self.ledger.get(name)
        if isinstance(result.entry, Skip):
            self._skip(name, sha, old, result.entry.reason)
            return
        data = to_markdown(result.entry).encode("utf-8")
        digest = sha256(data)
        rel = self._place(result.entry, old, digest)
        target = self.paths.content / rel
        if self.hashes.sha(target) != digest:
            write_atomic(target, data)
            self.hashes.sha(target, data)
        if old and old.entry and old.entry != rel and self.hashes.sha(self.paths.content / old.entry) == old.entry_sha256:
            remove(self.paths.content / old.entry, self.paths.content)
            self.stems.pop(Path(old.entry).stem, None)
        self.stems[Path(rel).stem] = rel
        self.ledger[name] = Record(sha, self.knowledge.digest, rel, digest)
        self.report.generated.append(rel)
        self.report.made[rel] = meta_of(result.entry, rel, Path(rel).stem, digest)

    def _skip(self, name: str, sha: str, old: Record | None, reason: str) -> None:
        self.log.warn(f"seeds/{name}", reason)
        if old and old.entry and (self.paths.content / old.entry).exists():
            self.log.warn(f"seeds/{name}", f"kept its earlier entry content/{old.entry}")
            self.ledger[name] = Record(sha, old.generator, old.entry, old.entry_sha256)
            return
        self.ledger[name] = Record(sha, self.knowledge.digest, skipped=reason)

    def _place(self, entry: Entry, old: Record | None, digest: str) -> str:
        """content/<week>/<slug>.md, with a distinct, deterministic slug on a collision. A
        file that already holds exactly these bytes is this entry (a lost or reset ledger
        must not duplicate every entry under a suffixed name)."""
        base = make_slug(entry.title)
        rel = f"{entry.week}/{base}.md"
        owner = self.stems.get(base)
        if owner is None or (old is not None and old.entry == owner):
            return rel
        if self.hashes.sha(self.paths.content / owner) == digest:
            return owner
        suffix = hashlib.sha256(entry.seed.encode()).hexdigest()[:6]
        self.log.warn(f"seeds/{entry.seed}", f"its slug '{base}' is taken by content/{owner}; "
                      f"written as '{base}-{suffix}'")
        return f"{entry.week}/{base}-{suffix}.md"

    def _retire(self, present: set[str]) -> None:
        """Seeds that are gone: their generated entries go too; edited entries stay."""
        for name in sorted(set(self.ledger) - present):
            rec = self.ledger.pop(name)
            if not rec.entry:
                continue
            path = self.paths.content / rec.entry
            current = self.hashes.sha(path)
            if current is None:
                continue
            if current == rec.entry_sha256:
                remove(path, self.paths.content)
                self.report.removed.append(rec.entry)
            else:
                self.log.warn(f"content/{rec.entry}", f"its seed seeds/{name} is gone; kept because it "
                              "was edited by hand")

    def _save(self) -> None:
        if self.ledger == self.loaded and (self.paths.content / LEDGER).exists():
            return  # nothing changed: no need to serialise 10,000 records
        records = {name: {k: v for k, v in asdict(rec).items() if v is not None}
                   for name, rec in sorted(self.ledger.items())}
        if records or (self.paths.content / LEDGER).exists():
            self.paths.content.mkdir(parents=True, exist_ok=True)
            write_json(self.paths.content / LEDGER, {"version": 1, "seeds": records})
            self.report.ledger_written = True


def sync(paths: Paths, knowledge: Knowledge, log: Log, hashes: FileHashes, jobs: int = 1,
         executor: str = "process") -> SyncReport:
    return _Sync(paths, knowledge, log, hashes).run(jobs, executor)
