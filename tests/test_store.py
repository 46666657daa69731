"""The build state (state.State): a table always loads back exactly what was saved last,
whatever mix of changes came before; a save writes only the rows that changed; another
version's rows read as empty; a store of another schema, or a damaged one, is rebuilt and
said so, never trusted. The atomic writer: exact bytes, no temp file left, and a temp name
no other process shares."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdigest.state import FILE, Damaged, State
from newsdigest.store import write_atomic


def _fresh(folder) -> State:
    """A new connection, as the next build's process would open it."""
    return State(folder)


def test_a_small_change_writes_only_the_rows_that_changed(tmp_path):
    state = State(tmp_path)
    data = {f"k{i}": ("v", i) for i in range(2000)}
    state.table("outputs").save(data)
    state.commit()
    state = _fresh(tmp_path)
    table = state.table("outputs")
    loaded = table.load()
    assert loaded == data
    changed = dict(loaded, k7=("edited", 7))
    del changed["k9"]
    table.save(changed)
    assert sum(len(rows) for rows in state.staged.values()) == 2  # one upsert, one delete
    state.commit()
    assert _fresh(tmp_path).table("outputs").load() == changed


def test_nothing_is_written_before_the_commit(tmp_path):
    state = State(tmp_path)
    state.table("entries").save({"a": 1})
    assert _fresh(tmp_path).table("entries").load() == {}  # a kill here leaves the old state
    state.commit()
    assert _fresh(tmp_path).table("entries").load() == {"a": 1}


def test_another_version_reads_as_empty(tmp_path):
    state = State(tmp_path)
    state.table("entries", "v1").save({"a": 1})
    state.commit()
    assert _fresh(tmp_path).table("entries", "v2").load() == {}
    state = _fresh(tmp_path)
    state.table("entries", "v1").save({"b": 2})
    state.commit()
    assert _fresh(tmp_path).table("entries", "v1").load() == {"b": 2}


def test_a_store_of_another_schema_is_rebuilt_and_said_so(tmp_path):
    state = State(tmp_path)
    state.table("outputs").save({"a": 1})
    state.commit()
    state.db.execute("pragma user_version = 1")
    state.close()
    again = State(tmp_path)
    assert again.problem and "another schema" in again.problem
    assert again.table("outputs").load() == {}


def test_a_damaged_store_is_never_trusted(tmp_path):
    """Damage SQLite finds when it reads a page raises Damaged (the build then discards the
    store and starts again without it); a file that is no database at all is found on open."""
    state = State(tmp_path)
    state.table("outputs").save({f"k{i}": "x" * 500 for i in range(500)})
    state.commit()
    state.db.execute("pragma wal_checkpoint(truncate)")
    state.close()
    path = tmp_path / FILE
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the schema overwritten
    path.write_bytes(bytes(data))
    with pytest.raises(Damaged):
        State(tmp_path).table("outputs").load()
    State.discard(tmp_path)
    assert State(tmp_path).table("outputs").load() == {}
    (tmp_path / FILE).write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / (FILE + suffix)).unlink(missing_ok=True)
    assert State(tmp_path).problem


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.integers(0, 300).map(str), st.integers(0, 3), max_size=300),
        min_size=1,
        max_size=6,
    )
)
def test_any_sequence_of_saves_loads_back_the_last(tmp_path_factory, versions):
    folder = tmp_path_factory.mktemp("state")
    state = State(folder)
    for version in versions:
        state.table("outputs").save(version)
        state.commit()
        assert state.table("outputs").load() == version
        assert _fresh(folder).table("outputs").load() == version
    state.close()
    shutil.rmtree(folder)


def test_write_atomic_writes_new_replaces_old_and_leaves_no_temp_file(tmp_path):
    big = bytes(range(256)) * 40_000  # 10 MB: more than one write() may take
    target = tmp_path / "entries" / "new-folder" / "index.html"
    write_atomic(target, big)
    assert target.read_bytes() == big
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # as open() would make it


def _temp_suffix(_: object) -> bool:
    import newsdigest.store

    return newsdigest.store._PID[0] == os.getpid()


def test_a_forked_worker_names_its_temp_files_by_its_own_pid():
    """Two processes writing the same page must never share a temp file name."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_temp_suffix, [None]) == [True]
