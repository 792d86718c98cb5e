"""Run independent blocks of work in-process or on Dask (`dask.distributed`).

Why: a large multiverse outgrows one process. The blocks are deterministic functions of
their inputs (randomness is seeded per block of draws, never per worker), so the results
are the same bit for bit whether they run here, on a LocalCluster or on a remote cluster.

    scheduler=None      in-process, unless FISCALBOOK_DASK_SCHEDULER is set (then that)
    scheduler="local"   a LocalCluster of `n_workers` processes on this machine
    scheduler="tcp://host:8786"   an existing Dask cluster
"""

from __future__ import annotations

import os
import sys

from tqdm.auto import tqdm

ENV = "FISCALBOOK_DASK_SCHEDULER"


def resolve_scheduler(scheduler: str | None) -> str | None:
    return scheduler if scheduler is not None else (os.environ.get(ENV) or None)


def run_blocks(fn, shared, blocks, scheduler: str | None = None, n_workers: int | None = None,
               progress: bool = False) -> list:
    """[fn(shared, block) for block in blocks], in order, wherever it runs."""
    scheduler = resolve_scheduler(scheduler)
    if scheduler in (None, "", "inprocess"):
        return [fn(shared, b) for b in tqdm(blocks, disable=not progress, desc="blocks", unit="block")]
    from dask.distributed import Client, LocalCluster, progress as dask_progress

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0")
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        if progress:
            print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
        data = client.scatter(shared, broadcast=True)
        futures = client.map(fn, [data] * len(blocks), blocks, pure=False)
        if progress:
            dask_progress(futures)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
