#!/usr/bin/env python3
"""The benchmark: `python bench/run.py --n 10000` (also --n 1000, --n 100000).

Generates a deterministic corpus (bench/corpus.py) under bench/out/, then times real builds
(`python build.py`, a separate process each) as separate rows: a cold full build, a no-change
rebuild, a rebuild after editing one entry, after adding one seed and after editing one
template. For each: wall seconds, the build's own per-stage seconds, files written and peak
RSS. Prints a table and writes bench/out/results-n<N>.json. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import _registry_names, generate, page  # noqa: E402

from newsdigest.config import THEME  # noqa: E402

STAGES = [
    "scan",
    "ingest",
    "clean",
    "understand",
    "entries",
    "read",
    "site model",
    "render",
    "write",
    "search",
]


def _build(proj: Path, jobs: int | None, extra: list[str]) -> dict:
    report = proj / "report.json"
    cmd = [sys.executable, str(REPO / "build.py"), "--quiet", "--report", str(report), *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=proj, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    data = json.loads(report.read_text())
    data["wall"] = wall
    # CPU seconds of the build and everything it waited for (pool workers, Pagefind): on a
    # shared machine whose wall time drifts with its neighbours, the steadier figure
    data["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data["warning_lines"] = sum(
        1 for line in done.stderr.splitlines() if line.startswith("warning:")
    )
    return data


def bench_project(proj: Path, seeds: Path, templates: Path) -> Path:
    """A fresh project in `proj`: `seeds` linked in, a copy of `templates`, bench settings."""
    shutil.rmtree(proj, ignore_errors=True)
    proj.mkdir(parents=True)
    (proj / "seeds").symlink_to(seeds, target_is_directory=True)
    shutil.copytree(templates, proj / "templates")
    (proj / "pyproject.toml").write_text(
        '[tool.newsdigest]\ntitle = "Bench"\nbase_url = "https://bench.example.org/"\n'
    )
    return proj


def _project(out: Path, n: int) -> Path:
    seeds = out / f"corpus-{n}"
    generate(seeds, n)
    return bench_project(out / f"proj-{n}", seeds, THEME)


def run(
    n: int, jobs: int | None, out: Path, only: set[str] | None = None
) -> list[tuple[str, dict]]:
    proj = _project(out, n)
    rows: list[tuple[str, dict]] = [("cold full build", _build(proj, jobs, []))]
    rows.append(("no-change rebuild", _build(proj, jobs, [])))
    if only is not None and only <= {"cold", "no-change"}:
        return rows
    entry = sorted((proj / "content").rglob("*.md"))[n // 2]
    text = entry.read_text(encoding="utf-8")
    entry.write_text(
        text.replace("## Article", "## Article\n\nAn editor's note.", 1), encoding="utf-8"
    )
    rows.append(("one entry edited", _build(proj, jobs, [])))
    name, body = page(n + 1, _registry_names())
    target = (proj / "seeds").resolve() / f"extra-{name}"  # removed again after the row
    target.write_text(body, encoding="utf-8")
    try:
        rows.append(("one seed added", _build(proj, jobs, [])))
    finally:
        target.unlink()
    tpl = proj / "templates" / "person.html"
    tpl.write_text(tpl.read_text().replace("<h1>", '<h1 class="name">', 1))
    rows.append(("person template edited", _build(proj, jobs, [])))
    tpl = proj / "templates" / "entry.html"
    tpl.write_text(tpl.read_text().replace("<h1>", '<h1 class="title">', 1))
    rows.append(("entry template edited", _build(proj, jobs, [])))
    return rows


def table(n: int, rows: list[tuple[str, dict]]) -> str:
    head = ["row", "wall s", "CPU s"] + STAGES + ["written", "peak RSS MiB"]
    lines = [f"n = {n}", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, r in rows:
        cells = [label, f"{r['wall']:.2f}", f"{r.get('cpu', 0.0):.1f}"] + [
            f"{r['stages'].get(s, 0.0):.2f}" for s in STAGES
        ]
        cells += [str(r["written"]), f"{r['peak_rss_mib']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="articles in the corpus (default 1000)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="passed to build.py (default: cores)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--rows", default=None, help="'cold,no-change' to stop after those two (for --n 100000)"
    )
    args = parser.parse_args()
    rows = run(args.n, args.jobs, args.out, set(args.rows.split(",")) if args.rows else None)
    print(table(args.n, rows))
    result = {"n": args.n, "rows": {label: r for label, r in rows}}
    (args.out / f"results-n{args.n}.json").write_text(
        json.dumps(result, indent=1, sort_keys=True) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
