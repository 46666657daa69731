#!/usr/bin/env python3
"""SIGKILL trials: `python bench/kill.py --trials 20` (also --n SEEDS, --jobs N).

Each trial kills `python build.py` (its whole process group, as a CI timeout or the OOM
killer would) at a random moment of a cold build, of a rebuild after the inputs changed, or
of a `--watch` rebuild. For "revert" and "watch" trials the change is then undone (a
`git checkout` back), so the next build's inputs differ from the killed build's: what that
one wrote and never recorded must not survive. One ordinary build follows, and the project
must hold exactly what a clean build of the same inputs makes (tests/conftest.py
`same_as_clean`: entries and ledger byte for byte, pages byte for byte, the same search
results, no temp file). The test suite runs a few of these trials (tests/test_kill.py);
this script runs many and prints the tally. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import _registry_names, page  # noqa: E402

from tests.conftest import Project, make_project, same_as_clean  # noqa: E402

KINDS = ("cold", "rebuild", "revert", "watch")


def _seed(project: Project, n: int) -> None:
    names = _registry_names()
    for i in range(n):
        name, text = page(i, names)
        (project.seeds / name).write_text(text, encoding="utf-8")


def _change(project: Project) -> None:
    """A change that touches every kind of output: entries retitled (their slugs move),
    seeds removed and added, a person's spelling overridden in people.yaml."""
    seeds = sorted(project.seeds.iterdir())
    for path in seeds[:3]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if len(line.split()) >= 5 and not line.startswith((" date", "#")):
                lines[i] = "Retitled: " + line
                break
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in seeds[3:5]:
        path.unlink()
    names = _registry_names()
    for i in range(1000, 1002):
        name, text = page(i, names)
        (project.seeds / name).write_text(text, encoding="utf-8")
    (project.root / "people.yaml").write_text(
        "- name: Jens Stoltenberg\n  aliases: [J. Stoltenberg]\n"
        "  role: former NATO Secretary General\n",
        encoding="utf-8",
    )


def _revert(project: Project, before: Project) -> None:
    """Put the inputs back as they were before `_change` (a `git checkout` of the old tree)."""
    shutil.rmtree(project.seeds)
    shutil.copytree(before.seeds, project.seeds)
    (project.root / "people.yaml").unlink(missing_ok=True)


def _command(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--quiet", *args]


def _start(project: Project, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        _command(*args),
        cwd=project.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _kill(proc: subprocess.Popen) -> bool:
    """SIGKILL the build and everything it started; True if it was still running."""
    running = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    return running


def _build(project: Project, *args: str) -> None:
    done = subprocess.run(
        _command(*args), cwd=project.root, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise AssertionError(f"build failed ({done.returncode}):\n{done.stderr[-3000:]}")


class Trials:
    """The projects a run of trials needs: a template project per kind, and the clean
    build of each kind's final inputs to compare with."""

    def __init__(self, work: Path, n: int, jobs: int) -> None:
        self.work, self.n, self.jobs = work, n, jobs
        self.before = make_project(work / "before", seeds=[])
        _seed(self.before, n)
        self.after = Project(work / "after")
        shutil.copytree(self.before.root, self.after.root)
        _change(self.after)
        self.clean = {
            "before": self._clean(self.before, "clean-before"),
            "after": self._clean(self.after, "clean-after"),
        }
        self.built_before = Project(work / "built-before")
        shutil.copytree(self.before.root, self.built_before.root, symlinks=True)
        _build(self.built_before, "--jobs", str(jobs))

    def _clean(self, source: Project, name: str) -> tuple[Project, float]:
        project = Project(self.work / name)
        shutil.copytree(source.root, project.root)
        started = time.perf_counter()
        _build(project, "--jobs", str(self.jobs))
        return project, time.perf_counter() - started

    def run(self, kind: str, fraction: float, index: int) -> tuple[bool, bool]:
        """One trial; (killed while running, then equal to a clean build). Raises if not equal."""
        project = Project(self.work / f"trial-{index}")
        shutil.rmtree(project.root, ignore_errors=True)
        jobs = ("--jobs", str(self.jobs))
        if kind == "cold":
            shutil.copytree(self.before.root, project.root)
            clean, seconds = self.clean["before"]
            proc = _start(project, *jobs)
            time.sleep(fraction * seconds)
        elif kind in ("rebuild", "revert"):
            shutil.copytree(self.built_before.root, project.root, symlinks=True)
            _change(project)
            clean, seconds = self.clean["after" if kind == "rebuild" else "before"]
            proc = _start(project, *jobs)
            time.sleep(fraction * self.clean["after"][1])
        else:
            shutil.copytree(self.built_before.root, project.root, symlinks=True)
            clean, seconds = self.clean["before"]
            proc = _start(project, "--watch", *jobs)
            _wait_first_build(project, proc)
            _change(project)
            time.sleep(
                0.25 + fraction * self.clean["after"][1]
            )  # the watcher debounces for 0.2 s first
        killed = _kill(proc)
        if kind in ("revert", "watch"):
            _revert(project, self.before)
        _build(project, *jobs)
        same_as_clean(project, clean)
        shutil.rmtree(project.root, ignore_errors=True)
        return killed, True


def _wait_first_build(project: Project, proc: subprocess.Popen, timeout: float = 120) -> None:
    """The watcher's first build is done once its stat record is in the build state."""
    from newsdigest.state import FILE, State
    from newsdigest.unchanged import RECORD

    cache = project.root / ".newsdigest-cache" / "site"
    deadline = time.monotonic() + timeout
    while not ((cache / FILE).exists() and State(cache).fact(RECORD) is not None):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise AssertionError("the watcher's first build did not finish")
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=21)
    parser.add_argument("--n", type=int, default=80, help="seeds in the corpus")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="newsdigest-kill-") as tmp:
        trials = Trials(Path(tmp), args.n, args.jobs)
        print(
            f"clean builds: {trials.clean['before'][1]:.2f} s cold, "
            f"{trials.clean['after'][1]:.2f} s after the change"
        )
        tally = {kind: [0, 0, 0] for kind in KINDS}  # trials, killed mid-build, equal to clean
        for i in range(args.trials):
            kind, fraction = KINDS[i % len(KINDS)], rng.uniform(0.05, 1.0)
            try:
                killed, same = trials.run(kind, fraction, i)
            except AssertionError as exc:
                killed, same = True, False
                said = f"NOT equal to a clean build: {exc}"
                print(f"trial {i} ({kind}, killed at {fraction:.2f}): {said[:2000]}")
            tally[kind][0] += 1
            tally[kind][1] += killed
            tally[kind][2] += same
            print(
                f"trial {i:2d} {kind:7s} killed at {fraction:4.2f} of a build: "
                f"{'killed' if killed else 'had finished'}, {'equal' if same else 'DIFFERENT'}",
                flush=True,
            )
    total = [sum(t[k] for t in tally.values()) for k in range(3)]
    print(f"{total[0]} trials, {total[1]} killed mid-build, {total[2]} then equal to a clean build")
    return 0 if total[2] == total[0] else 1


if __name__ == "__main__":
    sys.exit(main())
