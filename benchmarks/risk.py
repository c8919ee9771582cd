"""Benchmark: churn-risk features, scoring and training at scale.

    python benchmarks/risk.py --customers 1000000 [--jobs 1] [--seed 0] [--keep PATH]

Generates a seeded synthetic company (subscriptions with repricings and pending
cancellations, tickets, a fortnightly activity series over each customer's last
400 days) into a DuckDB file, then times:

* features for every customer in the base at the latest labelled date plus
  scoring them (target <= 60 s for 1M customers);
* training the model (3-fold calibration + final fit) on >= ``--customers``
  rows stacked over as-of dates (target <= 5 min on 2 cores);
* the top-1,000 contact-list reasons (tree SHAP) for information.

Prints a readable block and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.models.risk import (
    RiskModel,
    risk_features,
    risk_reasons,
    risk_target,
    score_table,
)
from churnlens.spells import spells

END = int(np.datetime64("2026-10-01T00:00:00", "s").astype(np.int64))
DAY = 86_400
TARGET_SCORE_S, TARGET_TRAIN_S = 60.0, 300.0


def generate(path: Path, n: int, seed: int) -> dict[str, int]:
    """Write subscriptions, customers, tickets and activity for ``n`` customers."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.arange(n).astype(str))
    segment = rng.choice(["smb", "mid_market", "enterprise"], n, p=[0.75, 0.2, 0.05])
    plan = rng.choice(["starter", "team", "business"], n, p=[0.5, 0.35, 0.15])
    annual = rng.uniform(size=n) < 0.3
    frailty = rng.gamma(1.5, 1 / 1.5, n)  # more tickets and more churn together
    start = END - rng.integers(30 * DAY, 3 * 365 * DAY, n)
    monthly_hazard = 0.03 * frailty * np.where(annual, 0.5, 1.0)
    life = rng.exponential(1 / monthly_hazard) * 30.4 * DAY
    end = start + life.astype(np.int64)
    ended = end < END
    base_mrr = np.where(plan == "starter", 19.0, np.where(plan == "team", 60.0, 250.0))
    mrr = base_mrr * rng.lognormal(0, 0.5, n)
    # A third of long-lived customers get a repricing: the row splits in two.
    split = rng.uniform(size=n) < 0.33
    cut = start + ((np.minimum(end, END) - start) * rng.uniform(0.3, 0.9, n)).astype(
        np.int64
    )
    canceled = np.where(ended, end - rng.integers(0, 30 * DAY, n), 0)
    first = pd.DataFrame(
        {
            "customer_id": ids,
            "started_at": start,
            "ended_at": np.where(split, cut, np.where(ended, end, 0)),
            "mrr": mrr,
            "plan": plan,
            "billing_period": np.where(annual, "annual", "monthly"),
            "canceled_at": np.where(~split & ended, canceled, 0),
            "currency": "EUR",
        }
    )
    second = first[split].assign(
        started_at=cut[split],
        ended_at=np.where(ended, end, 0)[split],
        mrr=mrr[split] * 1.15,
        canceled_at=np.where(ended, canceled, 0)[split],
    )
    subs = pd.concat([first, second], ignore_index=True)
    for c in ("started_at", "ended_at", "canceled_at"):
        values = subs[c].to_numpy().astype("datetime64[s]")
        subs[c] = np.where(subs[c].to_numpy() == 0, np.datetime64("NaT"), values)
    life_end = np.minimum(end, END)
    k = rng.poisson(2.0 * frailty)
    owner = np.repeat(np.arange(n), k)
    created = start[owner] + (
        (life_end[owner] - start[owner]) * rng.uniform(size=len(owner))
    ).astype(np.int64)
    wait = (rng.lognormal(1.5, 1.3, len(owner)) * 3600).astype(np.int64)
    solve = wait + (rng.lognormal(3, 1.5, len(owner)) * 3600).astype(np.int64)
    stuck = rng.uniform(size=len(owner)) < 0.03
    rated = rng.uniform(size=len(owner)) < 0.45
    tickets = pd.DataFrame(
        {
            "ticket_id": np.char.add("T", np.arange(len(owner)).astype(str)),
            "customer_id": ids[owner],
            "created_at": created.astype("datetime64[s]"),
            "first_response_at": (created + wait).astype("datetime64[s]"),
            "resolved_at": np.where(
                stuck, np.datetime64("NaT"), (created + solve).astype("datetime64[s]")
            ),
            "satisfaction": np.where(
                rated & ~stuck, rng.integers(1, 6, len(owner)), np.nan
            ),
        }
    )
    first_act = np.maximum(start, life_end - 400 * DAY)
    steps = ((life_end - first_act) // (14 * DAY)).astype(np.int64)
    who = np.repeat(np.arange(n), steps)
    offset = np.arange(len(who)) - np.repeat(np.cumsum(steps) - steps, steps)
    when = first_act[who] + offset * 14 * DAY
    # Usage fades over the last 60 days of a leaver's life.
    fade = np.where(ended[who] & (end[who] - when < 60 * DAY), 0.3, 1.0)
    activity = pd.DataFrame(
        {
            "customer_id": ids[who],
            "occurred_at": when.astype("datetime64[s]"),
            "event": "login",
            "quantity": rng.poisson(20 * fade).astype(float),
        }
    )
    customers = pd.DataFrame(
        {"customer_id": ids, "segment": segment, "country": "DE", "owner": "Team"}
    )
    con = duckdb.connect(str(path))
    for name, frame in (
        ("subscriptions", subs),
        ("customers", customers),
        ("tickets", tickets),
        ("activity", activity),
    ):
        arrow = pa.Table.from_pandas(frame, preserve_index=False)  # noqa: F841
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM arrow")
    con.close()
    return {
        "subscriptions": len(subs),
        "tickets": len(tickets),
        "activity": len(activity),
    }


def _tables(path: Path) -> dict[str, object]:
    con = ibis.duckdb.connect(str(path))
    tables = {
        n: con.table(n) for n in ("subscriptions", "customers", "tickets", "activity")
    }
    found = con.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'spells'"
    ).fetchone()
    if not found or not found[0]:
        # Materialised once, as ingest does for a store.
        con.create_table("spells", spells(tables["subscriptions"]))
    tables["spells"] = con.table("spells")
    return tables


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, required=True)
    p.add_argument("--jobs", type=int, default=1, help="LightGBM threads")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", metavar="PATH", help="keep (and reuse) the database")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="churnlens-risk-") as tmp:
        path = Path(args.keep) if args.keep else Path(tmp, "risk.duckdb")
        t0 = time.perf_counter()
        rows = {} if path.exists() else generate(path, args.customers, args.seed)
        generate_s = time.perf_counter() - t0
        report = _run(_tables(path), args)
    report.update(
        generate_s=round(generate_s, 1),
        rows=rows,
        customers=args.customers,
        python=platform.python_version(),
    )
    _print(report)
    return 0


def _run(tables: dict, args: argparse.Namespace) -> dict:
    last = dt.datetime(2026, 6, 1)
    dates = [last - dt.timedelta(days=90 + 30 * k) for k in range(12)]
    t0 = time.perf_counter()
    parts, n = [], 0
    for when in dates:
        f = risk_features(tables, as_of=when).merge(
            risk_target(tables, as_of=when), on="customer_id"
        )
        parts.append(f)
        n += len(f)
        if n >= args.customers:
            break
    train = pd.concat(parts, ignore_index=True)
    dataset_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = RiskModel(n_jobs=args.jobs).fit(train, train["churned"])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    features = risk_features(tables, as_of=last)
    features_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = model.predict_proba(features)
    score_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    top = features.assign(p=p).nlargest(1000, "p")
    risk_reasons(model, top)
    reasons_s = time.perf_counter() - t0
    y = risk_target(tables, as_of=last).set_index("customer_id").churned
    quality = score_table(y.loc[features.customer_id].to_numpy(), p)
    return {
        "train_rows": len(train),
        "train_dates": len(parts),
        "dataset_s": round(dataset_s, 1),
        "train_s": round(train_s, 1),
        "scored": len(features),
        "features_s": round(features_s, 1),
        "score_s": round(score_s, 1),
        "features_plus_score_s": round(features_s + score_s, 1),
        "reasons_top1000_s": round(reasons_s, 1),
        "roc_auc": round(quality["roc_auc"], 3),
        "jobs": args.jobs,
    }


def _print(r: dict) -> None:
    ok_score = "OK" if r["features_plus_score_s"] <= TARGET_SCORE_S else "SLOW"
    ok_train = "OK" if r["train_s"] <= TARGET_TRAIN_S else "SLOW"
    print(f"customers            {r['customers']:,} (generated in {r['generate_s']} s)")
    print(
        f"features + scoring   {r['features_plus_score_s']} s for {r['scored']:,} "
        f"in the base (features {r['features_s']} s, scoring {r['score_s']} s) "
        f"target <= {TARGET_SCORE_S:.0f} s: {ok_score}"
    )
    print(
        f"training             {r['train_s']} s on {r['train_rows']:,} rows "
        f"({r['train_dates']} as-of dates, built in {r['dataset_s']} s, "
        f"{r['jobs']} thread(s)) target <= {TARGET_TRAIN_S:.0f} s: {ok_train}"
    )
    print(f"reasons, top 1,000   {r['reasons_top1000_s']} s; ROC AUC {r['roc_auc']}")
    print(json.dumps(r, default=str))


if __name__ == "__main__":
    sys.exit(main())
