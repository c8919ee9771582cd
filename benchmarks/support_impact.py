"""Benchmark: ``CoxTimeVarying`` against lifelines' ``CoxTimeVaryingFitter``.

    python benchmarks/support_impact.py --rows 1000000 --covariates 10
        [--baseline-rows 50000,200000] [--repeat 3] [--seed 0]

Generates seeded synthetic counting-process rows (one per customer and 30-day
period of tenure; time in whole days, so event times tie as in real data) with
``--covariates`` covariates: support measures that change every period
(tickets, first-response hours, satisfaction, escalations), a plan and MRR that
stay fixed, and noise columns up to the count asked. The true log hazard ratios
are known (printed beside the estimates).

Then, in this process:

* times ``CoxTimeVarying().fit`` on all rows (min and median of ``--repeat``
  runs, one untimed warm-up), concordance included;
* times the named baseline, **lifelines-CoxTimeVaryingFitter** (same data, same
  Efron ties), on the first rows of the data (``--baseline-rows``, whole
  customers): a full fit takes minutes at 1M rows. Its Newton step loops over
  the distinct event times and masks all rows at each, so its time grows as
  rows x distinct event times; the time at ``--rows`` is extrapolated from the
  largest subsample by that product (not measured, and printed as such);
* checks that both fits agree on every subsample (coefficients and standard errors
  to 1e-6 relative, log-likelihood to 1e-9) and exits 1 if not.

Prints a readable block and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from churnlens.models.cox import CoxTimeVarying  # noqa: E402

BASELINE = "lifelines-CoxTimeVaryingFitter"
TARGET_ROWS, TARGET_SECONDS = 1_000_000, 15.0
PERIOD_DAYS, MAX_PERIODS = 30, 36
# Daily hazard at all covariates 0: about 30% of customers churn in a year.
BASE_HAZARD = 0.001
TRUE_EFFECTS = {
    "tickets": 0.15,
    "first_response_hours": 0.02,
    "satisfaction": -0.30,
    "escalated": 0.40,
    "plan_pro": -0.35,
    "plan_team": -0.20,
    "log_mrr": -0.25,
}


def synthetic_rows(rows: int, covariates: int, seed: int) -> pd.DataFrame:
    """About ``rows`` counting-process rows (exactly ``rows`` unless the last
    customer is cut) with ``covariates`` covariate columns."""
    rng = np.random.default_rng(seed)
    customers = int(rows / 9) + 1000
    horizon = rng.integers(1, MAX_PERIODS + 1, size=customers)  # censoring
    customer = np.repeat(np.arange(customers), horizon)
    period = np.arange(customer.size) - np.repeat(np.cumsum(horizon) - horizon, horizon)
    n = customer.size
    plan = rng.choice(3, size=customers, p=[0.5, 0.3, 0.2])[customer]
    columns = {
        "tickets": rng.poisson(1.2, n).astype("float64"),
        "first_response_hours": np.round(rng.gamma(2.0, 4.0, n), 1),
        "satisfaction": np.round(rng.normal(0.0, 1.0, n), 2),
        "escalated": (rng.random(n) < 0.08).astype("float64"),
        "plan_pro": (plan == 1).astype("float64"),
        "plan_team": (plan == 2).astype("float64"),
        "log_mrr": np.log(rng.lognormal(4.0, 0.6, customers))[customer],
    }
    for extra in range(max(0, covariates - len(columns))):
        columns[f"noise_{extra + 1}"] = rng.normal(0.0, 1.0, n)
    names = list(columns)[:covariates]
    eta = sum(TRUE_EFFECTS.get(c, 0.0) * columns[c] for c in names)
    # Exponential time to churn within each period at the period's hazard.
    wait = rng.exponential(1.0, n) / (BASE_HAZARD * np.exp(eta))
    churn_here = wait < PERIOD_DAYS
    start = period * PERIOD_DAYS
    stop = np.where(
        churn_here, start + np.maximum(np.ceil(wait), 1), start + PERIOD_DAYS
    )
    # Keep each customer's periods up to the first churn.
    churned_before = np.cumsum(churn_here) - churn_here
    offset = np.repeat(np.cumsum(horizon) - horizon, horizon)
    churned_before -= np.concatenate([[0], np.cumsum(churn_here)])[offset]
    keep = churned_before == 0
    frame = pd.DataFrame(
        {
            "customer_id": customer[keep],
            "start": start[keep].astype("float64"),
            "stop": stop[keep].astype("float64"),
            "event": churn_here[keep].astype("int8"),
            **{c: columns[c][keep] for c in names},
        }
    )
    # A customer cut at the row limit is censored at its last kept row.
    return frame.iloc[:rows].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    t0 = time.perf_counter()
    data = synthetic_rows(args.rows, args.covariates, args.seed)
    generate_s = time.perf_counter() - t0
    covariates = [c for c in data.columns if c not in _ROLES]
    ours = _time_ours(data, covariates, args.repeat)
    baseline = [_time_lifelines(data, covariates, size) for size in args.baseline_rows]
    report = _report(args, data, generate_s, ours, baseline)
    _print(report)
    return 0 if all(b["agrees"] for b in baseline) else 1


_ROLES = ("customer_id", "start", "stop", "event")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--covariates", type=int, default=10)
    p.add_argument(
        "--baseline-rows",
        type=lambda s: [int(v) for v in s.split(",") if v],
        default=[50_000, 200_000],
        help="comma-separated subsample sizes for lifelines ('' to skip)",
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def _time_ours(data: pd.DataFrame, covariates: list[str], repeat: int) -> dict:
    CoxTimeVarying().fit(data.iloc[:20_000], covariates=covariates)  # warm-up
    times, model = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        model = CoxTimeVarying().fit(data, covariates=covariates)
        times.append(time.perf_counter() - t0)
    return {
        "min_s": min(times),
        "median_s": statistics.median(times),
        "iterations": model.n_iter_,
        "concordance": model.concordance_,
        "events": model.n_events_,
        "coef": model.params_.to_dict(),
        "se": model.standard_errors_.to_dict(),
    }


def _time_lifelines(data: pd.DataFrame, covariates: list[str], size: int) -> dict:
    from lifelines import CoxTimeVaryingFitter

    sample = data.iloc[:size]
    sample = sample[sample["customer_id"] != sample["customer_id"].iloc[-1]]
    ours_s = []
    for _ in range(3):
        t0 = time.perf_counter()
        ours = CoxTimeVarying().fit(sample, covariates=covariates)
        ours_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = CoxTimeVaryingFitter().fit(
            sample[["customer_id", "start", "stop", "event", *covariates]],
            id_col="customer_id",
            event_col="event",
            fit_options={"precision": 1e-12},
        )
    seconds = time.perf_counter() - t0
    coef = np.max(np.abs(ours.params_.to_numpy() / ref.params_.to_numpy() - 1))
    se = np.max(
        np.abs(ours.standard_errors_.to_numpy() / ref.standard_errors_.to_numpy() - 1)
    )
    loglik = abs(ours.log_likelihood_ / ref.log_likelihood_ - 1)
    return {
        "rows": int(len(sample)),
        "seconds": seconds,
        "churnlens_s": min(ours_s),
        "ratio": seconds / min(ours_s),
        "event_times": int(np.unique(sample.loc[sample.event == 1, "stop"]).size),
        "max_rel_diff_coef": float(coef),
        "max_rel_diff_se": float(se),
        "rel_diff_loglik": float(loglik),
        "agrees": bool(coef < 1e-6 and se < 1e-6 and loglik < 1e-9),
    }


def _report(args, data, generate_s, ours, baseline) -> dict:
    report = {
        "rows": int(len(data)),
        "customers": int(data["customer_id"].nunique()),
        "covariates": int(len(data.columns) - len(_ROLES)),
        "events": ours["events"],
        "distinct_event_times": int(np.unique(data.loc[data.event == 1, "stop"]).size),
        "generate_s": round(generate_s, 2),
        "churnlens_min_s": round(ours["min_s"], 3),
        "churnlens_median_s": round(ours["median_s"], 3),
        "churnlens_iterations": ours["iterations"],
        "concordance": round(ours["concordance"], 4),
        "target_s": TARGET_SECONDS,
        "baseline": BASELINE,
        "baseline_runs": baseline,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "python": platform.python_version(),
        "estimates": {
            c: {
                "coef": ours["coef"][c],
                "se": ours["se"][c],
                "true": TRUE_EFFECTS.get(c, 0.0),
            }
            for c in ours["coef"]
        },
    }
    if baseline:
        largest = max(baseline, key=lambda b: b["rows"])
        growth = (len(data) / largest["rows"]) * (
            report["distinct_event_times"] / largest["event_times"]
        )
        report["baseline_extrapolated_s"] = round(largest["seconds"] * growth, 1)
        report["ratio_extrapolated"] = round(
            report["baseline_extrapolated_s"] / ours["min_s"], 1
        )
    return report


def _print(report: dict) -> None:
    print("support_impact benchmark: Cox with time-varying covariates")
    print(
        f"  data: {report['rows']:,} customer-period rows, {report['customers']:,} "
        f"customers, {report['covariates']} covariates, {report['events']:,} events at "
        f"{report['distinct_event_times']:,} distinct times (generated in "
        f"{report['generate_s']} s)"
    )
    print(
        f"  churnlens CoxTimeVarying.fit: min {report['churnlens_min_s']} s, median "
        f"{report['churnlens_median_s']} s ({report['churnlens_iterations']} Newton "
        f"iterations, concordance {report['concordance']}); target <= "
        f"{report['target_s']} s at {TARGET_ROWS:,} rows"
    )
    for run in report["baseline_runs"]:
        print(
            f"  {report['baseline']} on the first {run['rows']:,} rows: "
            f"{run['seconds']:.1f} s vs churnlens {run['churnlens_s']:.3f} s "
            f"(ratio {run['ratio']:.0f}x); agrees: {run['agrees']} (max rel. diff coef "
            f"{run['max_rel_diff_coef']:.1e}, se {run['max_rel_diff_se']:.1e})"
        )
    if "baseline_extrapolated_s" in report:
        print(
            f"  {report['baseline']} extrapolated to {report['rows']:,} rows: "
            f"{report['baseline_extrapolated_s']} s (scaled by rows x distinct event "
            "times; NOT measured) -> "
            f"ratio {report['ratio_extrapolated']}x"
        )
    print(f"  load average {report['load_average']:.2f} on {report['cpus']} CPUs")
    print(json.dumps(report, default=float))


if __name__ == "__main__":
    raise SystemExit(main())
