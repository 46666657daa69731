"""The full-text search index: Pagefind (from PyPI) indexes the entry pages at build time.

Only entry pages are indexed (the articles; lists would only repeat them). No filters are
declared: Pagefind writes filter files in a hash-map order that differs from run to run, and
two builds of the same site must be byte-identical. The index lives in site/pagefind/ and
is rebuilt only when some HTML page changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .log import Log


def index_site(site: Path, log: Log, html_changed: bool) -> None:
    if not html_changed and (site / "pagefind" / "pagefind.js").exists():
        return
    with log.stage("search"):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        try:
            done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "entries/**/*.html",
                                   "--output-subdir", "pagefind"], capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warn("site/pagefind", f"search index not built ({exc}); the site works without search")
            return
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["unknown error"]
        log.warn("site/pagefind", f"search index not built (pagefind: {reason[0]}); the site works without search")
    else:
        log.info("search index rebuilt in site/pagefind/")
