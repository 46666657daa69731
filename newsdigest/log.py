"""Warnings and progress lines. Every warning names the file it is about."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

from .model import Warning_

T = TypeVar("T")
PROGRESS_FROM = 200  # items; shorter runs finish before a bar would help


class Log:
    """Collects warnings (for --strict and the summary) and prints by verbosity."""

    def __init__(
        self, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None
    ) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream or sys.stderr
        self.warnings: list[Warning_] = []
        self.seconds: dict[str, float] = defaultdict(float)  # per stage, for --report and bench/

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started

    def progress(self, items: Iterable[T], total: int, label: str) -> Iterable[T]:
        """A progress bar on stderr for long runs; plain iteration when quiet or not a terminal."""
        if (
            self.quiet
            or total < PROGRESS_FROM
            or not getattr(self.stream, "isatty", lambda: False)()
        ):
            return items
        from tqdm import tqdm

        return tqdm(items, total=total, desc=label, unit="page", file=self.stream, leave=False)

    def warn(self, file: str, message: str, once: bool = False) -> None:
        """`once`: the build repaired what it warns about (a broken ledger rebuilt), so a
        build that changes nothing afterwards does not say it again."""
        warning = Warning_(file, message, once)
        self.warnings.append(warning)
        print(warning, file=self.stream, flush=True)

    def info(self, message: str) -> None:
        """Detail shown with --verbose only: what was rebuilt and why."""
        if self.verbose:
            print(message, file=self.stream, flush=True)

    def say(self, message: str) -> None:
        """A normal line (the summary); silenced by --quiet."""
        if not self.quiet:
            print(message, file=self.stream, flush=True)
