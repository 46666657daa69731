"""The one atomic writer, JSON files (the ledger), folder listing, guards and journals.

Every file the tool writes goes through `write_atomic`: a temp file in the same folder, then
renamed over the target, so a reader (a browser, the preview server) never sees half a file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISLNK
from typing import Any

_PID = [os.getpid()]  # the temp-name suffix; a forked worker takes its own (below)
if hasattr(os, "register_at_fork"):  # POSIX; elsewhere workers are spawned and import afresh
    os.register_at_fork(after_in_child=lambda: _PID.__setitem__(0, os.getpid()))
_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


class Changed(OSError):
    """The file was not what the writer expected any more (someone saved it meanwhile)."""


_ANY = object()  # write_atomic's `expect` when any current content may be replaced


def write_atomic(path: Path, data: bytes, expect: object = _ANY) -> None:
    """Readers see the old bytes or the new, never half a file (rename is atomic).

    `expect`: the sha256 the file must still have (None: it must not exist) at the moment of
    the rename, else Changed is raised and the file is left as it is. This is the
    compare-and-swap that keeps a hand edit saved while a build runs: the check is made
    after the new bytes are written out, microseconds before they replace the old.

    No fsync: a static site is rebuilt from its sources after a power cut, and an fsync per
    file made a cold build of 10,000 articles several seconds slower. A bare file descriptor
    rather than `open()`: Python's file object adds an fstat, an ioctl and lseeks to every
    file, four system calls of eight, about 20 % of a new file's cost on this disk.
    """
    tmp = temp_name(path, _PID[0])
    try:
        fd = os.open(tmp, _CREATE, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _CREATE, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        if expect is not _ANY and file_sha256(path) != expect:
            raise Changed(f"{path.name} changed while it was being replaced")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Writes:
    """Atomic writes handed to a few threads. Renaming a file over an old one waits on the
    disk (ext4 flushes the new data first): 0.2–1 ms a file on this machine, most of a
    template edit's 10,000 pages. The threads overlap those waits; `drain` waits for them
    all and raises the first error (a full or read-only disk ends the build as before)."""

    def __init__(self, threads: int = 4) -> None:
        self.threads = threads
        self.pool: Any = None
        self.pending: list[Any] = []

    def write(self, path: Path, data: bytes) -> None:
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="write")
        self.pending.append(self.pool.submit(write_atomic, path, data))
        if len(self.pending) > 256:
            self._settle(self.pending[:128])
            del self.pending[:128]

    def drain(self) -> None:
        try:
            self._settle(self.pending)
        finally:
            self.pending = []
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None

    @staticmethod
    def _settle(futures: list[Any]) -> None:
        errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first


def remove(path: Path, stop_at: Path) -> None:
    """Delete a file and any folders it leaves empty, up to (not including) `stop_at`."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != stop_at and stop_at in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


Stamp = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns: what "unchanged" means


def stamp(st: os.stat_result) -> Stamp:
    """ctime too: a tool that restores the old mtime after a same-size edit (rsync -t, tar,
    cp -p, os.utime) cannot restore the ctime, which the kernel sets on every change."""
    return st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns


def file_stamp(path: Path | str) -> Stamp | None:
    try:
        return stamp(os.stat(path))
    except OSError:
        return None


def file_sha256(path: Path | str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


OUTSIDE: Stamp = (0, -2, 0, 0)  # the stamp of a symbolic link that leads out of its folder
UNREADABLE: Stamp = (0, -3, 0, 0)  # the stamp of a folder that cannot be listed (key ends in /)


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root + os.sep)


def _files(
    root: str, prefix: str, hidden: bool, within: str, seen: set[str]
) -> Iterator[tuple[str, os.DirEntry | None]]:
    """(relative POSIX path, entry) of every file below `root`. Symbolic links are followed
    only while they stay inside `within` (the real path of the folder being listed): one
    that leads out yields (path, None), for the caller to warn about, and is never read.
    A folder already listed (a link to a parent, two links to one folder) is listed once,
    so a link loop neither repeats files nor recurses for ever. os.scandir: at 10,000 files,
    pathlib's rglob and relative_to cost a second per listing."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return
    except OSError:  # a folder that cannot be listed: the caller must not take it for empty
        yield prefix or "./", None
        return
    linked: list[os.DirEntry] = []
    for entry in entries:
        if not hidden and entry.name.startswith("."):
            continue
        try:
            if entry.is_symlink():
                linked.append(entry)
            elif entry.is_dir(follow_symlinks=False):
                yield from _subfolder(
                    entry, prefix, hidden, within, seen, os.path.realpath(entry.path)
                )
            elif entry.is_file(follow_symlinks=False):
                yield prefix + entry.name, entry
        except OSError:
            continue
    for entry in sorted(linked, key=lambda e: e.name):  # after the real folders: they win
        real = os.path.realpath(entry.path)
        try:
            if not _inside(real, within):
                if os.path.exists(real):
                    yield prefix + entry.name, None
            elif entry.is_dir(follow_symlinks=True):
                yield from _subfolder(entry, prefix, hidden, within, seen, real)
            elif entry.is_file(follow_symlinks=True):
                yield prefix + entry.name, entry
        except OSError:
            continue


def _subfolder(
    entry: os.DirEntry, prefix: str, hidden: bool, within: str, seen: set[str], real: str
) -> Iterator[tuple[str, os.DirEntry | None]]:
    if real in seen:
        return
    seen.add(real)
    yield from _files(entry.path, prefix + entry.name + "/", hidden, within, seen)


def _listing(
    root: Path | str, prefix: str, hidden: bool, within: Path | str | None
) -> Iterator[tuple[str, os.DirEntry | None]]:
    real = os.path.realpath(within if within is not None else root)
    return _files(str(root), prefix, hidden, real, {os.path.realpath(root)})


def walk_files(root: Path, suffix: str = "", outside: list[str] | None = None) -> list[str]:
    """Every non-hidden file below `root` ending in `suffix`, as sorted relative paths.
    `outside` collects the links that lead out of `root` (skipped, never read) and the
    folders that cannot be listed (their names end in '/')."""
    found = []
    for rel, entry in _listing(root, "", False, None):
        if entry is None:
            if outside is not None:
                outside.append(rel)
        elif rel.endswith(suffix):
            found.append(rel)
    return sorted(found)


def scan(root: Path, prefix: str = "", within: Path | None = None) -> dict[str, Stamp]:
    """Every file below `root` (hidden ones too) with its stamp, in scandir's order; a link
    out of `within` (default: `root`) has the stamp OUTSIDE."""
    out: dict[str, Stamp] = {}
    for rel, entry in _listing(root, prefix, True, within):
        try:
            out[rel] = (
                (UNREADABLE if rel.endswith("/") else OUTSIDE)
                if entry is None
                else stamp(entry.stat(follow_symlinks=True))
            )
        except OSError:
            continue
    return out


def contained(rel: object) -> str | None:
    """`rel` when it names a file inside its folder (relative, no '..', no empty part), else
    None: a path read from the ledger, front matter or build state must never lead a write
    or a removal out of its folder."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        return None
    parts = rel.replace("\\", "/").split("/")
    if rel.startswith("/") or os.path.isabs(rel) or any(part in ("", ".", "..") for part in parts):
        return None
    return rel


def leads_out(path: Path | str, within: Path | str) -> bool:
    """True when `path` (which exists) resolves outside the folder `within`."""
    return not _inside(os.path.realpath(path), os.path.realpath(within))


class Guard:
    """Says whether a path can be written or removed without leaving `root` through a
    symbolic link (a `site/people` that links to another folder must not be written
    through). Folders found safe are remembered for the rest of the build: a cold build
    writes 27,000 files into about 14,000 folders, and each check costs a few lstat calls."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self.safe: set[str] = set()

    def allows(self, path: Path | str) -> bool:
        folder = os.path.dirname(os.fspath(path))
        if folder in self.safe:
            return True
        parent = os.path.dirname(folder)
        if parent not in self.safe and _inside(os.path.realpath(parent), self.root):
            self.safe.add(parent)  # site/entries, checked once for its 10,000 folders
        if parent in self.safe and not _is_link(folder):
            self.safe.add(folder)  # a safe folder's own subfolder: one lstat, not a realpath
            return True
        if not _inside(os.path.realpath(folder), self.root):  # links resolved as far as they exist
            return False
        self.safe.add(folder)
        return True


def _is_link(folder: str) -> bool:
    """True when `folder` is a symbolic link (a folder not there yet is none: it will be made
    inside its parent)."""
    try:
        return S_ISLNK(os.lstat(folder).st_mode)
    except FileNotFoundError:
        return False


class Busy(Exception):
    """Another build of the same site holds its lock; the message names its pid."""


class BuildLock:
    """One build at a time per site: an exclusive flock on a file beside the site's cache
    (outside the folder --clean removes). The kernel drops the lock when its holder dies,
    however it dies, so a killed build never leaves a stale one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self, wait: bool = False) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise Busy(
                f"another build of this site is running (pid {holder}); try again when it has "
                "finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Journal:
    """A write-ahead note of what a build is about to write or remove in one folder.

    A build killed between writing files and recording them in its state would leave files
    the next build knows nothing of (a page of a person no longer named, a half-made temp
    file). Each note is one line appended with a bare write before the file is touched, so
    a killed process loses none (the kernel holds them); the journal is cleared once the
    build's state is saved. The next build reads what is left: those files are the tool's
    own, and their state is not to be trusted. The first line is the writer's pid, which
    names its temp files (see `write_atomic`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def left(self) -> tuple[list[str], list[str]]:
        """(notes, temp file names) a build that did not finish left; ([], []) if none."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except OSError:
            return [], []
        pids = [line[4:] for line in lines if line.startswith("pid ")]
        notes = [line for line in lines if not line.startswith("pid ")]
        return notes, pids

    def note(self, line: str) -> None:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(
                self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
            )
            os.write(self.fd, f"pid {_PID[0]}\n".encode())
        os.write(self.fd, (line.replace("\n", " ") + "\n").encode("utf-8", "surrogateescape"))

    def clear(self) -> None:
        """The build's state now records everything noted: the notes are no longer needed."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.path.unlink(missing_ok=True)


def temp_name(path: Path, pid: str | int) -> Path:
    """The temp file `write_atomic` uses for `path` in the process `pid`."""
    return path.with_name(f".{path.name}.{pid}.tmp")


def read_json(path: Path, default: Any) -> Any:
    """A state file, or `default` when it is missing or unreadable (caches can be rebuilt)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def dump_json(value: Any, pretty: bool = True) -> bytes:
    """Stable JSON: sorted keys; one item per line when a person may read or diff it."""
    if pretty:
        return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode(
            "utf-8"
        )
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def json_row(key: str, value: Any) -> str:
    """One item of a mapping written one item per line (the ledger: a seed's change is one
    line of a diff, and the C encoder does the work; the indenting encoder is pure Python,
    a third of a second at 10,000 records)."""
    line = functools.partial(json.dumps, sort_keys=True, ensure_ascii=False)
    return f"{line(key)}: {line(value)}"


def json_rows(head: dict, key: str, lines: list[str]) -> bytes:
    """`head` with `key` holding the mapping whose items `lines` are (sorted, from
    `json_row`), each on its own line."""
    start = json.dumps(head, sort_keys=True)[:-1]
    items = ",\n".join(lines)
    return f"{start}{', ' if len(start) > 1 else ''}{json.dumps(key)}: {{\n{items}\n}}}}\n".encode()


class FileHashes:
    """sha256 of files, re-read only when their stamp (see `stamp`) changed since last time.

    The hash, not the timestamp, is what decides whether anything is rebuilt: a touched but
    identical file hashes the same and changes nothing downstream. `table`: the build
    state's `seeds` table (state.Table), where the stamps and hashes are kept.
    """

    def __init__(self, table: Any) -> None:
        self.table = table
        self.known: dict[str, list] = table.load()
        self.seen: dict[str, list] = {}

    def sha(
        self, file: Path | str, data: bytes | None = None, known: Stamp | None = None
    ) -> str | None:
        """`known`: the file's stamp as the stat check took it at the start of the build
        (saves a stat per file); never trusted for a file this build already wrote."""
        key = str(file)
        now = self._stamp(key, file, known)
        if now is None:
            return None
        if data is None and self._same(key, now):
            return self.seen[key][4]
        if data is None:
            try:
                data = Path(file).read_bytes()
            except OSError:
                return None
        digest = hashlib.sha256(data).hexdigest()
        self.seen[key] = [*now, digest]
        return digest

    def unchanged(self, file: Path | str, known: Stamp | None = None) -> str | None:
        """The hash recorded for the file when its stamp is still the one recorded with it;
        None when it would have to be read (a caller that reads it anyway reads it once)."""
        key = str(file)
        now = self._stamp(key, file, known)
        return self.seen[key][4] if now is not None and self._same(key, now) else None

    def _stamp(self, key: str, file: Path | str, known: Stamp | None) -> Stamp | None:
        now = known if known is not None and key not in self.seen else file_stamp(file)
        return None if now is None or now in (OUTSIDE, UNREADABLE) else now

    def _same(self, key: str, now: Stamp) -> bool:
        old = self.known.get(key)
        if old and tuple(old[:4]) == now:
            self.seen[key] = old
            return True
        return False

    def save(self) -> None:
        """Keep only what this build looked at, so the table never grows with deleted paths
        (sync looks at every seed and every entry it made)."""
        if self.seen != self.known:
            self.table.save(self.seen)
