"""Outreach log, holdout assignment, saved lists and the uplift report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import churnlens
from churnlens.actions.outreach import (
    OUTREACH_COLUMNS,
    REPORT_COLUMNS,
    log_outreach,
    outreach_log,
    outreach_report,
    save_contact_list,
    uplift_interval,
)

# Newcombe (1998), Stat Med 17:873, Table II, method 10 (hybrid score).
NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE)
def test_uplift_interval_matches_newcombe_table(counts, published) -> None:
    d, lower, upper = uplift_interval(*[np.array([v]) for v in counts])
    assert d[0] == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert (lower[0], upper[0]) == pytest.approx(published, abs=6e-5)


def test_uplift_interval_is_nan_without_a_group() -> None:
    d, lower, upper = uplift_interval([3], [5], [0], [0])
    assert np.isnan(d[0]) and np.isnan(lower[0]) and np.isnan(upper[0])


# -- the log ---------------------------------------------------------------------


def test_log_outreach_stores_and_classifies(demo_store) -> None:
    row = log_outreach(
        demo_store,
        "C00002",
        outcome="saved",
        reason="Too expensive for a team our size",
        offer="20% off for a year",
        at="2026-07-01T10:00:00+02:00",
        by="Ann Lee",
        note="wants annual billing",
    )
    assert row["outreach_id"] == 1 and row["reason"] == "price"
    assert row["contacted_at"] == pd.Timestamp("2026-07-01 08:00").to_pydatetime()
    log_outreach(demo_store, "C00003", outcome="no_answer")
    coded = log_outreach(demo_store, "C00003", outcome="lost", reason="competitor")
    assert coded["reason"] == "switched_to_competitor"
    log = outreach_log(demo_store)
    assert list(log.columns) == list(OUTREACH_COLUMNS)
    assert list(log["outreach_id"]) == [1, 2, 3]
    assert log.loc[0, "offer"] == "20% off for a year"
    assert log.loc[0, "contacted_by"] == "Ann Lee"
    assert log.loc[1, "reason"] is None
    assert list(outreach_log(demo_store, customer_id="C00003")["outcome"]) == [
        "no_answer",
        "lost",
    ]


def test_log_outreach_unknown_customer_says_which_are_near(demo_store) -> None:
    with pytest.raises(churnlens.InputError, match="no customer 'C0002'") as e:
        log_outreach(demo_store, "C0002", outcome="saved")
    assert "C00002" in (e.value.hint or "")


def test_log_outreach_never_creates_a_store(tmp_path) -> None:
    with pytest.raises(churnlens.InputError, match="no churnlens store here"):
        log_outreach(tmp_path / "typo.duckdb", "C00002", outcome="saved")
    assert not (tmp_path / "typo.duckdb").exists()


def test_log_outreach_rejects_an_unknown_outcome(demo_store) -> None:
    with pytest.raises(churnlens.ConfigError, match="unknown outreach outcome"):
        log_outreach(demo_store, "C00002", outcome="won")


def test_outreach_log_of_a_fresh_store_is_empty(demo_store) -> None:
    assert outreach_log(demo_store).empty


def test_log_needs_a_writable_store(demo_store) -> None:
    store = churnlens.Store.open(demo_store, read_only=True)
    with store, pytest.raises(churnlens.InputError, match="read-only"):
        log_outreach(store, "C00002", outcome="saved")


def test_logged_contact_is_linked_to_its_list(demo_store, contact_table) -> None:
    save_contact_list(demo_store, contact_table)
    before = log_outreach(demo_store, "C00003", outcome="saved", at="2026-06-01")
    held = log_outreach(demo_store, "C00003", outcome="saved", at="2026-07-02")
    assert before["list_id"] is None and not before["holdout"]
    assert held["list_id"] == 1 and held["holdout"]


# -- the report on constructed data --------------------------------------------------


def _experiment(tmp_path, groups, *, as_of="2025-01-01"):
    """A store whose list holds, per (holdout, retained, n, mrr) group, n customers
    that stay (open subscription) or leave 30 days after ``as_of``."""
    start, t0 = pd.Timestamp("2023-01-01"), pd.Timestamp(as_of)
    subs, rows = [], []
    k = 0
    for holdout, retained, n, mrr in groups:
        for _ in range(n):
            k += 1
            cid = f"X{k:05d}"
            end = None if retained else t0 + pd.Timedelta(days=30)
            subs.append((f"S{k}", cid, start, end, mrr))
            rows.append((cid, mrr, holdout))
    # A late customer so that the data reach past the horizon.
    subs.append(("S0", "LATE", pd.Timestamp("2026-01-01"), None, 1.0))
    frame = pd.DataFrame(
        subs,
        columns=["subscription_id", "customer_id", "started_at", "ended_at", "mrr"],
    )
    path = tmp_path / "subscriptions.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    db = tmp_path / "x.duckdb"
    churnlens.ingest([path], db=db)
    table = pd.DataFrame(rows, columns=["customer_id", "mrr", "holdout"])
    save_contact_list(db, table, as_of=as_of)
    return db, table


def test_report_uplift_on_known_groups(tmp_path) -> None:
    db, table = _experiment(
        tmp_path,
        [
            (False, True, 140, 100.0),
            (False, False, 60, 100.0),
            (True, True, 50, 100.0),
            (True, False, 50, 100.0),
        ],
    )
    treated = table[~table["holdout"]]["customer_id"].tolist()
    kept, gone = treated[:140], treated[140:]
    for cid in kept[:30]:
        log_outreach(db, cid, outcome="saved", reason="the price", at="2025-01-10")
    for cid in gone[:10]:
        log_outreach(
            db, cid, outcome="lost", reason="we moved to a competitor", at="2025-01-12"
        )
    log_outreach(db, kept[0], outcome="callback", at="2024-12-01")  # before the list
    held = table[table["holdout"]]["customer_id"].iloc[0]
    log_outreach(db, held, outcome="no_answer", at="2025-01-05")
    report = outreach_report(db, horizon_days=90)
    row = report.lists.iloc[0]
    assert list(report.lists.columns) == list(REPORT_COLUMNS)
    assert (row.customers, row.treatment, row.holdout) == (300, 200, 100)
    assert (row.contacted, row.saved, row.lost, row.holdout_contacted) == (
        40,
        30,
        10,
        1,
    )
    assert row.saved_mrr == 3000.0 and row.retained_mrr == 3000.0
    assert row.retention_treatment == pytest.approx(0.7)
    assert row.retention_holdout == pytest.approx(0.5)
    assert row.retention_contacted == pytest.approx(30 / 40)
    assert row.uplift == pytest.approx(0.2)
    _, lower, upper = uplift_interval([140], [200], [50], [100])
    assert (row.uplift_lower, row.uplift_upper) == pytest.approx((lower[0], upper[0]))
    assert row.uplift_lower > 0.08 and row.uplift_upper < 0.32
    assert row.incremental_customers == pytest.approx(40.0)
    assert bool(row.horizon_complete)
    assert row.horizon_end == pd.Timestamp("2025-04-01")
    reasons = report.reasons.set_index("reason")
    assert (
        reasons.loc["price", "contacts"] == 30 and reasons.loc["price", "saved"] == 30
    )
    assert reasons.loc["switched_to_competitor", "lost"] == 10
    assert reasons["share"].sum() == pytest.approx(1.0)
    assert "uplift +20.0%" in str(report)


def test_report_recovers_a_simulated_uplift(tmp_path) -> None:
    rng = np.random.default_rng(3)
    n_t, n_h = 3000, 1000
    kept_t = int(rng.binomial(n_t, 0.8))
    kept_h = int(rng.binomial(n_h, 0.65))
    db, _ = _experiment(
        tmp_path,
        [
            (False, True, kept_t, 50.0),
            (False, False, n_t - kept_t, 50.0),
            (True, True, kept_h, 50.0),
            (True, False, n_h - kept_h, 50.0),
        ],
    )
    row = outreach_report(db).lists.iloc[0]
    assert row.uplift_lower < 0.15 < row.uplift_upper
    assert row.uplift_lower > 0.0


def test_report_measures_at_the_end_of_the_data(tmp_path) -> None:
    db, _ = _experiment(
        tmp_path, [(False, True, 5, 1.0), (True, True, 5, 1.0)], as_of="2025-12-01"
    )
    row = outreach_report(db, horizon_days=90).lists.iloc[0]
    assert not row.horizon_complete
    assert row.horizon_end == pd.Timestamp("2026-01-01")
    assert row.uplift == 0.0
    early = outreach_report(db, horizon_days=90, now="2025-12-20").lists.iloc[0]
    assert early.horizon_end == pd.Timestamp("2025-12-20")


def test_report_needs_a_saved_list(demo_store) -> None:
    with pytest.raises(churnlens.InputError, match="no contact list has been saved"):
        outreach_report(demo_store)
    with pytest.raises(churnlens.ConfigError, match="horizon_days"):
        outreach_report(demo_store, horizon_days=0)


def test_report_sums_mrr_in_one_currency(tmp_path) -> None:
    db, table = _experiment(
        tmp_path,
        [(False, True, 6, 100.0), (False, False, 2, 100.0), (True, True, 2, 1.0)],
    )
    priced = table.assign(currency=["EUR", "PLN"] * 5)
    list_id = save_contact_list(db, priced, as_of="2025-01-02")
    for cid in priced["customer_id"][:4]:
        log_outreach(db, cid, outcome="saved", at="2025-01-10")
    mixed = outreach_report(db, list_id=list_id)
    assert "several currencies (EUR, PLN)" in (mixed.note or "")
    assert np.isnan(mixed.lists.loc[0, "retained_mrr"])
    assert mixed.lists.loc[0, "uplift"] == pytest.approx(0.75 - 1.0)
    fx = pd.DataFrame(
        {"currency": ["EUR", "PLN"], "date": ["2024-01-01"] * 2, "rate": [1.0, 0.25]}
    )
    row = outreach_report(db, list_id=list_id, fx=fx, currency="EUR").lists.iloc[0]
    assert row.currency == "EUR"
    assert row.saved_mrr == pytest.approx(2 * 100 + 2 * 25)
    assert row.retained_mrr == pytest.approx(250.0)
    single = outreach_report(db, list_id=1).lists.iloc[0]
    assert single.currency is None and single.saved_mrr == pytest.approx(400.0)
