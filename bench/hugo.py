#!/usr/bin/env python3
"""Side by side with Hugo: `python bench/hugo.py --n 10000` (Debian's `hugo` package).

In one run, on the benchmark corpus (bench/corpus.py) of that size:
- newsdigest cold from raw pages (no content/, no build state, no site/);
- newsdigest from committed content/ with no build state (a CI job deploying the site:
  seeds, content/ and its ledger as a clone has them);
- Hugo over the same articles, written here as clean Markdown (title, date, the people as
  a taxonomy, the body), with a minimal theme that makes what a digest makes: a page per
  article, a page and an RSS feed per person, the home page and a sitemap.

Each is timed as a separate process, with the peak RSS of its whole process tree (every
descendant's resident memory summed, sampled every 20 ms: Pagefind and the worker pool
included). Prints a table with the ratios and writes bench/out/hugo-n<N>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import generate  # noqa: E402

from newsdigest.config import THEME  # noqa: E402
from newsdigest.entries import body_of, parse  # noqa: E402

LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
    '<body>{{ block "main" . }}{{ end }}</body></html>\n',
    "_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
    '<time>{{ .Date.Format "2006-01-02" }}</time><ul>{{ range .Params.people }}<li>{{ . }}'
    "</li>{{ end }}</ul>{{ .Content }}</article>{{ end }}\n",
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>'
    "{{ end }}</ul>{{ end }}\n",
    "_default/terms.html": '{{ define "main" }}<ul>{{ range .Data.Terms.Alphabetical }}'
    '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>'
    "{{ end }}</ul>{{ end }}\n",
}
CONFIG = """baseURL = "https://bench.example.org/"
title = "Bench"
[taxonomies]
  person = "people"
[outputs]
  home = ["HTML", "RSS"]
  term = ["HTML", "RSS"]
"""


def _tree_rss(pid: int) -> int:
    """Resident KiB of `pid` and all its descendants."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as handle:
                total += next(
                    (int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0
                )
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def _timed(cmd: list[str], cwd: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return {"wall": wall, "peak_tree_mib": peak[0] / 1024}


def _hugo_site(content: Path, site: Path) -> int:
    """The entries of `content` as a Hugo site; returns how many articles."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "posts").mkdir(parents=True)
    for name, text in LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    count = 0
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta = parse(text).meta
        front = {
            "title": str(meta.get("title", path.stem)),
            "date": str(meta.get("date")),
            "people": [str(p) for p in meta.get("people") or []],
        }
        body = body_of(text)
        out = site / "content" / "posts" / f"{path.stem}.md"
        out.write_text(f"{json.dumps(front, ensure_ascii=False)}\n\n{body}\n", encoding="utf-8")
        count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    if shutil.which("hugo") is None:
        raise SystemExit("needs Debian's hugo package (apt-get install hugo)")
    seeds = args.out / f"corpus-{args.n}"
    generate(seeds, args.n)
    proj = args.out / f"hugo-proj-{args.n}"
    shutil.rmtree(proj, ignore_errors=True)
    proj.mkdir(parents=True)
    shutil.copytree(seeds, proj / "seeds")
    shutil.copytree(THEME, proj / "templates")
    build = [sys.executable, str(REPO / "build.py"), "--quiet"]
    rows = {"newsdigest, cold from raw pages": _timed(build, proj)}
    shutil.rmtree(proj / ".newsdigest-cache")
    shutil.rmtree(proj / "site")
    rows["newsdigest, from content/ with no build state"] = _timed(build, proj)
    hugo_site = args.out / f"hugo-site-{args.n}"
    articles = _hugo_site(proj / "content", hugo_site)
    rows["hugo"] = _timed(["hugo", "--quiet", "--destination", "public"], hugo_site)
    hugo = rows["hugo"]["wall"]
    print(f"n = {args.n} ({articles} articles)")
    print("| build | wall s | × Hugo | peak RSS of the process tree, MiB |\n|---|---|---|---|")
    for label, r in rows.items():
        r["x_hugo"] = r["wall"] / hugo
        print(f"| {label} | {r['wall']:.1f} | {r['x_hugo']:.2f} | {r['peak_tree_mib']:.0f} |")
    (args.out / f"hugo-n{args.n}.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
