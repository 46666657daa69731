"""Read: content/*.md -> EntryMeta (front matter only), people in the registry's spelling.

An entry whose stat is as the last build saw it is not even opened; one whose bytes hash as
last time is not parsed (the build state's `entries` table holds its front matter, and any
warning about it). A bad entry is one warning and stays out of the site; it is never touched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
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
from .textutil import printable_name, slug as make_slug


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
    state: State,
    made: dict[str, EntryMeta] | None = None,
) -> Entries:
    """Every entry in content/, people mapped to the registry's spelling; bad ones warned.

    `snapshot` is the stat of content/ taken before anything read it. An entry whose stat is
    as last time (and which was not racy then) is not read; one whose bytes hash as last
    time is not parsed: its front matter, and any warning about it, come from a cache. A
    file sync has just written is not parsed either: `made` holds what it says.
    """
    made = made or {}
    cache = state.table("entries", code_digest())
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
