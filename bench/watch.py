#!/usr/bin/env python3
"""Watch latency: `python bench/watch.py --n 1000` (and --n 10000).

Starts `python build.py --watch` on the benchmark project of that size (made by
bench/run.py, or generated here), then for each kind of change measures the time from the
save to the site's updated bytes on disk: an entry edit, a new seed, a template edit and a
people.yaml edit. Prints a table and writes bench/out/watch-n<N>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import _registry_names, generate, page  # noqa: E402

from newsdigest.config import THEME  # noqa: E402
from newsdigest.textutil import slug  # noqa: E402


class Watching:
    def __init__(self, proj: Path, jobs: int | None) -> None:
        cmd = [sys.executable, str(REPO / "build.py"), "--watch"] + (
            ["--jobs", str(jobs)] if jobs else []
        )
        self.proc = subprocess.Popen(
            cmd,
            cwd=proj,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.append(line.rstrip())

    def builds(self) -> int:
        return sum(line.startswith("built ") for line in self.lines)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _until(condition, timeout: float = 300.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(0.002)
    raise SystemExit("timed out waiting for the site to change")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def measure(n: int, out: Path, jobs: int | None) -> dict[str, float]:
    proj = out / f"watch-{n}"
    seeds = out / f"corpus-{n}"
    generate(seeds, n)
    if not (proj / "site").exists():
        shutil.rmtree(proj, ignore_errors=True)
        proj.mkdir(parents=True)
        shutil.copytree(seeds, proj / "seeds")
        shutil.copytree(THEME, proj / "templates")
        subprocess.run([sys.executable, str(REPO / "build.py"), "--quiet"], cwd=proj, check=True)
    # every run starts from pristine templates and registry (a run edits both)
    shutil.rmtree(proj / "templates")
    shutil.copytree(THEME, proj / "templates")
    (proj / "people.yaml").unlink(missing_ok=True)
    subprocess.run([sys.executable, str(REPO / "build.py"), "--quiet"], cwd=proj, check=True)
    watching = Watching(proj, jobs)
    results: dict[str, float] = {}
    try:
        _until(lambda: watching.builds() >= 1)
        entry = sorted((proj / "content").rglob("*.md"))[n // 3]
        page_file = proj / "site" / "entries" / entry.stem / "index.html"
        marker = f"Edited at {time.time():.0f}."
        entry.write_text(
            entry.read_text(encoding="utf-8").replace("## Article", f"## Article\n\n{marker}", 1),
            encoding="utf-8",
        )
        results["entry edit"] = _until(lambda: marker in _read(page_file))

        name, text = page(n + 7 + int(time.time()) % 1000, _registry_names())
        title = (
            text.split("<h1>")[1].split("</h1>")[0]
            if name.endswith(".html")
            else next(
                line for line in text.splitlines() if line.endswith(")") and " discuss " in line
            )
        )
        new_page = proj / "site" / "entries" / slug(title.replace("&#x27;", "'")) / "index.html"
        (proj / "seeds" / f"new-{name}").write_text(text, encoding="utf-8")
        results["new seed"] = _until(new_page.exists)

        template = proj / "templates" / "entry.html"
        marker = f"watch-{time.time():.0f}"
        template.write_text(
            template.read_text().replace(
                '<article class="entry"', f'<article data-m="{marker}" class="entry"', 1
            )
        )
        results["template edit (entry.html)"] = _until(lambda: marker in _read(page_file))

        person_dir = sorted((proj / "site" / "people").iterdir())[5]
        person_page = person_dir / "index.html"
        name = _read(person_page).split("<h1>")[1].split("</h1>")[0]
        role = f"Role set at {time.time():.0f}"
        (proj / "people.yaml").write_text(
            f"- {{name: {json.dumps(name)}, role: {json.dumps(role)}}}\n", encoding="utf-8"
        )
        results["people.yaml edit"] = _until(lambda: role in _read(person_page))
    finally:
        watching.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    results = measure(args.n, args.out, args.jobs)
    print(f"n = {args.n}\n| change | save → site updated (s) |\n|---|---|")
    for label, seconds in results.items():
        print(f"| {label} | {seconds:.3f} |")
    (args.out / f"watch-n{args.n}.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
