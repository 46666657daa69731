"""The full-text search index: Pagefind (from PyPI) over the entry pages, kept current cheaply.

Pagefind has no incremental mode, indexing 10,000 entries in one run takes it about 14 s,
and its memory grows with the pages it holds (about 100 KB each: 8 GB at 100,000). So the
index is kept the way a log-structured store keeps its tables, in bounded pieces:

- `site/pagefind/` is the *base*: every entry as it was when its shard was last built. It is
  split into shards (`site/pagefind/<n>/`, listed in `shards.json`) of at most about
  `search_shard_pages` entries each, so one Pagefind run never holds more than that;
  shards are indexed `jobs` at a time. An entry's shard is a hash of its page path, and
  the shard count a power of two fixed by the number of entries, so it only changes
  (re-indexing everything) when the site doubles;
- `site/pagefind-recent/` is the *delta*: only the entries added or changed since then, plus
  `replaced.json`, the entries (changed or removed) whose base records are out of date.

The search page (static/search.js) loads the first shard and merges the others into it
(Pagefind's mergeIndex), queries the delta beside it, drops base results listed in
replaced.json, and merges the rest by score. A one-entry edit re-indexes one page in a
fraction of a second; once the delta outgrows REBUILD_SHARE of the site, the shards holding
a change are rebuilt and the delta dropped. What counts as "changed" is the indexed part of
the page (the `data-pagefind-body` element), so a template edit to the chrome re-indexes
nothing.

Only entry pages are indexed (the lists would only repeat them). No filters are declared:
Pagefind writes filter files in a hash-map order that differs from run to run, and two clean
builds must be byte-identical. A failure is one warning: the site works without search.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .executors import kill_with_parent
from .log import Log
from .state import Damaged, State
from .store import BuildLock, dump_json, remove, write_atomic

BASE, RECENT = "pagefind", "pagefind-recent"
# in the base: its shard folders (the search page loads the first, merges the rest)
SHARDS = "shards.json"
BASE_STATE, RECENT_STATE = "search-base", "search-recent"  # the build state's facts
FARM = (
    "search-scratch"  # in the cache: the hard-link folders Pagefind reads (see SearchIndex._farm)
)
REBUILD_SHARE, REBUILD_MIN = 0.05, 100  # a delta larger than both rebuilds the shards it touches
ENTRY_PAGES = "entries/**/*.html"
# files whose presence says the index is there (a no-change build checks them, not all 10,000)
SEARCH_SENTINELS = [f"{BASE}/{SHARDS}", f"{RECENT}/replaced.json"]


_TAG = re.compile(rb"<(/?[\w-]*)([^>]*)>")
_ATTR = re.compile(rb"""\s([\w:-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_INDEXED = (b"id", b"alt", b"title")


def _indexed_tag(tag: re.Match) -> bytes:
    kept = [
        m.group(0).strip()
        for m in _ATTR.finditer(tag.group(2))
        if m.group(1).lower() in _INDEXED or m.group(1).lower().startswith(b"data-pagefind")
    ]
    return b"<" + b" ".join([tag.group(1), *kept]) + b">"


def search_key(rel: str, html: bytes) -> str | None:
    """A hash of what Pagefind indexes on this page (None for pages that are not indexed):
    the text of the `data-pagefind-body` element, with of each tag only the attributes
    Pagefind reads (ids for anchors, alt and title text, its own data- attributes). A
    template edit that changes classes or wrappers therefore re-indexes nothing."""
    if not (rel.startswith("entries/") and rel.endswith(".html")):
        return None
    start = html.find(b"data-pagefind-body")
    end = html.find(b"</article>", start) if start >= 0 else -1
    region = html[start:end] if end > start else html
    indexed = _TAG.sub(_indexed_tag, region)
    return hashlib.sha256(indexed).hexdigest()[:20]


def _pagefind() -> list[str]:
    """The Pagefind binary itself (0.2 s quicker per run than `python -m pagefind`)."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except Exception:  # noqa: BLE001 - any trouble finding it: let the module wrapper try
        return [sys.executable, "-m", "pagefind"]


def shard_count(pages: int, shard_pages: int) -> int:
    """The fewest shards, a power of two, holding `pages` entries at `shard_pages` each. A
    power of two, so the count (and with it every entry's shard) only changes when the site
    doubles or halves, not with every entry added."""
    count = 1
    while count * shard_pages < pages:
        count *= 2
    return count


def shard_of(rel: str, count: int) -> int:
    """An entry page's shard: a hash of its path, so shards fill evenly and an entry stays in
    its shard for as long as the count holds."""
    return int.from_bytes(hashlib.sha256(rel.encode()).digest()[:4], "big") % count


def _shards(pages: dict[str, str], count: int) -> dict[int, list[str]]:
    """{shard: its entry pages}, only the shards that hold any."""
    out: dict[int, list[str]] = {}
    for rel in sorted(pages):
        out.setdefault(shard_of(rel, count), []).append(rel)
    return out


def _no_delta() -> dict:
    """The delta when the base holds every entry as it is."""
    return {"changed": {}, "removed": []}


def own_folders(site: Path) -> list[Path]:
    """Every folder of site/ the search index owns: the base, the delta, and their staging
    and retired copies (a build killed mid-swap can leave those)."""
    names = [BASE, RECENT]
    return [site / n for n in names] + [
        site / f".{n}.{kind}" for n in names for kind in ("new", "old")
    ]


def _clear(folder: Path) -> None:
    """Remove a folder of ours; a symbolic link in its place is removed, never followed."""
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def _run_pagefind(site: Path, output: Path, background: bool) -> str | None:
    """Index the entry pages below `site` into `output`; why not, when it could not."""
    _clear(output)
    try:
        done = subprocess.run(
            [
                *_pagefind(),
                "--site",
                str(site),
                "--glob",
                ENTRY_PAGES,
                "--output-path",
                str(output),
            ],
            capture_output=True,
            text=True,
            timeout=1800,
            preexec_fn=_background if background else kill_with_parent,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["unknown error"]
        return f"pagefind: {reason[0]}"
    return None


def _background() -> None:
    kill_with_parent()
    os.nice(15)


def _swap(new: Path, target: Path) -> None:
    """Replace a folder with a freshly built one, so a reader meets the old or the new index."""
    old = target.with_name(f".{target.name}.old")
    _clear(old)
    if target.exists() or target.is_symlink():
        os.replace(target, old)
    os.replace(new, target)
    _clear(old)


def _url(rel: str) -> str:
    """entries/x/index.html -> entries/x/ (the form Pagefind gives a result's URL)."""
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


class SearchIndex:
    """The sharded base + delta pair for one site/, with its state in the cache."""

    def __init__(
        self,
        site: Path,
        cache: Path,
        log: Log,
        shard_pages: int,
        jobs: int = 1,
        background: bool = False,
        rebuild_min: int = REBUILD_MIN,
    ) -> None:
        self.site, self.cache, self.log, self.background = site, cache, log, background
        self.shard_pages, self.jobs, self.rebuild_min = shard_pages, max(1, jobs), rebuild_min
        # its own connection: under --watch the index is updated in a thread of its own
        self.state = State(cache)
        base = self.state.fact(BASE_STATE) if (site / BASE / SHARDS).exists() else None
        self.base: dict | None = base if isinstance(base, dict) and "pages" in base else None
        self.recent = self.state.fact(RECENT_STATE)

    def _record(self, **facts: object) -> None:
        """Record what the index now holds, in one transaction."""
        for name, value in facts.items():
            self.state.set_fact(name, value)
        self.state.commit()

    def update(self, pages: dict[str, str]) -> None:
        """Bring the index up to `pages` ({entry page: search_key}) as cheaply as possible."""
        linked = [f for f in own_folders(self.site) if f.is_symlink()]
        if linked:  # never index into (or delete through) a link to another folder
            self._not_built(linked[0].name, "it is a symbolic link; remove it")
            return
        for folder in own_folders(self.site)[2:]:
            _clear(folder)  # staging left by a killed build
        count = shard_count(len(pages), self.shard_pages)
        if self.base is None or self.base["shards"] != count:
            self._rebuild(pages, count, None)
            return
        base = self.base["pages"]
        changed = sorted(rel for rel, key in pages.items() if base.get(rel) != key)
        removed = sorted(set(base) - set(pages))
        if len(changed) + len(removed) > max(self.rebuild_min, REBUILD_SHARE * len(pages)):
            self._rebuild(pages, count, {shard_of(rel, count) for rel in [*changed, *removed]})
            return
        delta = {"changed": {rel: pages[rel] for rel in changed}, "removed": removed}
        if (
            delta == (self.recent or _no_delta())
            and (self.site / RECENT / "replaced.json").exists()
        ):
            return
        with self.log.stage("search"):
            self._delta(delta)

    def _rebuild(self, pages: dict[str, str], count: int, dirty: set[int] | None) -> None:
        """Re-index the `dirty` shards (None: all of them, into a new base swapped in whole);
        the delta is then empty, since every change lay in a rebuilt shard."""
        shards = _shards(pages, count)
        whole = dirty is None
        wanted = set(shards) if dirty is None else dirty
        todo = {n: rels for n, rels in shards.items() if n in wanted}
        staging = self.site / f".{BASE}.new"
        with self.log.stage("search"):
            if whole:
                self._drop_farms(
                    {_farm_name(None), *(_farm_name(n) for n in shards if len(shards) > 1)}
                )
            _clear(staging)
            staging.mkdir(parents=True)
            if not self._index_shards(todo, staging, every=len(shards) == 1):
                shutil.rmtree(staging, ignore_errors=True)
                return
            listing = dump_json({"shards": [str(n) for n in sorted(shards)]}, pretty=False)
            self._forget()  # killed from here to the end, the next build rebuilds in full
            if whole:
                write_atomic(staging / SHARDS, listing)
                _swap(staging, self.site / BASE)
            else:
                for n in sorted(wanted):
                    if n in todo:
                        _swap(staging / str(n), self.site / BASE / str(n))
                    else:  # its last entry went: the shard goes too
                        shutil.rmtree(self.site / BASE / str(n), ignore_errors=True)
                write_atomic(self.site / BASE / SHARDS, listing)
                shutil.rmtree(staging, ignore_errors=True)
            self._write_recent(_no_delta())
            self._record(**{BASE_STATE: {"shards": count, "pages": pages}, RECENT_STATE: None})
        self.log.info(f"search index: {len(todo)} of {len(shards)} shards rebuilt in site/{BASE}/")

    def _index_shards(self, todo: dict[int, list[str]], staging: Path, every: bool) -> bool:
        """Index each shard into staging/<n>/, `jobs` Pagefind runs at a time. `every`: the
        one shard holds every entry, so Pagefind reads site/ itself (no scratch copy)."""

        def one(item: tuple[int, list[str]]) -> str | None:
            n, rels = item
            if every:
                return _run_pagefind(self.site, staging / str(n), self.background)
            return self._index_only(rels, staging / str(n), _farm_name(n))

        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            reasons = [r for r in pool.map(one, sorted(todo.items())) if r]
        if reasons:
            self._not_built(BASE, reasons[0])
        return not reasons

    def _not_built(self, folder: str, reason: str) -> None:
        self.log.warn(
            f"site/{folder}", f"search index not built ({reason}); the site works without search"
        )

    def _forget(self) -> None:
        """Drop the record of what the index holds, before changing what it holds."""
        self.state.drop_fact(BASE_STATE)
        self.state.drop_fact(RECENT_STATE)

    def _delta(self, delta: dict) -> None:
        self.state.drop_fact(RECENT_STATE)
        if self._write_recent(delta):
            self._record(**{RECENT_STATE: delta})
            self.log.info(
                f"search index: {len(delta['changed'])} changed and {len(delta['removed'])} "
                f"removed "
                "entries in site/pagefind-recent/"
            )

    def _write_recent(self, delta: dict) -> bool:
        """site/pagefind-recent/: the delta's own index (if any page changed) and replaced.json,
        which is always there, so the search page never asks for a missing file."""
        building = self.site / f".{RECENT}.new"
        _clear(building)
        if delta["changed"]:
            reason = self._index_only(sorted(delta["changed"]), building, _farm_name(None))
            if reason:
                self._not_built(RECENT, reason)
                return False
        replaced = [_url(rel) for rel in sorted([*delta["changed"], *delta["removed"]])]
        building.mkdir(parents=True, exist_ok=True)
        write_atomic(
            building / "replaced.json",
            dump_json({"index": bool(delta["changed"]), "replaced": replaced}, pretty=False),
        )
        _swap(building, self.site / RECENT)
        return True

    def _index_only(self, pages: list[str], output: Path, scratch_name: str) -> str | None:
        """Index just these pages, from a scratch site of hard links with the same layout
        (Pagefind takes a folder, not a list of files)."""
        return _run_pagefind(self._farm(pages, self.cache / scratch_name), output, self.background)

    def _farm(self, pages: list[str], scratch: Path) -> Path:
        """Make `scratch` hold hard links to exactly these pages of site/, and nothing else.

        The farm is kept between builds, with the list of what it holds beside it. A link
        still on the page's inode is left alone (a rendered page is replaced by a rename, so
        a changed page has a new inode), so a shard rebuilt later relinks only its changed
        pages, and a cold build no longer spends seconds deleting 13,000 links and folders.
        The list is dropped before the farm is touched and written after: a build stopped
        half-way leaves no list, and the next one starts the farm afresh rather than index
        a page that is gone. A farm may keep an old version's bytes alive until its shard
        is rebuilt: at most the pages changed since."""
        listing = f"farm:{scratch.name}"
        held = self.state.fact(listing)
        self.state.drop_fact(listing)
        if not isinstance(held, list):
            shutil.rmtree(scratch, ignore_errors=True)
            held = []
        wanted = set(pages)
        for rel in held:
            if rel not in wanted:
                remove(scratch / rel, scratch)
        for rel in pages:
            _link(self.site / rel, scratch / rel)
        scratch.mkdir(parents=True, exist_ok=True)
        self._record(**{listing: sorted(wanted)})
        return scratch

    def _drop_farms(self, keep: set[str]) -> None:
        """Scratch farms no shard count in use names (the site halved since they were made)."""
        for farm in self.cache.glob(f"{FARM}*"):
            if farm.name not in keep:
                self.state.drop_fact(f"farm:{farm.name}")
                shutil.rmtree(farm, ignore_errors=True)


def _farm_name(shard: int | None) -> str:
    """A scratch farm's folder in the cache: one per shard, and one (None) for the delta."""
    return FARM if shard is None else f"{FARM}-{shard}"


def _link(page: Path, link: Path) -> None:
    """`link` as a hard link to `page` (a copy where links cannot be made); a page gone
    since it was rendered is left out, and the next build indexes it again."""
    try:
        inode = os.stat(page).st_ino
    except OSError:
        link.unlink(missing_ok=True)
        return
    try:
        if os.stat(link).st_ino == inode:
            return
        os.unlink(link)
    except FileNotFoundError:
        link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(page, link)
    except OSError:
        try:
            shutil.copyfile(page, link)
        except OSError:
            pass


def index_site(
    site: Path,
    cache: Path,
    log: Log,
    pages: dict[str, str],
    shard_pages: int,
    jobs: int = 1,
    background: bool = False,
) -> None:
    """`background`: at low CPU priority, so a rebuild under --watch is never slowed by it.
    One index update at a time per site (a lock beside the cache): a one-shot build and a
    watcher's background indexer never run Pagefind into the same folders at once."""
    lock = BuildLock(cache.with_name(cache.name + ".search.lock"))
    lock.acquire(wait=True)
    try:
        index = SearchIndex(site, cache, log, shard_pages, jobs, background)
        try:
            index.update(pages)
        finally:
            index.state.close()
    except Damaged as exc:  # the build that meets it next starts the state again
        log.warn(f"site/{BASE}", f"search index not updated ({exc})")
    finally:
        lock.release()


def pages_in_manifest(manifest: dict) -> dict[str, str]:
    """{entry page: search key} from a render manifest's outputs."""
    return {
        rel: out.get("search") or out.get("sha", "")
        for rel, out in manifest.items()
        if rel.startswith("entries/") and rel.endswith(".html")
    }


class SearchIndexer:
    """Under --watch/--serve: update the search index in a background thread after a rebuild,
    so pages reach the browser without waiting for Pagefind. Requests that arrive while it
    runs are merged into one more run (the latest pages win)."""

    def __init__(self, site: Path, cache: Path, quiet: bool) -> None:
        self.site, self.cache, self.quiet = site, cache, quiet
        self.pages: tuple[dict[str, str], int] | None = None
        self.lock = threading.Lock()
        self.wanted = threading.Event()
        self.stopped = threading.Event()
        self.busy = threading.Event()  # a Pagefind run is under way
        self.thread = threading.Thread(target=self._loop, name="search-index", daemon=True)
        self.thread.start()

    def request(self, pages: dict[str, str], shard_pages: int) -> None:
        with self.lock:
            self.pages = (pages, shard_pages)
        self.wanted.set()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            if not self.wanted.wait(timeout=0.5):
                continue
            self.wanted.clear()
            with self.lock:
                job, self.pages = self.pages, None
            if job is not None:  # one Pagefind run at a time: a background job keeps memory low
                self.busy.set()
                try:
                    index_site(
                        self.site, self.cache, Log(quiet=self.quiet), *job, jobs=1, background=True
                    )
                finally:
                    self.busy.clear()

    def stop(self) -> None:
        self.stopped.set()
