"""The full-text search index: Pagefind (from PyPI) indexes the entry pages at build time.

Only entry pages are indexed (the articles; lists would only repeat them). No filters are
declared: Pagefind writes filter files in a hash-map order that differs from run to run, and
two builds of the same site must be byte-identical. The index lives in site/pagefind/ and
is rebuilt only when some HTML page changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from .log import Log

# files whose presence says the index is there (a no-change build checks them, not all 10,000)
SEARCH_SENTINELS = ["pagefind/pagefind.js", "pagefind/pagefind-entry.json"]


def index_site(site: Path, log: Log, html_changed: bool, background: bool = False) -> None:
    """`background`: at low CPU priority, so a rebuild under --watch is never slowed by it."""
    if not html_changed and (site / "pagefind" / "pagefind.js").exists():
        return
    with log.stage("search"):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        try:
            done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "entries/**/*.html",
                                   "--output-subdir", "pagefind"], capture_output=True, text=True, timeout=1800,
                                  preexec_fn=(lambda: os.nice(15)) if background else None)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warn("site/pagefind", f"search index not built ({exc}); the site works without search")
            return
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["unknown error"]
        log.warn("site/pagefind", f"search index not built (pagefind: {reason[0]}); the site works without search")
    else:
        log.info("search index rebuilt in site/pagefind/")


class SearchIndexer:
    """Under --watch/--serve: rebuild the search index in a background thread after a rebuild,
    so pages reach the browser without waiting for Pagefind. Requests that arrive while it
    runs are merged into one more run."""

    def __init__(self, site: Path, quiet: bool) -> None:
        self.site, self.quiet = site, quiet
        self.wanted = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="search-index", daemon=True)
        self.thread.start()

    def request(self, html_changed: bool) -> None:
        if html_changed or not (self.site / "pagefind" / "pagefind.js").exists():
            self.wanted.set()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            if not self.wanted.wait(timeout=0.5):
                continue
            self.wanted.clear()
            log = Log(quiet=self.quiet)
            index_site(self.site, log, html_changed=True, background=True)

    def stop(self) -> None:
        self.stopped.set()
