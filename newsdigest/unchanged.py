"""Proof from stat() alone that nothing changed since the last build (git's index trick).

Without it a no-change rebuild of 10,000 articles imports the whole tool, loads the ledger,
the hash cache and the manifest and looks every file up in them: well over a second. Here
one os.scandir pass over the inputs and one stat per output decide it in tens of
milliseconds, before the rest of the tool is even imported.

This is not "dirty by mtime": every input's full stat (path, mtime, size, inode, ctime) is
compared with what the last build saw, and any difference at all, or a new or missing
file, another setting or another version of the tool, sends the build down the normal
path, which decides by content hash what really changed. Files modified so close to the
snapshot that a second write could share their timestamp ("racy", as git calls them) are
confirmed by hash. The last build's warnings are replayed, so --strict still fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass

from . import code_digest
from .config import Config, Paths
from .log import Log
from .model import BuildSummary
from .store import read_json, write_json

STATE = "unchanged.json"
RACY_NS = 200_000_000  # timestamps this close to the snapshot are confirmed by content hash


@dataclass(frozen=True)
class Snapshot:
    """The stat of every input at one moment, before the build read any of them."""

    digest: str
    racy: tuple[tuple[str, str | None], ...]  # (file, sha256) of files modified within RACY_NS


Stat = tuple[str, int, int, int, int]  # path, mtime_ns, size, inode, ctime_ns


def _stat(rel: str, st: os.stat_result) -> Stat:
    return rel, st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns


def _scan(folder: str, prefix: str, out: list[Stat]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=True):
                _scan(entry.path, prefix + entry.name + "/", out)
            else:
                out.append(_stat(prefix + entry.name, entry.stat(follow_symlinks=True)))
        except OSError:
            continue


def _stats(paths: Paths, part: str) -> list[Stat]:
    out: list[Stat] = []
    if part == "content":
        _scan(str(paths.content), "content/", out)
        return out
    for name in ("seeds", "templates"):
        _scan(str(getattr(paths, name)), name + "/", out)
    for file in (paths.pyproject, paths.people_overrides, paths.outlet_overrides):
        try:
            out.append(_stat(file.name, os.stat(file)))
        except OSError:
            out.append((file.name + " (absent)", 0, 0, 0, 0))
    return out


def take(paths: Paths, config: Config, part: str, confirm: bool = True) -> Snapshot:
    """`part` is "sources" (seeds, templates, settings, registries) or "content": content/
    is taken after sync has written it and before anything reads it. `confirm`: hash the
    racy files now, before the build reads them, so a later same-timestamp write shows."""
    now = time.time_ns()
    digest = hashlib.sha256(json.dumps([code_digest(), asdict(config), part, str(paths.root), str(paths.seeds),
                                        str(paths.content), str(paths.site), str(paths.templates)]).encode())
    racy: list[tuple[str, str | None]] = []
    for rel, mtime, size, inode, ctime in sorted(_stats(paths, part)):
        digest.update(f"{rel}\0{mtime}\0{size}\0{inode}\0{ctime}\n".encode())
        if confirm and (now - mtime < RACY_NS or now - ctime < RACY_NS):
            racy.append((rel, _hash_file(_file(paths, rel))))
    return Snapshot(digest.hexdigest(), tuple(racy))


def _file(paths: Paths, rel: str) -> str:
    top, _, rest = rel.partition("/")
    folder = {"seeds": paths.seeds, "templates": paths.templates, "content": paths.content}.get(top)
    return os.path.join(folder, rest) if folder is not None and rest else os.path.join(paths.root, rel)


def _hash_file(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _outputs_digest(paths: Paths, outputs: list[str]) -> str | None:
    digest = hashlib.sha256()
    site = str(paths.site) + os.sep
    for rel in outputs:
        try:
            st = os.stat(site + rel)
        except OSError:
            return None
        digest.update(f"{rel}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Record:
    """What a build that finished leaves for the next one to compare against."""

    sources: Snapshot
    content: Snapshot
    outputs: list[str]
    summary: dict  # the counts of the last build's summary line
    warnings: list[tuple[str, str]]


def save(paths: Paths, record: Record) -> None:
    outputs = _outputs_digest(paths, record.outputs)
    if outputs is None:
        forget(paths)
        return
    racy = dict(record.sources.racy + record.content.racy)
    write_json(paths.cache / STATE, {
        "sources": record.sources.digest, "content": record.content.digest, "racy": racy,
        "outputs": record.outputs, "outputs_digest": outputs, "summary": record.summary,
        "warnings": record.warnings}, pretty=False)


def forget(paths: Paths) -> None:
    try:
        os.unlink(paths.cache / STATE)
    except OSError:
        pass


def check(paths: Paths, config: Config) -> dict | None:
    """The last build's record if nothing changed since it, else None (build normally)."""
    state = read_json(paths.cache / STATE, None)
    if not isinstance(state, dict):
        return None
    for part in ("sources", "content"):
        if take(paths, config, part, confirm=False).digest != state.get(part):
            return None
    for rel, sha in (state.get("racy") or {}).items():
        if sha is None or _hash_file(_file(paths, rel)) != sha:
            return None
    if _outputs_digest(paths, state.get("outputs") or []) != state.get("outputs_digest"):
        return None
    return state


def replay(state: dict, log: Log, started: float) -> BuildSummary:
    """The summary of a build that had nothing to do, with the last build's warnings again."""
    for file, message in state.get("warnings") or []:
        log.warn(file, message)
    log.info("site/ is up to date: no seed, entry, template, registry or setting changed (stat check)")
    counts = state.get("summary") or {}
    return BuildSummary(counts.get("entries", 0), counts.get("people", 0), 0, 0, counts.get("files", 0), 0,
                        len(log.warnings), time.perf_counter() - started, dict(log.seconds))
