"""Benchmark: the HTML report (``churnlens.report.build_report``) end to end.

    python benchmarks/report.py --rows 1000000 [--lang en] [--repeat 2] [--seed 0]
        [--keep-store PATH]

Generates the seeded synthetic subscriptions of benchmarks/_synthetic.py (with
``mrr``, one currency, no cancellation reasons) into a DuckDB store, refreshes its
derived tables as ingest would, then builds the monthly report from
``Store.open(path, read_only=True)``: a first (cold) build, then ``--repeat``
warm builds. Each step's time comes from the report's progress callback.

Target: <= 30 s for 1,000,000 subscriptions. There is no baseline to compare
against: the figure is the wall-clock time a user waits for the file. Prints a
readable block and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import _synthetic

import churnlens
from churnlens.report import build_report

TARGET_ROWS, TARGET_SECONDS = 1_000_000, 30.0
_MB = 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    _ensure_revenue_api()
    with tempfile.TemporaryDirectory(prefix="churnlens-bench-") as tmp:
        store = Path(args.keep_store) if args.keep_store else Path(tmp, "bench.duckdb")
        build = _synthetic.ensure_store(store, args.rows, args.seed)
        runs = [_timed(store, Path(tmp, "report.html"), args.lang)]
        runs += [
            _timed(store, Path(tmp, "report.html"), args.lang)
            for _ in range(args.repeat)
        ]
    report = {
        "benchmark": "report",
        "rows": args.rows,
        "lang": args.lang,
        "cold_s": runs[0]["seconds"],
        "cold_cpu_s": runs[0]["cpu_seconds"],
        "warm_min_s": min(r["seconds"] for r in runs[1:]) if args.repeat else None,
        "steps_cold_s": runs[0]["steps"],
        "html_mb": runs[0]["html_mb"],
        "store": {k: build.get(k) for k in ("generate_s", "reused", "customers")},
        "target": f"<= {TARGET_SECONDS:g} s at {TARGET_ROWS:,} rows",
        "machine": f"{platform.machine()}, {platform.python_version()}",
    }
    _print(report)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, required=True, help="subscriptions to generate")
    p.add_argument("--lang", default="en")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep-store", metavar="PATH", help="keep (and reuse) the store")
    return p.parse_args(argv)


def _ensure_revenue_api() -> None:
    """The report's revenue and cohort sections need these public functions; take
    them from their modules while ``churnlens`` does not export them yet."""
    from churnlens.metrics.cohorts import cohort_table
    from churnlens.metrics.revenue import mrr_movements, revenue_churn

    for name, function in (
        ("mrr_movements", mrr_movements),
        ("revenue_churn", revenue_churn),
        ("cohort_table", cohort_table),
    ):
        if not hasattr(churnlens, name):
            setattr(churnlens, name, function)


def _timed(store: Path, output: Path, lang: str) -> dict[str, Any]:
    marks: list[tuple[str, float]] = []

    def progress(done: int, total: int, step: str) -> None:
        marks.append((step, time.perf_counter()))

    began, cpu = time.perf_counter(), time.process_time()
    data = churnlens.Store.open(store, read_only=True)
    build_report(data, output=output, lang=lang, progress=progress)
    seconds = time.perf_counter() - began
    # CPU of the whole process, DuckDB's threads included: on a shared machine
    # it says more than the wall clock about the work itself.
    cpu_seconds = time.process_time() - cpu
    steps = {
        step: round(end - start, 3)
        for (step, start), (_, end) in zip(marks, marks[1:], strict=False)
    }
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "steps": steps,
        "html_mb": round(output.stat().st_size / _MB, 2),
    }


def _print(report: dict[str, Any]) -> None:
    print(f"report, {report['rows']:,} subscriptions, lang={report['lang']}")
    print(
        f"  cold build: {report['cold_s']:.2f} s   warm (min): {report['warm_min_s']} s"
    )
    for step, seconds in report["steps_cold_s"].items():
        print(f"    {step:<32} {seconds:7.2f} s")
    print(f"  HTML: {report['html_mb']} MB   target: {report['target']}")
    print(json.dumps(report))


if __name__ == "__main__":
    raise SystemExit(main())
