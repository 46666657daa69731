"""The build state: one SQLite database beside site/ (in the cache folder, never in site/).

Lektor's lesson: everything a build remembers, what each input looked like and what each
output was made from, lives in one store with a schema, owned by one module, and changes
only in transactions. A build killed at any moment leaves the state of the last commit,
never half of one. The tables (each a key and a pickled value):

- `seeds`: a seed or entry file's stamp and sha256 (the stat-keyed hash cache);
- `cleaned`: a cleaned page (Article or Skip) by seed hash, code digest and boilerplate;
- `detected`: what people detection found in a cleaned page (people.Detected), same key;
- `names`: per seed, its hash and the folded words a registry could answer for, so a
  people.yaml edit re-resolves only the seeds naming a changed name;
- `entries`: per content/ file, its stamp, hash and parsed front matter (or its problem);
- `outputs`: per site/ file, the fingerprint it was made from, its bytes' hash, its
  dependencies, its template digest and its search key;
- `entry_state`: per entry, what other pages show of it (the page dependencies' values);
- `bodies`: an entry's body as HTML, by the code digest and the entry file's hash (render
  workers read it themselves, through `Reader`: a template edit re-renders 10,000 pages
  whose Markdown has not changed, and Markdown was 43 % of their rendering);
- `facts`: single values: the manifest, the stat check's record, the search index's
  record, the registry the entries were resolved with.

The edit ledger is not here: it lives in content/ as JSON, committed and read by people.
A store of an older schema, or one SQLite finds damaged, is never trusted: it is removed
and rebuilt, with one warning.
"""

from __future__ import annotations

import gc
import pickle
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = 7  # bump when a table's meaning changes: an older store is rebuilt, not trusted
FILE = "state.sqlite"  # in the cache folder (config.Paths.cache)
TABLES = (
    "seeds",
    "cleaned",
    "detected",
    "names",
    "profiles",
    "records",
    "entries",
    "outputs",
    "entry_state",
    "bodies",
    "facts",
)
# content-addressed: flushed when it pays
CACHES = frozenset({"cleaned", "detected", "profiles", "bodies"})
# the state files of versions before the store, removed when it is made
LEGACY = (
    "manifest.pickle",
    "outputs.pickle",
    "outputs.delta.pickle",
    "entry-state.pickle",
    "entry-state.delta.pickle",
    "entries.pickle",
    "entries.delta.pickle",
    "hashes.pickle",
    "unchanged.pickle",
    "search-base.pickle",
    "search-recent.pickle",
    "clean.sqlite",
)
_FLUSH_EVERY = 256  # staged rows of a cache table written in one go, so memory stays flat
_MISSING = object()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Unpickling 10,000 rows allocates ~100,000 objects, none of them garbage; the cyclic
    collector would sweep the growing heap over and over meanwhile (measured: a 6.6 MB
    table loaded in 0.14 s with it, 0.02 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _loads(blob: bytes) -> Any:
    try:
        return pickle.loads(blob)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return _MISSING


def _key(key: str) -> bytes:
    """A key as stored: UTF-8, with the bytes of a file name that is not UTF-8 kept as they
    are (surrogate escapes), so every path has its row."""
    return key.encode("utf-8", "surrogateescape")


def _unkey(blob: bytes) -> str:
    return blob.decode("utf-8", "surrogateescape")


def _rows(rows: list[tuple[bytes, bytes]]) -> dict:
    """A table's rows as a dict, pickle.loads mapped over the values in one go rather than a
    Python function called per row (the entries table, 10,000 rows: 148 → 108 ms, best of
    5); a row that does not unpickle is left out, as it would be read alone."""
    keys = [_unkey(key) for key, _ in rows]
    try:
        return dict(zip(keys, map(pickle.loads, [blob for _, blob in rows])))
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pairs = ((k, _loads(blob)) for k, (_, blob) in zip(keys, rows))
        return {k: v for k, v in pairs if v is not _MISSING}


def dumps(value: Any) -> bytes:
    """A value as the store keeps it (a pool worker packs its own result this way)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Damaged(Exception):
    """The store cannot be read or written: nothing in it is to be trusted."""


class Table:
    """One table, read whole (`load`) or by key (`get`); writes are staged until commit."""

    def __init__(self, state: State, name: str) -> None:
        self.state, self.name = state, name
        self.loaded: dict = {}
        self.generation: int | None = None  # of the rows `loaded` holds
        self.in_sync = False  # `loaded` holds every staged write too (`save` keeps it so)

    def load(self) -> dict:
        """Every row. Kept in memory between builds of one process (--watch) while the
        table's generation says no other connection changed it. Callers never change the
        returned dict in place: `save` is handed a new one."""
        if self.name in self.state.cleared:
            return self.loaded  # emptied in this transaction: only what was saved since
        generation = self.state.generation(self.name)
        if self.generation == generation:
            return self.loaded
        rows = self.state.query(f"select key, value from {self.name}").fetchall()
        with _gc_paused():
            self.loaded = _rows(rows)
        self.generation, self.in_sync = generation, not self.state.staged[self.name]
        return self.loaded

    def get(self, key: str) -> Any | None:
        with self.state.lock:
            return self._get(key)

    def _get(self, key: str) -> Any | None:
        staged = self.state.staged[self.name].get(key, _MISSING)
        if staged is not _MISSING:
            return None if staged is None else _loads(staged)
        if self.name in self.state.cleared:
            return None
        row = self.state.query(
            f"select value from {self.name} where key = ?", (_key(key),)
        ).fetchone()
        value = _loads(row[0]) if row else None
        return None if value is _MISSING else value

    def put(self, key: str, value: Any, packed: bytes | None = None) -> None:
        self.in_sync = False
        self.state.stage(self.name, key, packed if packed is not None else dumps(value))

    def delete(self, key: str) -> None:
        self.in_sync = False
        self.state.stage(self.name, key, None)

    def save(self, new: dict) -> None:
        """Record `new` (a new dict, never the loaded one changed in place): only the rows
        that differ are written."""
        old = self.loaded if self.generation is not None else self.load()
        if new is old:
            return
        was = self.in_sync
        for key, value in new.items():
            if old.get(key, _MISSING) != value:
                self.put(key, value)
        for key in old.keys() - new.keys():
            self.delete(key)
        self.loaded, self.in_sync = new, was

    def clear(self) -> None:
        self.state.cleared.add(self.name)
        self.state.staged[self.name].clear()
        self.loaded, self.generation, self.in_sync = {}, None, True


class Reader:
    """One table, read by key from another process (a render worker): its own read-only
    connection, and any trouble is a miss, never an error (the table is only a cache)."""

    def __init__(self, cache: Path, table: str) -> None:
        self.path, self.table = cache / FILE, table
        self.db: sqlite3.Connection | None = None

    def get(self, key: str) -> Any | None:
        try:
            if self.db is None:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            row = self.db.execute(
                f"select value from {self.table} where key = ?", (_key(key),)
            ).fetchone()
        except sqlite3.Error:
            return None
        value = _loads(row[0]) if row else None
        return None if value is _MISSING else value


class State:
    """The store of one site's build state. `State.open` gives one per cache folder and
    process, so --watch keeps its loaded tables between builds."""

    _open: dict[str, State] = {}
    _KEEP = 4  # stores kept open by one process (a test session builds hundreds of sites)

    @classmethod
    def open(cls, cache: Path) -> State:
        key = str(cache)
        state = cls._open.pop(key, None)
        if state is None or not state.path.exists():
            if state is not None:
                state.close()
            state = cls(cache)
        cls._open[key] = state  # the most recently used last
        while len(cls._open) > cls._KEEP:
            cls._open.pop(next(iter(cls._open))).close()
        return state

    @classmethod
    def discard(cls, cache: Path) -> None:
        """Close and delete the store of `cache` (it was found damaged)."""
        state = cls._open.pop(str(cache), None)
        if state is not None:
            state.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(cache / FILE) + suffix).unlink(missing_ok=True)

    @classmethod
    def forget_all(cls) -> None:
        """Close every open store (--clean removes the files; tests start afresh)."""
        for state in list(cls._open.values()):
            state.close()
        cls._open.clear()

    def __init__(self, cache: Path) -> None:
        cache.mkdir(parents=True, exist_ok=True)
        self.path = cache / FILE
        self.lock = threading.RLock()
        self.staged: dict[str, dict[str, bytes | None]] = {t: {} for t in TABLES}
        self.cleared: set[str] = set()
        self.tables = {t: Table(self, t) for t in TABLES}
        # why the store on disk was not trusted (the build warns of it once), or None
        self.problem = self._connect()
        if self.problem:
            self.problem += "; rebuilt, and nothing in it trusted"
            self.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            for old in LEGACY:
                (cache / old).unlink(missing_ok=True)
            self._connect()

    def _connect(self) -> str | None:
        """Open the database; a problem that makes it untrustworthy, or None."""
        # shared by the threads of one index update (each holds `lock` while it uses it)
        self.db = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        try:
            self.db.execute("pragma journal_mode = wal")
            self.db.execute("pragma synchronous = normal")
            version = self.db.execute("pragma user_version").fetchone()[0]
            names = {r[0] for r in self.db.execute("select name from sqlite_master")}
            if version == 0 and not names:
                self._create()
                for old in LEGACY:
                    (self.path.parent / old).unlink(missing_ok=True)
                return None
            if version != SCHEMA or not set(TABLES) <= names:
                return f"the build state {self.path.name} is of another schema ({version})"
        except sqlite3.DatabaseError as exc:
            return f"the build state {self.path.name} cannot be read ({exc})"
        return None

    def _create(self) -> None:
        self.db.execute("begin immediate")
        for name in TABLES:
            self.db.execute(
                f"create table if not exists {name} (key blob primary key, value blob)"
                " without rowid"
            )
        self.db.execute("create table if not exists generations (name text primary key, n int)")
        self.db.execute(f"pragma user_version = {SCHEMA}")
        self.db.execute("commit")

    def close(self) -> None:
        try:
            self.db.close()
        except (sqlite3.Error, AttributeError):
            pass

    def table(self, name: str, version: str | None = None) -> Table:
        """A table; `version`: its rows were made by this version of the code, and rows of
        another are dropped (a table of clean results made by older cleaners is no use)."""
        table = self.tables[name]
        if version is not None and self.fact(f"version:{name}") != version:
            table.clear()
            self.set_fact(f"version:{name}", version)
        return table

    def query(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """A read. A damaged page of the database (found only when read: checking the whole
        file on every open would cost a tenth of a second at 10,000 entries) raises Damaged,
        and the build discards the store and starts again without it."""
        try:
            return self.db.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise Damaged(f"the build state {self.path.name} cannot be read ({exc})") from exc

    def generation(self, name: str) -> int:
        row = self.query("select n from generations where name = ?", (name,)).fetchone()
        return row[0] if row else 0

    def fact(self, name: str) -> Any | None:
        return self.tables["facts"].get(name)

    def set_fact(self, name: str, value: Any) -> None:
        self.tables["facts"].put(name, value)

    def drop_fact(self, name: str) -> None:
        """Removed at once, in its own transaction (a record that must not outlive a build
        that is killed half-way)."""
        self.tables["facts"].delete(name)
        self.commit(only=("facts",))

    def stage(self, name: str, key: str, blob: bytes | None) -> None:
        with self.lock:
            staged = self.staged[name]
            staged[key] = blob
            if name in CACHES and len(staged) >= _FLUSH_EVERY:
                self.commit(only=(name,))

    def commit(self, only: tuple[str, ...] | None = None) -> None:
        """Write what is staged (of `only`, or of every table) in one transaction."""
        with self.lock:
            self._commit(only)

    def _rollback(self) -> None:
        """Undo the transaction, if SQLite has not already: an interrupted statement (Ctrl-C)
        or a full disk can end it, and a failed rollback must not take the place of what went
        wrong (a KeyboardInterrupt turned into an error the watch loop carries on after)."""
        try:
            if self.db.in_transaction:
                self.db.execute("rollback")
        except sqlite3.Error:
            pass

    def _commit(self, only: tuple[str, ...] | None) -> None:
        names = [n for n in (only or TABLES) if self.staged[n] or n in self.cleared]
        if not names:
            return
        try:
            self.db.execute("begin immediate")
        except sqlite3.DatabaseError as exc:
            raise Damaged(f"the build state {self.path.name} cannot be written ({exc})") from exc
        try:
            for name in names:
                if name in self.cleared:
                    self.db.execute(f"delete from {name}")
                rows = self.staged[name]
                self.db.executemany(
                    f"insert or replace into {name} values (?, ?)",
                    [(_key(k), v) for k, v in rows.items() if v is not None],
                )
                self.db.executemany(
                    f"delete from {name} where key = ?",
                    [(_key(k),) for k, v in rows.items() if v is None],
                )
                self.db.execute(
                    "insert into generations values (?, 1)"
                    " on conflict(name) do update set n = n + 1",
                    (name,),
                )
            self.db.execute("commit")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise Damaged(f"the build state {self.path.name} cannot be written ({exc})") from exc
        except BaseException:
            self._rollback()
            raise
        for name in names:
            table = self.tables[name]
            table.generation = self.generation(name) if table.in_sync else None
            self.staged[name] = {}
            self.cleared.discard(name)
