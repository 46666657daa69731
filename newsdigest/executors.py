"""The one place executors are made: a process pool here, or Dask for a cluster.

Both stages that fan out (per-seed work in workers.py, page rendering in render.py) ask for
an Executor with an initializer that installs what every task needs (the registry, the
templates) once per worker, then `map` plain functions over it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1


def kill_with_parent() -> None:
    """Linux: ask the kernel to SIGKILL this process when its parent dies (kept across exec,
    so it also serves a child program such as Pagefind, set in its preexec_fn)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def die_with_parent() -> None:
    """Make this process end when the one that started it does. A pool worker otherwise
    waits for its next task for ever after its build is killed with SIGKILL (which lets
    nothing clean up). Linux: the kernel sends SIGKILL on the parent's death (prctl);
    elsewhere, and as a second line, a thread notices the parent is gone."""
    parent = os.getppid()
    kill_with_parent()
    if os.getppid() != parent:  # died before the prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_start(initializer: Callable[..., None], *initargs: object) -> None:
    die_with_parent()
    initializer(*initargs)


@contextmanager
def open_executor(
    kind: str, jobs: int, initializer: Callable[..., None], initargs: tuple
) -> Iterator[Executor]:
    """`kind`: "process", "dask-local" (a LocalCluster of `jobs` workers) or "dask://HOST:PORT"."""
    if kind == "process":
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_worker_start, initargs=(initializer, *initargs)
        ) as pool:
            yield pool
        return
    from distributed import Client, LocalCluster  # the optional extra: newsdigest[dask]

    if kind == "dask-local":
        with (
            LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(initializer, *initargs)
            yield client.get_executor()
        return
    with Client(kind.removeprefix("dask://")) as client:
        client.run(initializer, *initargs)
        yield client.get_executor()
