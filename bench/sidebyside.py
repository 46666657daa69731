#!/usr/bin/env python3
"""Cold builds of this tree against another commit, side by side in one run:
`python bench/sidebyside.py --n 10000 --base e1f80f5 --rounds 3`.

On this shared 2-core machine a cold build's wall time drifts by a fifth between two runs of
the same code, so the two sides alternate (base, this, base, this, ...) over the same corpus
(bench/corpus.py) and the table gives each round, the medians and their ratio, for wall
seconds and CPU seconds (the build and everything it waited for: pool workers, Pagefind).
The base is checked out with `git worktree` under bench/out/. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import generate  # noqa: E402
from run import bench_project  # noqa: E402


def _tree(out: Path, rev: str) -> Path:
    tree = out / f"tree-{rev}"
    if not (tree / "build.py").exists():
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=True)
        subprocess.run(
            ["git", "worktree", "add", "--force", "--detach", str(tree), rev], cwd=REPO, check=True
        )
    return tree


def _cold(tree: Path, seeds: Path, proj: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one cold build of `seeds` by the code in `tree`."""
    theme = tree / "newsdigest" / "theme"  # the packaged theme; older trees: templates/
    bench_project(proj, seeds, theme if theme.is_dir() else tree / "templates")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(tree / "build.py"), "--quiet"], cwd=proj, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build failed in {proj}:\n{done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    seeds = args.out / f"corpus-{args.n}"
    generate(seeds, args.n)
    sides = {args.base: _tree(args.out, args.base), "this tree": REPO}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for round_ in range(1, args.rounds + 1):
        for name, tree in sides.items():
            wall, cpu = _cold(tree, seeds, args.out / "sidebyside")
            runs[name].append((wall, cpu))
            print(f"round {round_}: {name}: {wall:.1f} s wall, {cpu:.1f} CPU-s", flush=True)
    print(f"\nn = {args.n}, cold builds, {args.rounds} rounds alternating")
    print("| side | wall s (median) | CPU s (median) |\n|---|---|---|")
    med = {
        n: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
        for n, r in runs.items()
    }
    for name, (wall, cpu) in med.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    (bw, bc), (tw, tc) = med[args.base], med["this tree"]
    print(f"| ratio (this / base) | {tw / bw:.3f} | {tc / bc:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
