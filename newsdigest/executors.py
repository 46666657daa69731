"""The one place executors are made: a process pool here, or Dask for a cluster.

Both stages that fan out (per-seed work in workers.py, page rendering in render.py) ask for
an Executor with an initializer that installs what every task needs (the registry, the
templates) once per worker, then `map` plain functions over it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager


@contextmanager
def open_executor(kind: str, jobs: int, initializer: Callable[..., None], initargs: tuple
                  ) -> Iterator[Executor]:
    """`kind`: "process", "dask-local" (a LocalCluster of `jobs` workers) or "dask://HOST:PORT"."""
    if kind == "process":
        with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
            yield pool
        return
    from distributed import Client, LocalCluster  # the optional extra: newsdigest[dask]

    if kind == "dask-local":
        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            client.run(initializer, *initargs)
            yield client.get_executor()
        return
    with Client(kind.removeprefix("dask://")) as client:
        client.run(initializer, *initargs)
        yield client.get_executor()
