"""Point-in-time features: hand-checked values, and no leakage from after as_of."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from churnlens.errors import ConfigError
from churnlens.models.risk.features import FEATURES, risk_features, risk_target

T = pd.Timestamp("2026-03-01")
NaT = pd.NaT


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _subs(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "customer_id",
        "started_at",
        "ended_at",
        "mrr",
        "plan",
        "billing_period",
        "canceled_at",
        "currency",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("started_at", "ended_at", "canceled_at"):
        frame[c] = pd.to_datetime(frame[c], format="mixed")
    return frame


def _tickets(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "ticket_id",
        "customer_id",
        "created_at",
        "first_response_at",
        "resolved_at",
        "satisfaction",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("created_at", "first_response_at", "resolved_at"):
        frame[c] = pd.to_datetime(frame[c], format="mixed")
    frame["satisfaction"] = frame["satisfaction"].astype("float64")
    return frame


def _constructed() -> dict[str, pd.DataFrame]:
    subs = _subs(
        [
            ("A", "2025-01-10", "2025-12-15", 100.0, "team", "monthly", None, "EUR"),
            ("A", "2025-12-15", None, 125.0, "team", "monthly", None, "EUR"),
            (
                "B",
                "2025-06-01",
                "2026-06-01",
                50.0,
                "starter",
                "annual",
                "2026-02-01",
                "USD",
            ),
            ("C", "2025-06-01", "2026-02-01", 50.0, "starter", "monthly", None, "USD"),
            ("D", "2026-03-05", None, 50.0, "starter", "monthly", None, "USD"),
        ]
    )
    tickets = _tickets(
        [
            ("t1", "A", "2026-02-10", "2026-02-11 06:00", None, None),
            ("t2", "A", "2026-01-05", "2026-01-05 02:00", "2026-01-06", 1),
            ("t3", "A", "2026-02-28 12:00", "2026-03-02", None, None),
            ("t4", "A", "2026-02-20", "2026-02-20 01:00", "2026-03-05", 1),
        ]
    )
    weeks = pd.date_range("2025-01-13", "2026-03-09", freq="7D")
    activity = pd.DataFrame(
        {"customer_id": "A", "occurred_at": weeks, "event": "login", "quantity": 10.0}
    )
    customers = pd.DataFrame(
        {
            "customer_id": list("ABCD"),
            "segment": "smb",
            "country": "PL",
            "owner": ["Ann", "Bob", "Cy", "Di"],
        }
    )
    return {
        "subscriptions": subs,
        "tickets": tickets,
        "activity": activity,
        "customers": customers,
    }


def test_constructed_customer_values() -> None:
    f = risk_features(_constructed(), as_of=T).set_index("customer_id")
    assert list(f.index) == ["A", "B"]  # C left before T, D starts after it
    a, b = f.loc["A"], f.loc["B"]
    assert a.tenure_days == pytest.approx((T - ts("2025-01-10")).days)
    assert a.mrr == 125
    assert a.mrr_change_30d_pct == 0
    assert a.mrr_change_90d_pct == pytest.approx(25)
    assert a.price_increase_90d == 1 and a.upgrade_90d == 0
    assert a.open_tickets == 3  # t1, t3 and t4 (resolved only after T)
    assert a.open_over_7d == 2  # t1 and t4
    assert a.oldest_open_days == pytest.approx(19)
    assert a.unanswered_tickets == 1  # t3 is answered after T
    assert a.first_response_hours_90d == pytest.approx((30 + 2 + 1) / 3)
    assert a.bad_ratings_90d == 1  # t4's rating comes with its later resolution
    assert a.satisfaction_mean == 1
    assert a.tickets_30d == 3 and a.tickets_90d == 4
    # Weekly logins of 10: the 30 days before T hold 4 or 5 weeks.
    assert a.usage_30d in (40, 50) and a.usage_7d == 10
    weeks = pd.date_range("2025-01-13", "2026-03-09", freq="7D")
    before = (
        (weeks >= T - pd.Timedelta(days=210)) & (weeks < T - pd.Timedelta(days=30))
    ).sum()
    per_30 = 10 * before / 180 * 30
    assert a.usage_change_30d == pytest.approx(a.usage_30d / per_30 - 1)
    assert a.cancel_requested == 0 and a.owner == "Ann" and a.plan == "team"
    assert b.cancel_requested == 1 and b.canceled_at == ts("2026-02-01")
    assert b.days_to_renewal == pytest.approx((ts("2026-06-01") - T).days)
    assert b.billing_period == "annual" and b.usage_30d == 0


def test_target_and_censoring() -> None:
    data = _constructed()
    y = risk_target(data, as_of=T, horizon_days=90).set_index("customer_id")
    assert y.churned.to_dict() == {"A": 0, "B": 0}
    y = risk_target(data, as_of="2026-01-01", horizon_days=31)
    assert y.set_index("customer_id").churned.to_dict() == {"A": 0, "B": 0, "C": 1}
    with pytest.raises(ConfigError, match="after the data's end"):
        risk_target(data, as_of="2026-05-01", horizon_days=90)


# --- no leakage ---------------------------------------------------------------------

START = pd.Timestamp("2025-01-01")


def _at(day: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=day)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    subs, tickets, activity = [], [], []
    for c in range(draw(st.integers(1, 5))):
        cid = f"C{c}"
        day = draw(st.floats(0, 300))
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.one_of(st.none(), st.floats(0.5, 400)))
            end = None if length is None else day + length
            cancel = draw(st.one_of(st.none(), st.floats(0, 1)))
            cancel_at = (
                None if cancel is None or end is None else day + cancel * (end - day)
            )
            subs.append(
                (
                    cid,
                    _at(day),
                    _at(end) if end else NaT,
                    draw(st.sampled_from([10.0, 20.0, 35.0])),
                    draw(st.sampled_from(["starter", "team"])),
                    draw(st.sampled_from(["monthly", "annual"])),
                    _at(cancel_at) if cancel_at is not None else NaT,
                    "EUR",
                )
            )
            if end is None:
                break
            day = end + draw(st.sampled_from([0.0, 5.0, 40.0]))
        for k in range(draw(st.integers(0, 4))):
            created = draw(st.floats(0, 500))
            fr = draw(st.one_of(st.none(), st.floats(0.01, 30)))
            res = draw(st.one_of(st.none(), st.floats(0.01, 60)))
            tickets.append(
                (
                    f"{cid}-{k}",
                    cid,
                    _at(created),
                    _at(created + fr) if fr else NaT,
                    _at(created + res) if res else NaT,
                    draw(st.one_of(st.none(), st.integers(1, 5))),
                )
            )
        for _ in range(draw(st.integers(0, 6))):
            activity.append(
                (
                    cid,
                    _at(draw(st.floats(0, 500))),
                    draw(st.sampled_from(["login", "payment_failed"])),
                    float(draw(st.integers(1, 9))),
                )
            )
    return {
        "subscriptions": _subs(subs),
        "tickets": _tickets(tickets),
        "activity": pd.DataFrame(
            activity, columns=["customer_id", "occurred_at", "event", "quantity"]
        ).astype({"occurred_at": "datetime64[ns]"}),
    }


def known_at(data: dict[str, pd.DataFrame], t: pd.Timestamp) -> dict:
    """What a system that stopped at ``t`` would hold: nothing dated after it."""
    s = data["subscriptions"]
    s = s[s.started_at < t].copy()
    pending = s.canceled_at.notna() & (s.canceled_at <= t)
    s.loc[(s.ended_at > t) & ~pending, "ended_at"] = NaT
    s.loc[s.canceled_at > t, "canceled_at"] = NaT
    k = data["tickets"]
    k = k[k.created_at < t].copy()
    k.loc[k.first_response_at >= t, "first_response_at"] = NaT
    later = k.resolved_at >= t
    k.loc[later, "satisfaction"] = np.nan
    k.loc[later, "resolved_at"] = NaT
    a = data["activity"]
    return {"subscriptions": s, "tickets": k, "activity": a[a.occurred_at < t]}


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=histories(), cut=st.floats(60, 420))
def test_data_after_as_of_changes_no_feature(data: dict, cut: float) -> None:
    t = _at(cut).floor("s")
    full = risk_features(data, as_of=t)
    cut_off = risk_features(known_at(data, t), as_of=t)
    pd.testing.assert_frame_equal(full, cut_off)
    assert set(FEATURES) <= set(full.columns)


def test_bad_as_of() -> None:
    with pytest.raises(ConfigError, match="not a date"):
        risk_features(_constructed(), as_of="someday")


def test_features_on_a_store(demo_store) -> None:  # noqa: ANN001
    f = risk_features(demo_store, as_of=dt.date(2026, 6, 1))
    assert f.customer_id.is_unique and len(f) > 500
    assert f.cancel_requested.between(0, 1).all()
    assert (f.tenure_days > 0).all() and (f.days_to_renewal > 0).all()
