"""Read: content/*.md -> EntryMeta (front matter only), people in the registry's spelling.

An entry whose stat is as the last build saw it is not even opened; one whose bytes hash as
last time is not parsed (the build state's `entries` table holds its front matter, and any
warning about it). A bad entry is one warning and stays out of the site; it is never touched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import code_digest, unchanged
from .config import Paths
from .entries import EntryError, notes, parse, to_meta
from .ingest import sha256
from .log import Log
from .model import EntryMeta
from .people import Registry
from .state import State
from .store import OUTSIDE, UNREADABLE, file_sha256
from .textutil import printable_name
from .textutil import slug as make_slug


def _is_entry(rel: str) -> bool:
    return rel.endswith(".md") and not any(part.startswith(".") for part in rel.split("/"))


@dataclass(frozen=True)
class Entries:
    metas: list[EntryMeta]
    earlier: dict[str, EntryMeta | None]  # entries whose bytes changed: their last front matter


@dataclass
class _Read:
    """What the last read of one content/ folder found, kept by a resident process (--watch):
    the next read re-reads only the entries whose stamp differs, instead of walking 10,000."""

    stamps: dict  # the snapshot it was made from
    registry: str  # the people digest the names were mapped with
    rows: dict[str, tuple]  # the entries table's rows
    metas: dict[str, EntryMeta]  # by content/ path, people in the registry's spelling
    said: dict[str, list[tuple[str, str]]]  # the warnings each entry gave
    slugs: dict[str, str]  # page slug -> the entry that has it
    collided: set[str] = field(default_factory=set)  # page slugs two entries asked for


_LAST: dict[str, _Read] = {}
_PATCH_BELOW = 500  # more changed entries than this: read afresh (as fast, and simpler)


def read_entries(
    paths: Paths,
    registry: Registry,
    log: Log,
    snapshot: unchanged.Snapshot,
    state: State,
    made: dict[str, EntryMeta] | None = None,
    people: str = "",
) -> Entries:
    """Every entry in content/, people mapped to the registry's spelling; bad ones warned.

    `snapshot` is the stat of content/ taken before anything read it. An entry whose stat is
    as last time (and which was not racy then) is not read; one whose bytes hash as last
    time is not parsed: its front matter, and any warning about it, come from a cache. A
    file sync has just written is not parsed either: `made` holds what it says. `people`:
    the registry's digest (a resident process reuses its last read while it holds).
    """
    made = made or {}
    cache = state.table("entries", code_digest())
    last = _LAST.get(str(paths.content))
    if last is not None and last.rows is cache.load():
        patched = _patch(paths, registry, log, snapshot, last, made, people)
        if patched is not None:
            cache.save(last.rows)
            return patched
    read = _Read(dict(snapshot.stamps), people, {}, {}, {}, {})
    old: dict[str, tuple] = cache.load()
    earlier: dict[str, EntryMeta | None] = {}
    for rel in sorted(r for r, st in snapshot.stamps.items() if st == UNREADABLE):
        log.warn(
            f"content/{printable_name(rel.removeprefix('./'))}",
            "cannot be read; its entries are left out of the site this time (nothing is deleted)",
        )
    racy = dict(snapshot.racy)
    for rel in sorted(r for r in snapshot.stamps if _is_entry(r)):
        _read_one(paths, registry, snapshot, rel, old, racy, made, read, earlier)
        for file, message in read.said.get(rel, ()):
            log.warn(file, message)
    earlier.update({rel: old[rel][2] for rel in old.keys() - read.rows.keys()})
    cache.save(read.rows)
    _LAST[str(paths.content)] = read
    return Entries(list(read.metas.values()), earlier)


def _read_one(
    paths: Paths,
    registry: Registry,
    snapshot: unchanged.Snapshot,
    rel: str,
    old: dict[str, tuple],
    racy: dict[str, str | None],
    made: dict[str, EntryMeta],
    read: _Read,
    earlier: dict[str, EntryMeta | None],
) -> None:
    """One entry: its row (from the cache when its stamp and bytes say so), its meta, and
    what it warns of."""
    stamp, cached = snapshot.stamps[rel], old.get(rel)
    said: list[tuple[str, str]] = []
    if stamp == OUTSIDE:
        said.append(
            (
                f"content/{printable_name(rel)}",
                "a symbolic link to a file outside content/; left out of the site (not read)",
            )
        )
    else:
        if cached is None or cached[0] != stamp or rel in racy:
            sha = racy.get(rel) or file_sha256(os.path.join(paths.content, rel))
            if cached is None or cached[1] != sha:
                earlier[rel] = cached[2] if cached else None
            if cached is not None and cached[1] == sha:
                cached = (stamp, *cached[1:])
            elif rel in made and made[rel].sha256 == sha:
                cached = (stamp, sha, made[rel], None, None)
            else:
                cached = (stamp, sha, *_parse_entry(paths, rel, sha))
        read.rows[rel] = cached
        meta = _checked(rel, cached, said, read.slugs)
        if meta is not None and meta.slug != _stem(rel):
            read.collided.add(_stem(rel))
        if meta is not None:
            people = _canonical(meta.people, registry)
            read.metas[rel] = meta if people == meta.people else replace(meta, people=people)
    if said:
        read.said[rel] = said


def _patch(
    paths: Paths,
    registry: Registry,
    log: Log,
    snapshot: unchanged.Snapshot,
    last: _Read,
    made: dict[str, EntryMeta],
    people: str,
) -> Entries | None:
    """The last read brought up to date with the entries whose stamp changed (or that are
    racy, or that sync just wrote); None when a fresh read is simpler: many changed, a
    folder could not be read, or two entries' page slugs collide (a suffix is then given
    by the order of them all)."""
    now, before = snapshot.stamps, last.stamps
    racy = dict(snapshot.racy)
    changed = {r for r in now.keys() | before.keys() if now.get(r) != before.get(r)}
    changed = {r for r in changed | racy.keys() | made.keys() if _is_entry(r)}
    if len(changed) > _PATCH_BELOW or UNREADABLE in now.values():
        return None
    for rel in changed:
        if last.slugs.get(_stem(rel), rel) != rel or _stem(rel) in last.collided:
            return None  # its page name is another entry's: a fresh read settles who gets it
    read = _Read(dict(now), last.registry, dict(last.rows), dict(last.metas), {}, dict(last.slugs))
    read.collided = last.collided
    said = {rel: lines for rel, lines in last.said.items() if rel not in changed}
    earlier: dict[str, EntryMeta | None] = {}
    for rel in sorted(changed):
        read.rows.pop(rel, None)
        read.metas.pop(rel, None)
        if read.slugs.get(_stem(rel)) == rel:
            del read.slugs[_stem(rel)]
        if rel in now:
            _read_one(paths, registry, snapshot, rel, last.rows, racy, made, read, earlier)
        elif rel in last.rows:
            earlier[rel] = last.rows[rel][2]  # removed
    said.update(read.said)
    read.said = said
    for rel in sorted(said):
        for file, message in said[rel]:
            log.warn(file, message)
    if any(rel in read.metas and read.metas[rel].slug != _stem(rel) for rel in changed):
        return None  # a changed entry's page name collides: a fresh read settles who gets it
    if last.registry != people:  # another registry: every entry's names spelt by it again
        read.registry = people
        for rel, meta in read.metas.items():
            raw = read.rows[rel][2]
            names = _canonical(raw.people, registry)
            if names != meta.people:
                read.metas[rel] = replace(raw, people=names, slug=meta.slug)
    read.metas = {r: read.metas[r] for r in sorted(read.metas)}
    _LAST[str(paths.content)] = read
    return Entries(list(read.metas.values()), earlier)


def _stem(rel: str) -> str:
    """The page slug an entry asks for (its file name, made safe for a URL)."""
    return page_slug(rel.rsplit("/", 1)[-1][:-3])


def _checked(
    rel: str, cached: tuple, said: list[tuple[str, str]], seen: dict[str, str]
) -> EntryMeta | None:
    _, _, meta, problem, note = cached
    if problem:
        said.append((f"content/{printable_name(rel)}", problem))
        return None
    if note:
        said.append((f"content/{printable_name(rel)}", note))
    slug = _unique_slug(_stem(rel), rel, seen, said)
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


def _unique_slug(stem: str, rel: str, seen: dict[str, str], said: list[tuple[str, str]]) -> str:
    if stem not in seen:
        seen[stem] = rel
        return stem
    made = f"{stem}-{sha256(printable_name(rel).encode())[:6]}"
    said.append(
        (
            f"content/{printable_name(rel)}",
            f"same page name as content/{printable_name(seen[stem])}; its page is entries/{made}/",
        )
    )
    seen[made] = rel
    return made
