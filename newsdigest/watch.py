"""`--watch`: build, then rebuild on every change to the sources, until Ctrl-C.

Events from watchdog (or its polling observer, `--poll`) go into a queue; a burst (an
editor's write-temp-and-rename, a `git checkout` of hundreds of files) is debounced into one
rebuild: the loop waits until the sources have been quiet for QUIET seconds (at most
MAX_WAIT). Events that arrive while a build runs trigger one more build afterwards, so the
last change of a burst is never missed. The tool's own writes (site/, caches, the entries it
writes) and editors' swap and backup files are ignored. A build that fails for any reason is
one warning; the loop goes on with the last good site.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .config import Paths

QUIET = 0.05  # seconds without events that end a burst (an editor save is a few ms)
MAX_WAIT = 3.0  # a never-ending burst still gets a build this often
_EDITOR_JUNK = (".swp", ".swx", ".swo", "~", ".tmp", ".bak", ".orig", ".crswap", ".part")
_ROOT_FILES = ("people.yaml", "outlets.yaml", "pyproject.toml")


@dataclass(frozen=True)
class Change:
    path: str  # relative to the project root when possible
    kind: str  # created, modified, deleted, moved


def is_source(path: Path, paths: Paths) -> bool:
    """True for a file whose change can change the site; False for our own output and junk."""
    name = path.name
    if (
        name.endswith(_EDITOR_JUNK)
        or name.startswith((".#", "#"))
        or name == "4913"
        or name.startswith(".~")
    ):
        return False
    if name.startswith(".") and name.endswith(".tmp"):
        return False
    for own in (paths.site, paths.cache.parent):
        if path == own or own in path.parents:
            return False
    if ".git" in path.parts:
        return False
    if path.parent == paths.root and name in _ROOT_FILES:
        return True
    return any(folder in path.parents for folder in (paths.seeds, paths.content, paths.templates))


class _Handler(FileSystemEventHandler):
    def __init__(
        self, paths: Paths, changes: queue.Queue[Change], note: Callable[[str], None]
    ) -> None:
        self.paths, self.changes, self.note = paths, changes, note

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return
        raws = [
            os.fsdecode(raw) for raw in (event.src_path, getattr(event, "dest_path", "")) if raw
        ]
        if not (event.is_directory and event.event_type == "modified"):
            for raw in raws:  # every path, junk and our own writes too: see unchanged.Monitor
                self.note(raw)
        if event.is_directory and event.event_type in ("created", "modified"):
            return  # the files inside say what changed; a folder's mtime alone says nothing
        for raw in raws:
            path = Path(raw)
            if is_source(path, self.paths):
                try:
                    rel = path.relative_to(self.paths.root).as_posix()
                except ValueError:
                    rel = str(path)
                self.changes.put(Change(rel, event.event_type))


class Watcher:
    """Runs `build` once, then again after every debounced burst of source changes."""

    def __init__(
        self,
        paths: Paths,
        build: Callable[[list[Change]], None],
        poll: bool = False,
        say: Callable[[str], None] = print,
        note: Callable[[str], None] = lambda path: None,
    ) -> None:
        self.paths, self.build, self.say, self.note = paths, build, say, note
        self.changes: queue.Queue[Change] = queue.Queue()
        self.observer = PollingObserver(timeout=0.5) if poll else Observer()
        self.stopped = threading.Event()

    def _schedule(self) -> None:
        handler = _Handler(self.paths, self.changes, self.note)
        for folder in (self.paths.seeds, self.paths.content, self.paths.templates):
            folder.mkdir(parents=True, exist_ok=True)
            self.observer.schedule(handler, str(folder), recursive=True)
        self.observer.schedule(handler, str(self.paths.root), recursive=False)

    def _burst(self, first: Change) -> list[Change]:
        burst, started = [first], time.monotonic()
        while time.monotonic() - started < MAX_WAIT:
            try:
                burst.append(self.changes.get(timeout=QUIET))
            except queue.Empty:
                break
        return burst

    def _safe_build(self, changes: list[Change]) -> None:
        try:
            self.build(changes)
        except Exception as exc:  # the loop must outlive any bug in one build
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.say(
                f"warning: {changes[0].path if changes else 'build'}: build failed "
                f"({type(exc).__name__}: {exc} at {Path(where.filename).name}:{where.lineno}); "
                "keeping the last good site"
            )

    def run(self) -> None:
        """Until stop() or Ctrl-C. The first build happens before watching starts."""
        self._schedule()
        self.observer.start()
        try:
            self._safe_build([])
            while not self.stopped.is_set():
                try:
                    first = self.changes.get(timeout=0.25)
                except queue.Empty:
                    continue
                self._safe_build(self._burst(first))
        finally:
            self.observer.stop()
            self.observer.join(timeout=5)

    def stop(self) -> None:
        self.stopped.set()


def describe(burst: list[Change]) -> str:
    unique = list(dict.fromkeys(c.path for c in burst))
    head = ", ".join(unique[:3])
    return head + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
