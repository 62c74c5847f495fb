"""Dask worker entry point for a team deployment (deploy/compose.yaml):

    dask worker tcp://scheduler:8786 --nthreads 1 --preload geo.dask_worker

The preload loads the geoparser and the admin boundaries from the gazetteer files when the
worker process starts, before any task, so the first partitions don't pay for it (the ingest
client registers the same loading as a WorkerPlugin too; loading twice is a no-op).
"""

from __future__ import annotations

import sys


async def dask_setup(worker: object) -> None:
    from geo.dask_ingest import load_pipeline, without_arrow

    without_arrow()
    state = load_pipeline()
    print(f"geo pipeline loaded in {state['load_seconds']:.1f} s "
          f"({state['rss_after_load'] >> 20} MB resident)", file=sys.stderr, flush=True)
