"""Benchmark: ``churnlens.churn_rate`` against the "pandas-straightforward" baseline.

    python benchmarks/churn_rate.py --rows 1000000 [--period month] [--repeat 3]
        [--seed 0] [--keep-store PATH]

Generates seeded synthetic subscriptions (benchmarks/_synthetic.py) into a DuckDB
store, refreshes the store's derived tables (spells) as ingest would, then:

* times ``churnlens.churn_rate(store, period=...)`` in a child process that only
  opens the store and computes, so its peak RSS (VmHWM) is the computation's alone;
  warm = after one untimed run, min and median of ``--repeat`` runs;
* times the baseline (benchmarks/_pandas_churn.py) in this process on the same
  subscriptions, already loaded into a DataFrame;
* checks that both tables are equal and exits 1 if they are not.

Prints a readable block and one JSON line. ``--keep-store PATH`` keeps the store and
reuses it on the next run with the same ``--rows`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _pandas_churn
import _synthetic
import duckdb
import numpy as np
import pandas as pd
from _machine import machine, proc_status_mb

BASELINE = "pandas-straightforward"
TARGET_ROWS, TARGET_SECONDS, TARGET_RSS_MB = 10_000_000, 1.0, 1024
_MB = 1024 * 1024
_STORE_FIELDS = (
    "store_mb",
    "generate_s",
    "refresh_s",
    "open_share",
    "reused",
)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return _child(args)
    with tempfile.TemporaryDirectory(prefix="churnlens-bench-") as tmp:
        store = Path(args.keep_store) if args.keep_store else Path(tmp, "bench.duckdb")
        build = _synthetic.ensure_store(store, args.rows, args.seed)
        api = _run_child(store, args.period, args.repeat, Path(tmp))
        baseline = _run_baseline(store, args.period, args.repeat)
    problems = _compare(api.get("table"), baseline.pop("table"))
    report = _report(args, build, api, baseline, problems)
    _print(report, problems)
    if "error" in api:
        return 2
    return 1 if problems else 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, required=True, help="subscriptions to generate")
    p.add_argument("--period", default="month")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep-store", metavar="PATH", help="keep (and reuse) the store")
    p.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# -- churnlens, in a child process ---------------------------------------------


def _run_child(store: Path, period: str, repeat: int, tmp: Path) -> dict[str, Any]:
    out = tmp / "child.pkl"
    command = [sys.executable, __file__, "--rows", "0", "--child", str(out)]
    command += ["--store", str(store), "--period", period, "--repeat", str(repeat)]
    # Peak RSS is read inside the child (VmHWM): getrusage(RUSAGE_CHILDREN) would
    # also count the pages the child shared with this process before exec.
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not out.exists():
        return {"error": (done.stderr or done.stdout).strip()[-2000:]}
    return pickle.loads(out.read_bytes())


def _child(args: argparse.Namespace) -> int:
    """Open the store and compute; nothing else runs in this process."""
    began = time.perf_counter()
    churn_rate, api_name = _api()
    store, store_kind = _open_store(Path(args.store))
    rss_ready = proc_status_mb("VmRSS")
    ready_s = time.perf_counter() - began
    cold = _timed(churn_rate, store, args.period)
    runs = [_timed(churn_rate, store, args.period) for _ in range(args.repeat)]
    peak = proc_status_mb("VmHWM")
    result = {
        "api": api_name,
        "store_kind": store_kind,
        "import_open_s": ready_s,
        "cold_s": cold[0],
        "warm_s": [t for t, _ in runs],
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": peak,
        "table": runs[-1][1] if runs else cold[1],
    }
    Path(args.child).write_bytes(pickle.dumps(result))
    return 0


def _api() -> tuple[Any, str]:
    import churnlens

    if hasattr(churnlens, "churn_rate"):
        return churnlens.churn_rate, "churnlens.churn_rate"
    from churnlens.metrics import churn_rate

    return churn_rate, "churnlens.metrics.churn_rate (not yet exported)"


def _open_store(path: Path) -> tuple[Any, str]:
    try:
        from churnlens.store import Store
    except ImportError:
        return _ShimStore(path), "shim (churnlens.store not written yet)"
    return Store.open(path, read_only=True), "Store.open(read_only=True)"


class _ShimStore:
    """The read-only face of a store, until churnlens.store exists."""

    def __init__(self, path: Path) -> None:
        import ibis

        self.path = path
        self.backend = ibis.duckdb.connect(str(path), read_only=True)

    def has_table(self, name: str) -> bool:
        return name in self.backend.list_tables()

    def table(self, name: str) -> Any:
        return self.backend.table(name)


def _timed(churn_rate: Any, store: Any, period: str) -> tuple[float, pd.DataFrame]:
    began = time.perf_counter()
    table = churn_rate(store, period=period)
    return time.perf_counter() - began, table


# -- the baseline --------------------------------------------------------------


def _run_baseline(store: Path, period: str, repeat: int) -> dict[str, Any]:
    began = time.perf_counter()
    con = duckdb.connect(str(store), read_only=True)
    subs = con.sql("SELECT customer_id, started_at, ended_at FROM subscriptions").df()
    con.close()
    load_s = time.perf_counter() - began
    times, spells_times, table = [], [], None
    for _ in range(max(repeat, 1)):
        parts: dict[str, float] = {}
        began = time.perf_counter()
        table = _pandas_churn.churn_table(subs, period=period, timings=parts)
        times.append(time.perf_counter() - began)
        spells_times.append(parts["spells_s"])
    return {
        "load_s": load_s,
        "times_s": times,
        "spells_s": spells_times[times.index(min(times))],
        "table": table,
    }


# -- checking and reporting ----------------------------------------------------


def _compare(api: pd.DataFrame | None, base: pd.DataFrame) -> list[str]:
    """Differences between the two tables, as readable lines (empty: equal)."""
    if api is None:
        return []
    columns = _pandas_churn.COLUMNS
    if list(api.columns) != columns:
        return [f"columns differ: {list(api.columns)} != {columns}"]
    if len(api) != len(base):
        return [f"{len(api)} periods from churnlens, {len(base)} from the baseline"]
    problems = []
    for column in columns:
        left, right = _comparable(api[column]), _comparable(base[column])
        if column.startswith(("churn_rate", "net_change")):
            same = np.isclose(left, right, rtol=1e-12, atol=0, equal_nan=True)
        else:
            same = left == right
        for i in np.flatnonzero(~same)[:5]:
            problems.append(
                f"{column} at {base['period_start'].iloc[i].date()}: "
                f"churnlens {left[i]} != baseline {right[i]}"
            )
    return problems


def _comparable(column: pd.Series) -> np.ndarray:
    if column.dtype.kind in "iufb":
        return column.to_numpy(dtype="float64", na_value=np.nan)
    stamps = pd.to_datetime(column)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.to_numpy(dtype="datetime64[us]")


def _report(
    args: argparse.Namespace,
    build: dict[str, Any],
    api: dict[str, Any],
    baseline: dict[str, Any],
    problems: list[str],
) -> dict[str, Any]:
    warm = api.get("warm_s") or [api.get("cold_s", float("nan"))]
    base_min = min(baseline["times_s"])
    return {
        "benchmark": "churn_rate",
        "rows": args.rows,
        "customers": build["customers"],
        "period": args.period,
        "repeat": args.repeat,
        "seed": args.seed,
        "machine": machine(),
        "duckdb": duckdb.__version__,
        "store": {k: build.get(k) for k in _STORE_FIELDS},
        "churnlens": {
            "api": api.get("api"),
            "store_kind": api.get("store_kind"),
            "error": api.get("error"),
            "cold_s": api.get("cold_s"),
            "warm_min_s": min(warm),
            "warm_median_s": statistics.median(warm),
            "peak_rss_mb": api.get("peak_rss_mb"),
            "rss_before_compute_mb": api.get("rss_ready_mb"),
        },
        "baseline": {
            "name": BASELINE,
            "min_s": base_min,
            "median_s": statistics.median(baseline["times_s"]),
            "spells_s": baseline["spells_s"],
            "load_s": baseline["load_s"],
        },
        "ratio": base_min / min(warm) if "error" not in api else None,
        "tables_equal": not problems if "error" not in api else None,
    }


def _print(r: dict[str, Any], problems: list[str]) -> None:
    c, b, s, m = r["churnlens"], r["baseline"], r["store"], r["machine"]
    reuse = " (reused)" if s["reused"] else ""
    lines = [
        f"churn_rate benchmark: {r['rows']:,} subscriptions, {r['customers']:,} "
        f"customers, period={r['period']}, seed={r['seed']}",
        f"machine: {m['cpus']} cores, {m['ram_gb']} GB RAM, python {m['python']}, "
        f"duckdb {r['duckdb']}, load average {m['load_avg_1m']} at the end",
        f"store{reuse}: {s['store_mb']} MB, generated in {s['generate_s']} s, "
        f"spells refresh {s['refresh_s']} s, "
        f"{s['open_share']:.0%} open",
    ]
    if c["error"]:
        lines.append(f"churnlens: FAILED\n{c['error']}")
    else:
        lines += [
            f"churnlens ({c['api']}, store: {c['store_kind']}):",
            f"  warm min {c['warm_min_s']:.3f} s, median {c['warm_median_s']:.3f} s "
            f"(cold {c['cold_s']:.3f} s){_target(r, 'time')}",
            f"  peak RSS {c['peak_rss_mb']:.0f} MB (of which "
            f"{c['rss_before_compute_mb']:.0f} MB before computing: interpreter, "
            f"imports, open store){_target(r, 'rss')}",
        ]
    lines += [
        f"{b['name']}: min {b['min_s']:.3f} s, median {b['median_s']:.3f} s",
        f"  of which spells (union of intervals) {b['spells_s']:.3f} s; churnlens "
        "reads the spells the store made at ingest (refresh above, not timed)",
        f"  from a DataFrame loaded beforehand in {b['load_s']:.2f} s (not timed)",
    ]
    if r["ratio"] is not None:
        lines.append(f"ratio {b['name']} / churnlens (min/min): {r['ratio']:.1f}x")
        lines.append("tables equal: " + ("yes" if not problems else "NO"))
    lines += [f"  {p}" for p in problems]
    print("\n".join(lines))
    print(json.dumps(r, default=str))


def _target(r: dict[str, Any], what: str) -> str:
    c = r["churnlens"]
    if what == "time":
        ok = c["warm_min_s"] <= TARGET_SECONDS
        text = f"<= {TARGET_SECONDS:.1f} s warm"
    else:
        ok = c["peak_rss_mb"] <= TARGET_RSS_MB
        text = f"<= {TARGET_RSS_MB / 1024:.0f} GB"
    at = f"{TARGET_ROWS:,} rows"
    if r["rows"] != TARGET_ROWS:
        return f"   [target at {at}: {text}]"
    return f"   [target {text}: {'met' if ok else 'NOT met'}]"


if __name__ == "__main__":
    sys.exit(main())
