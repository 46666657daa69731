"""The full-text search index: Pagefind (from PyPI) over the entry pages, kept current cheaply.

Pagefind has no incremental mode, and indexing 10,000 entries takes it about 15 s. So the
index is kept the way a log-structured store keeps its tables:

- `site/pagefind/` is the *base*: every entry as it was when the base was last built;
- `site/pagefind-recent/` is the *delta*: only the entries added or changed since then, plus
  `replaced.json`, the entries (changed or removed) whose base records are out of date.

The search page (static/search.js) queries both, drops base results listed in
replaced.json, and merges the rest by score. A one-entry edit re-indexes one page in a
fraction of a second; once the delta outgrows REBUILD_SHARE of the site, the base is rebuilt
and the delta dropped. What counts as "changed" is the indexed part of the page (the
`data-pagefind-body` element), so a template edit to the chrome re-indexes nothing.

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
from pathlib import Path

from .log import Log
from .store import dump_json, read_pickle, write_atomic, write_pickle

BASE, RECENT = "pagefind", "pagefind-recent"
BASE_STATE, RECENT_STATE = "search-base.pickle", "search-recent.pickle"  # in the cache
REBUILD_SHARE, REBUILD_MIN = 0.05, 100  # a delta larger than both triggers a full rebuild
ENTRY_PAGES = "entries/**/*.html"
# files whose presence says the index is there (a no-change build checks them, not all 10,000)
SEARCH_SENTINELS = [f"{BASE}/pagefind.js", f"{BASE}/pagefind-entry.json", f"{RECENT}/replaced.json"]


_TAG = re.compile(rb"<(/?[\w-]*)([^>]*)>")
_ATTR = re.compile(rb"""\s([\w:-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_INDEXED = (b"id", b"alt", b"title")


def _indexed_tag(tag: re.Match) -> bytes:
    kept = [m.group(0).strip() for m in _ATTR.finditer(tag.group(2))
            if m.group(1).lower() in _INDEXED or m.group(1).lower().startswith(b"data-pagefind")]
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


def _run_pagefind(site: Path, output: Path, log: Log, background: bool) -> bool:
    shutil.rmtree(output, ignore_errors=True)
    try:
        done = subprocess.run([*_pagefind(), "--site", str(site), "--glob", ENTRY_PAGES, "--output-path", str(output)],
                              capture_output=True, text=True, timeout=1800,
                              preexec_fn=(lambda: os.nice(15)) if background else None)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warn("site/pagefind", f"search index not built ({exc}); the site works without search")
        return False
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["unknown error"]
        log.warn("site/pagefind", f"search index not built (pagefind: {reason[0]}); the site works without search")
        return False
    return True


def _swap(new: Path, target: Path) -> None:
    """Replace a folder with a freshly built one, so a reader meets the old or the new index."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _url(rel: str) -> str:
    """entries/x/index.html -> entries/x/ (the form Pagefind gives a result's URL)."""
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


class SearchIndex:
    """The base + delta pair for one site/, with its state in the cache."""

    def __init__(self, site: Path, cache: Path, log: Log, background: bool = False) -> None:
        self.site, self.cache, self.log, self.background = site, cache, log, background
        whole = (site / BASE / "pagefind.js").exists()
        self.base: dict[str, str] | None = read_pickle(cache / BASE_STATE) if whole else None
        self.recent = read_pickle(cache / RECENT_STATE)

    def update(self, pages: dict[str, str]) -> None:
        """Bring the index up to `pages` ({entry page: search_key}) as cheaply as possible."""
        if self.base is None:
            self._full(pages)
            return
        changed = sorted(rel for rel, key in pages.items() if self.base.get(rel) != key)
        removed = sorted(set(self.base) - set(pages))
        if len(changed) + len(removed) > max(REBUILD_MIN, REBUILD_SHARE * len(pages)):
            self._full(pages)
            return
        delta = {"changed": {rel: pages[rel] for rel in changed}, "removed": removed}
        if delta == (self.recent or {"changed": {}, "removed": []}) and (self.site / RECENT / "replaced.json").exists():
            return
        with self.log.stage("search"):
            self._delta(delta)

    def _full(self, pages: dict[str, str]) -> None:
        with self.log.stage("search"):
            building = self.site / f".{BASE}.new"
            if not _run_pagefind(self.site, building, self.log, self.background):
                shutil.rmtree(building, ignore_errors=True)
                return
            _swap(building, self.site / BASE)
            self._write_recent({"changed": {}, "removed": []})
            write_pickle(self.cache / BASE_STATE, pages)
            write_pickle(self.cache / RECENT_STATE, None)
        self.log.info("search index rebuilt in site/pagefind/")

    def _delta(self, delta: dict) -> None:
        if self._write_recent(delta):
            write_pickle(self.cache / RECENT_STATE, delta)
            self.log.info(f"search index: {len(delta['changed'])} changed and {len(delta['removed'])} removed "
                          "entries in site/pagefind-recent/")

    def _write_recent(self, delta: dict) -> bool:
        """site/pagefind-recent/: the delta's own index (if any page changed) and replaced.json,
        which is always there, so the search page never asks for a missing file."""
        building = self.site / f".{RECENT}.new"
        shutil.rmtree(building, ignore_errors=True)
        if delta["changed"] and not self._index_only(delta["changed"], building):
            return False
        replaced = [_url(rel) for rel in sorted([*delta["changed"], *delta["removed"]])]
        building.mkdir(parents=True, exist_ok=True)
        write_atomic(building / "replaced.json",
                     dump_json({"index": bool(delta["changed"]), "replaced": replaced}, pretty=False))
        _swap(building, self.site / RECENT)
        return True

    def _index_only(self, pages: dict[str, str], output: Path) -> bool:
        """Index just these pages: hard links to them in a scratch site with the same layout."""
        scratch = self.cache / "search-scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        for rel in pages:
            target = scratch / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.site / rel, target)
            except OSError:
                shutil.copyfile(self.site / rel, target)
        try:
            return _run_pagefind(scratch, output, self.log, self.background)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def index_site(site: Path, cache: Path, log: Log, pages: dict[str, str], background: bool = False) -> None:
    """`background`: at low CPU priority, so a rebuild under --watch is never slowed by it."""
    SearchIndex(site, cache, log, background).update(pages)


def pages_in_manifest(manifest: dict) -> dict[str, str]:
    """{entry page: search key} from a render manifest's outputs."""
    return {rel: out.get("search") or out.get("sha", "") for rel, out in manifest.items()
            if rel.startswith("entries/") and rel.endswith(".html")}


class SearchIndexer:
    """Under --watch/--serve: update the search index in a background thread after a rebuild,
    so pages reach the browser without waiting for Pagefind. Requests that arrive while it
    runs are merged into one more run (the latest pages win)."""

    def __init__(self, site: Path, cache: Path, quiet: bool) -> None:
        self.site, self.cache, self.quiet = site, cache, quiet
        self.pages: dict[str, str] | None = None
        self.lock = threading.Lock()
        self.wanted = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="search-index", daemon=True)
        self.thread.start()

    def request(self, pages: dict[str, str]) -> None:
        with self.lock:
            self.pages = pages
        self.wanted.set()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            if not self.wanted.wait(timeout=0.5):
                continue
            self.wanted.clear()
            with self.lock:
                pages, self.pages = self.pages, None
            if pages is not None:
                index_site(self.site, self.cache, Log(quiet=self.quiet), pages, background=True)

    def stop(self) -> None:
        self.stopped.set()
