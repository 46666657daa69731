#!/usr/bin/env python3
"""Name-dense pages stay linear: `python bench/dense.py` (also --sizes 1000,2000,4000,8000).

Builds one text seed naming N people (three new names a paragraph, cue words and all) with
`python build.py`, for growing N, and prints seconds per build and per thousand names. A
linear finder keeps the per-thousand figure flat; the quadratic one it replaced took 7.2 s
to understand 4,000 names and 0.2 s for 1,000 (measured in process, 2026-12-01). Never
part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THEME = REPO / "newsdigest" / "theme"  # the packaged theme
FIRST = [
    "Anna",
    "Boris",
    "Carla",
    "Dmytro",
    "Elena",
    "Frank",
    "Greta",
    "Hugo",
    "Ivan",
    "Jana",
    "Karl",
    "Lena",
]
LAST = [
    "Kowalski",
    "Schmidt",
    "Novak",
    "Petrenko",
    "Rossi",
    "Dubois",
    "Jansen",
    "Berg",
    "Horvat",
    "Popescu",
]


def dense_page(n: int, rng: random.Random) -> str:
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}{i}" for i in range(n)]
    paragraphs = [
        f"Minister {a} met {b} in Brussels, and {c} said the talks went well, Stoltenberg said."
        for a, b, c in zip(names[::3], names[1::3], names[2::3])
    ]
    return " date 2024-05-06 \n\nA crowded summit in Brussels\n\n" + "\n\n".join(paragraphs) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsdigest-dense-") as tmp:
        for n in map(int, args.sizes.split(",")):
            root = Path(tmp) / f"p{n}"
            (root / "seeds").mkdir(parents=True)
            shutil.copytree(THEME, root / "templates")
            (root / "pyproject.toml").write_text(
                '[tool.newsdigest]\nbase_url = "https://d.example.org/"\n'
            )
            (root / "seeds" / "dense.txt").write_text(
                dense_page(n, random.Random(n)), encoding="utf-8"
            )
            report = root / "report.json"
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    str(REPO / "build.py"),
                    "--quiet",
                    "--jobs",
                    "1",
                    "--report",
                    str(report),
                ],
                cwd=root,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
            stages = json.loads(report.read_text())["stages"]
            rows.append((n, wall, stages.get("understand", 0.0), stages.get("clean", 0.0)))
    print(
        f"{'names':>7} {'build s':>8} {'understand s':>13} {'clean s':>8} "
        f"{'understand s / 1000 names':>26}"
    )
    for n, wall, understand, clean in rows:
        print(f"{n:7d} {wall:8.2f} {understand:13.3f} {clean:8.3f} {1000 * understand / n:26.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
