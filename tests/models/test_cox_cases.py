"""Generated counting-process rows shared by the Cox tests (no tests here)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COVARIATES = ["x1", "x2", "x3"]


def counting_process_rows(
    seed: int,
    *,
    n_ids: int = 30,
    max_rows: int = 4,
    grain: int = 3,
    p_event: float = 0.6,
    strata: bool = False,
) -> pd.DataFrame:
    """Random counting-process rows: 1..max_rows consecutive intervals per id with
    whole-number cut points (so stop times tie), ``x1`` and ``x3`` changing from
    one interval to the next, ``x2`` fixed per id, an event only on an id's last
    interval; ids start at time 0 or 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_ids):
        k = int(rng.integers(1, max_rows + 1))
        begin = float(rng.integers(0, 2))
        edges = begin + np.concatenate([[0], np.cumsum(rng.integers(1, grain + 1, k))])
        fixed = float(rng.integers(0, 2))
        stratum = int(rng.integers(0, 2))
        for j in range(k):
            rows.append(
                {
                    "customer_id": f"c{i}",
                    "start": float(edges[j]),
                    "stop": float(edges[j + 1]),
                    "event": int(j == k - 1 and rng.random() < p_event),
                    "x1": float(np.round(rng.normal(), 2)),
                    "x2": fixed,
                    "x3": float(rng.integers(0, 3)),
                    **({"segment": stratum} if strata else {}),
                }
            )
    return pd.DataFrame(rows)
