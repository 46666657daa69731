"""BigDict: a large cache dict saved as base + delta must always load back exactly what was
saved last, whatever mix of small and large changes came before. The atomic writer: exact
bytes, no temp file left, and a temp name no other process shares."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import stat

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdigest.store import BigDict, write_atomic


def test_a_small_change_writes_only_a_delta(tmp_path):
    path = tmp_path / "big.pickle"
    data = {f"k{i}": ("v", i) for i in range(2000)}
    BigDict(path).save(data)
    base = path.read_bytes()
    store = BigDict(path)
    loaded = store.load()
    assert loaded == data
    changed = dict(loaded, k7=("edited", 7))
    del changed["k9"]
    store.save(changed)
    assert path.read_bytes() == base  # the 2,000-row base was not rewritten
    assert path.with_name("big.delta.pickle").is_file()
    assert BigDict(path).load() == changed


def test_a_large_change_folds_the_delta_into_a_new_base(tmp_path):
    path = tmp_path / "big.pickle"
    data = {i: i for i in range(1000)}
    BigDict(path).save(data)
    store = BigDict(path)
    new = {i: -i for i in store.load()}
    store.save(new)
    assert not path.with_name("big.delta.pickle").exists()
    assert BigDict(path).load() == new


def test_a_delta_from_another_base_is_ignored(tmp_path):
    path = tmp_path / "big.pickle"
    BigDict(path).save({i: i for i in range(1000)})
    store = BigDict(path)
    store.save(dict(store.load(), extra=1))
    stale_delta = path.with_name("big.delta.pickle").read_bytes()
    fresh = BigDict(path)
    fresh.save({i: 0 for i in range(1000)})  # a new base (large change), its own token
    path.with_name("big.delta.pickle").write_bytes(stale_delta)  # a delta left from before
    assert BigDict(path).load() == {i: 0 for i in range(1000)}


def test_another_version_reads_as_empty(tmp_path):
    path = tmp_path / "big.pickle"
    BigDict(path, "v1").save({"a": 1})
    assert BigDict(path, "v2").load() == {}
    assert BigDict(path, "v1").load() == {"a": 1}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.integers(0, 300), st.integers(0, 3), max_size=300),
        min_size=1,
        max_size=6,
    )
)
def test_any_sequence_of_saves_loads_back_the_last(tmp_path_factory, versions):
    folder = tmp_path_factory.mktemp("bigdict")
    path = folder / "big.pickle"
    for version in versions:
        store = BigDict(path)
        store.load()
        store.save(version)
        assert BigDict(path).load() == version
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
