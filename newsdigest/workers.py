"""Per-article work (ingest -> clean -> understand) mapped over a concurrent.futures Executor.

The function a worker runs takes bytes (or a cached Article) and returns values; it touches
no file. The registry and outlet table are installed once per worker process (an
initializer), not pickled with every task.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from .clean import clean
from .clean.boilerplate import CHUNK, page_lines, repeated_lines
from .digest import understood
from .entries import body_markdown
from .executors import open_executor
from .ingest import ingest
from .knowledge import Knowledge
from .model import Article, Entry, Hints, RawPage, Skip
from .people import Detected
from .state import dumps
from .stories import Signatures, signatures

_INLINE_BELOW = 24  # fewer tasks than this run in-process: a pool costs more than it saves


@dataclass(frozen=True)
class SeedTask:
    name: str
    sha256: str
    data: bytes | None  # None when `cached` or `raw` already holds what it would give
    cached: Article | Skip | None
    boilerplate: frozenset[str] = frozenset()  # this page's lines that recur across the batch
    raw: RawPage | Skip | None = None  # decoded already (the boilerplate pass needed the text)
    modified: dt.date | None = None  # the file's modification day (the last fallback for a date)
    detected: Detected | None = None  # people detection's findings, cached with the clean result
    hints: Hints = Hints()  # what the file holding this page says of it (archives.py)


@dataclass(frozen=True)
class SeedResult:
    name: str
    sha256: str
    # the clean result for the cache (`state.dumps`); None when it came from there
    packed: bytes | None
    entry: Entry | Skip
    seconds: tuple[float, float, float] = (0.0, 0.0, 0.0)  # ingest, clean, understand
    notes: tuple[str, ...] = ()  # the fallbacks clean took, each worth a warning
    detected: bytes | None = None  # people detection's findings packed; None if from the cache
    names: frozenset[str] = frozenset()  # the words a registry could answer for (Detected.keys)
    signatures: Signatures | None = None  # the article's MinHash signatures (stories.py)


_KNOWLEDGE: Knowledge | None = None


def _install(knowledge: Knowledge) -> None:
    global _KNOWLEDGE
    _KNOWLEDGE = knowledge


def process_seed(task: SeedTask) -> SeedResult:
    """One seed through ingest, clean and understand. Never raises for bad input."""
    assert _KNOWLEDGE is not None, "worker started without knowledge"
    t0 = t1 = time.perf_counter()
    cleaned = task.cached
    if cleaned is None:
        raw = (
            task.raw
            if task.raw is not None
            else ingest(task.name, task.data or b"", task.modified, task.hints)
        )
        t1 = time.perf_counter()
        cleaned = raw if isinstance(raw, Skip) else _safe_clean(raw, task.boilerplate)
    packed = None if task.cached is not None else dumps(cleaned)  # counted as cleaning
    t2 = time.perf_counter()
    if isinstance(cleaned, Skip):
        return SeedResult(task.name, task.sha256, packed, cleaned, (t1 - t0, t2 - t1, 0.0))
    entry, detected = understood(
        cleaned, task.name, task.sha256, _KNOWLEDGE.registry, task.detected
    )
    return SeedResult(
        task.name,
        task.sha256,
        packed,
        entry,
        (t1 - t0, t2 - t1, time.perf_counter() - t2),
        cleaned.notes,
        None if task.detected is not None else dumps(detected),
        detected.keys(),
        signatures(entry.title, body_markdown(entry)),
    )


def _safe_clean(raw, boilerplate: frozenset[str]) -> Article | Skip:
    try:
        return clean(raw, _KNOWLEDGE.outlets, boilerplate)  # type: ignore[union-attr]
    except Exception as exc:  # a cleaner bug must cost one page, not the build
        return Skip(f"could not be cleaned ({type(exc).__name__}: {exc})")


def with_boilerplate(tasks: list[SeedTask]) -> list[SeedTask]:
    """Give each task the lines it shares with at least two other pages of its chunk."""
    out: list[SeedTask] = []
    for start in range(0, len(tasks), CHUNK):
        chunk = tasks[start : start + CHUNK]
        raws = {
            t.name: ingest(t.name, t.data, t.modified, t.hints) for t in chunk if t.data is not None
        }
        lines = {
            name: page_lines(raw.text)
            for name, raw in raws.items()
            if isinstance(raw, RawPage) and raw.form == "text"
        }  # normalised once, used twice
        common = repeated_lines(lines.values())
        for t in chunk:
            mine = common & lines[t.name] if t.name in lines and common else frozenset()
            out.append(
                replace(t, boilerplate=frozenset(mine), raw=raws.get(t.name), data=None)
                if t.name in raws
                else t
            )
    return out


@contextmanager
def mapper(
    knowledge: Knowledge, jobs: int, executor: str
) -> Iterator[Callable[[list[SeedTask]], Iterable[SeedResult]]]:
    """A `map` over the chosen executor, started lazily by the first batch big enough to
    pay for it; small batches run in this process."""
    stack = ExitStack()
    pool: list = []

    def run(tasks: list[SeedTask]) -> Iterable[SeedResult]:
        if jobs <= 1 or len(tasks) < _INLINE_BELOW:
            _install(knowledge)
            return map(process_seed, tasks)
        if not pool:
            pool.append(stack.enter_context(open_executor(executor, jobs, _install, (knowledge,))))
        return pool[0].map(process_seed, tasks, chunksize=8)

    with stack:
        yield run
