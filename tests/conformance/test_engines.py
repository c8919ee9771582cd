"""Every engine computes the same tables.

First the test infrastructure itself (a real PostgreSQL server, a local Spark
session: data goes in through ibis and comes back unchanged), then the churn table
on a fixed, deliberately awkward subscriptions data set, compared exactly with the
DuckDB result.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pytest

from churnlens import churn_rate
from churnlens.engines import connect, upload
from metrics._churn_cases import assert_same_table
from oracle.churn_reference import reference_churn_table

# --------------------------------------------------------------------------------------
# The infrastructure


def _roundtrip_frame() -> pd.DataFrame:
    """Timestamps with microseconds, at midnight, near DST changes, and a null."""
    stamps = pd.Series(
        pd.to_datetime(
            [
                "2023-01-01 00:00:00",
                "2023-03-26 01:30:00.000001",  # Europe/Warsaw's spring-forward hour
                "2023-10-29 00:59:59.999999",
                "2024-02-29 23:59:59.5",
                None,
            ],
            format="ISO8601",
        ),
        dtype="datetime64[us]",
    )
    return pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b", "c", "żółw", "e"], dtype="string"),
            "started_at": stamps,
            "n": pd.Series([1, 2, 3, 4, 5], dtype="int64"),
        }
    )


def _read_back(table: Any) -> pd.DataFrame:
    out = table.order_by("n").to_pyarrow().to_pandas()
    return out.astype(
        {"customer_id": "string", "started_at": "datetime64[us]", "n": "int64"}
    )


@pytest.mark.postgres
def test_postgres_server_roundtrips_timestamps(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://churnlens:")
    con = ibis.connect(postgres_url)
    try:
        expected = _roundtrip_frame()
        table = con.create_table("roundtrip", expected, overwrite=True)
        assert table.schema()["started_at"].is_timestamp()
        pdt.assert_frame_equal(_read_back(table), expected)
        con.drop_table("roundtrip")
    finally:
        con.disconnect()


@pytest.mark.postgres
def test_postgres_url_connects_through_postgres_connect(postgres_url: str) -> None:
    from urllib.parse import urlsplit

    url = urlsplit(postgres_url)
    con = ibis.postgres.connect(
        host=url.hostname,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.path.lstrip("/"),
    )
    try:
        assert con.raw_sql("SELECT current_user").fetchone() == ("churnlens",)
    finally:
        con.disconnect()


@pytest.mark.spark
def test_spark_session_is_configured(spark_session: Any) -> None:
    conf = spark_session.conf
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark_session.sparkContext.master == "local[2]"


@pytest.mark.spark
def test_spark_backend_roundtrips_timestamps(spark_backend: Any) -> None:
    expected = _roundtrip_frame()
    table = spark_backend.create_table("roundtrip", expected, overwrite=True)
    try:
        pdt.assert_frame_equal(_read_back(table), expected)
    finally:
        spark_backend.drop_table("roundtrip")


@pytest.mark.spark
def test_spark_backend_roundtrips_timestamps_in_memory(spark_backend: Any) -> None:
    expected = _roundtrip_frame()
    pdt.assert_frame_equal(
        _read_back(
            spark_backend.create_view(
                "roundtrip_view", ibis.memtable(expected), overwrite=True
            )
        ),
        expected,
    )


@pytest.mark.parametrize(
    "engine_name",
    [
        "duckdb",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("spark", marks=pytest.mark.spark),
    ],
)
def test_upload_keeps_empty_strings_empty(engine: Any) -> None:
    # Customer attributes are often empty: with by= such customers form the empty
    # segment.
    data = pa.table({"customer_id": ["a", "b"], "plan": ["pro", None]})
    table = upload(connect(engine), data, prefix="nulls")
    plans = table.order_by("customer_id").plan.to_pyarrow().to_pylist()
    assert plans == ["pro", None]


# --------------------------------------------------------------------------------------
# The churn table


def _awkward_subscriptions(seed: int = 20240229, n_random: int = 170) -> pd.DataFrame:
    """~200 customers over 2022-2024, built to sit on every kind of boundary.

    Hand-written customers cover starts and ends exactly on UTC and Europe/Warsaw
    period boundaries, Monday midnights, DST changes, zero-length, overlapping and
    nested subscriptions, gaps just under, at and over 10 days, reactivations and
    open subscriptions; seeded random customers fill in the rest.
    """
    rows = [
        # boundaries in UTC: month, quarter, year, ISO week (2023-01-02 is a Monday)
        ("edge-month", "2022-03-01", "2022-06-01"),
        ("edge-quarter", "2022-04-01", "2023-01-01"),
        ("edge-year", "2023-01-01", "2024-01-01"),
        ("edge-week", "2023-01-02", "2023-01-09"),
        ("edge-week-open", "2023-01-09", None),
        ("just-after", "2022-05-01 00:00:00.000001", "2022-08-01 00:00:00.000001"),
        ("just-before", "2022-04-30 23:59:59.999999", "2022-07-31 23:59:59.999999"),
        # boundaries in Europe/Warsaw (UTC+1 in winter, UTC+2 in summer)
        ("warsaw-winter", "2022-11-30 23:00:00", "2023-01-31 23:00:00"),
        ("warsaw-summer", "2022-05-31 22:00:00", "2022-09-30 22:00:00"),
        ("warsaw-week", "2023-02-05 23:00:00", "2023-02-12 23:00:00"),
        ("warsaw-dst-spring", "2023-03-26 00:30:00", "2023-03-26 01:30:00"),
        ("warsaw-dst-autumn", "2023-10-29 00:30:00", "2023-10-29 01:30:00"),
        ("warsaw-q", "2023-03-31 22:00:00", "2023-06-30 22:00:00"),
        # zero-length, alone and next to a real subscription
        ("zero", "2022-07-15 12:00:00", "2022-07-15 12:00:00"),
        ("zero-then-real", "2022-08-01", "2022-08-01"),
        ("zero-then-real", "2022-09-10 08:00:00", "2023-02-10 08:00:00"),
        # overlapping and nested
        ("overlap", "2022-02-10 09:15:00", "2022-06-20 17:45:00"),
        ("overlap", "2022-05-05 10:00:00", "2022-12-31 23:59:59"),
        ("nested", "2022-01-15", "2023-06-15"),
        ("nested", "2022-03-01", "2022-04-01"),
        ("same-start", "2022-10-01", "2022-11-01"),
        ("same-start", "2022-10-01", "2023-10-01"),
        # back to back (touching) and gaps around 10 days
        ("touching", "2022-01-20", "2022-02-20"),
        ("touching", "2022-02-20", "2022-03-20"),
        ("gap-9d", "2022-06-10", "2022-07-10"),
        ("gap-9d", "2022-07-19 23:59:59", "2022-09-10"),
        ("gap-10d", "2022-06-10", "2022-07-10"),
        ("gap-10d", "2022-07-20", "2022-09-10"),
        ("gap-10d-plus", "2022-06-10", "2022-07-10"),
        ("gap-10d-plus", "2022-07-20 00:00:00.000001", "2022-09-10"),
        ("gap-across-month", "2022-10-25", "2022-10-31 18:00:00"),
        ("gap-across-month", "2022-11-03 06:00:00", "2022-11-30"),
        # reactivations, including within a single period
        ("react", "2022-01-05", "2022-04-05"),
        ("react", "2022-09-05", "2023-03-05"),
        ("react", "2023-08-05", None),
        ("react-same-month", "2022-03-03", "2022-03-10"),
        ("react-same-month", "2022-03-25", "2022-05-01"),
        ("react-same-week", "2023-05-01 08:00:00", "2023-05-02 08:00:00"),
        ("react-same-week", "2023-05-05 08:00:00", "2023-06-05 08:00:00"),
        # open subscriptions and the data set's first and last instants
        ("first", "2022-01-01 00:00:00", None),
        ("open-late", "2024-11-30 23:59:59", None),
        ("open-after-end", "2023-04-01", "2023-05-01"),
        ("open-after-end", "2023-04-15", None),
        ("last", "2024-12-01 00:00:00", "2024-12-31 12:00:00"),
    ]
    hand = pd.DataFrame(rows, columns=["customer_id", "started_at", "ended_at"])
    return pd.concat([hand, _random_subscriptions(seed, n_random)], ignore_index=True)


def _random_subscriptions(seed: int, n_customers: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2022-01-01")
    last = pd.Timestamp("2024-12-31")
    rows = []
    for i in range(n_customers):
        at = origin + pd.Timedelta(days=int(rng.integers(0, 900)))
        for _ in range(int(rng.integers(1, 4))):
            # Every third timestamp on a midnight, the rest at a time of day.
            seconds = 0 if rng.random() < 0.33 else int(rng.integers(0, 86_400))
            start = at + pd.Timedelta(seconds=seconds)
            length = pd.Timedelta(days=int(rng.choice([7, 30, 31, 90, 365, 500])))
            end = start + length if rng.random() < 0.8 else None
            if end is not None and end > last:
                end = None
            rows.append((f"r{i:03d}", str(start), None if end is None else str(end)))
            if end is None:
                break
            gap_days = int(rng.choice([0, 3, 9, 10, 11, 40, 200]))
            at = (end + pd.Timedelta(days=gap_days)).normalize()
            if at > last:
                break
    return pd.DataFrame(rows, columns=["customer_id", "started_at", "ended_at"])


def _subscriptions() -> pd.DataFrame:
    frame = _awkward_subscriptions()
    return frame.assign(
        customer_id=frame["customer_id"].astype("string"),
        started_at=pd.to_datetime(frame["started_at"], format="ISO8601"),
        ended_at=pd.to_datetime(frame["ended_at"], format="ISO8601"),
    )


def test_the_awkward_data_set_is_as_intended() -> None:
    frame = _subscriptions()
    assert 190 <= frame["customer_id"].nunique() <= 230
    assert frame["started_at"].min() == pd.Timestamp("2022-01-01")
    ended = frame[frame["ended_at"].notna()]
    assert (ended["ended_at"] >= ended["started_at"]).all()
    assert frame["ended_at"].isna().sum() >= 20
    assert (frame["started_at"].dt.microsecond > 0).any()


def _customers() -> pd.DataFrame:
    """A plan for most customers; some have no row at all (no plan), and one row
    has no subscriptions. (A null plan fails on Spark: see above.)"""
    ids = sorted(_subscriptions()["customer_id"].unique())
    plans = {cid: ["basic", "pro", "pro"][i % 3] for i, cid in enumerate(ids)}
    kept = [cid for i, cid in enumerate(ids) if i % 7 != 3] + ["no-subscriptions"]
    return pd.DataFrame(
        {
            "customer_id": pd.Series(kept, dtype=object),
            "plan": pd.Series([plans.get(cid, "gold") for cid in kept], dtype=object),
        }
    )


CASES: dict[str, dict[str, Any]] = {
    "month": {"period": "month"},
    "week": {"period": "week"},
    "quarter-kathmandu-by-plan": {
        "period": "quarter",
        "tz": "Asia/Kathmandu",
        "by": "plan",
    },
    "month-warsaw-by-plan": {"period": "month", "tz": "Europe/Warsaw", "by": "plan"},
    "month-grace-10": {"period": "month", "grace_days": 10},
    "week-grace-10-warsaw": {"period": "week", "grace_days": 10, "tz": "Europe/Warsaw"},
    # Both 2023 DST changes in New York, day by day.
    "day-new-york": {
        "period": "day",
        "tz": "America/New_York",
        "start": date(2023, 3, 1),
        "end": date(2023, 11, 30),
    },
    # Local years start at 18:15 UTC: no year is full in the data, so explicit.
    "year-kathmandu": {
        "period": "year",
        "tz": "Asia/Kathmandu",
        "start": date(2022, 1, 1),
        "end": date(2024, 1, 1),
    },
}
# The data end in 2024: a fixed current time only makes the runs alike.
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _options(case: str) -> dict[str, Any]:
    options = {**CASES[case], "now": NOW}
    if "by" in options:
        options["customers"] = _customers()
    return options


_duckdb_results: dict[str, pd.DataFrame] = {}


def _duckdb_result(case: str) -> pd.DataFrame:
    if case not in _duckdb_results:
        _duckdb_results[case] = churn_rate(
            _subscriptions(), engine="duckdb", **_options(case)
        )
    return _duckdb_results[case]


@pytest.mark.parametrize("case", list(CASES))
def test_churn_rate_matches_the_oracle_on_duckdb(case: str) -> None:
    """DuckDB is the yardstick for the other engines: pin it to the oracle first."""
    subscriptions = _subscriptions().astype({"customer_id": object})
    expected = reference_churn_table(subscriptions, **_options(case))
    actual = _duckdb_result(case)
    assert len(expected) > 2
    assert expected["churned"].sum() > 0
    assert_same_table(actual, expected)


# Spark takes seconds a call: the cases that together cover DST zones, a
# quarter-hour zone, grace, segments and every period but the year, whose key is
# the simplest (PostgreSQL runs them all, and the Hypothesis tests draw years).
SPARK_CASES = (
    "quarter-kathmandu-by-plan",
    "month-warsaw-by-plan",
    "week-grace-10-warsaw",
    "day-new-york",
)
ENGINE_CASES = [
    *(pytest.param("postgres", c, marks=pytest.mark.postgres) for c in CASES),
    *(pytest.param("spark", c, marks=pytest.mark.spark) for c in SPARK_CASES),
]


@pytest.mark.parametrize(("engine_name", "case"), ENGINE_CASES)
def test_churn_rate_is_identical_on_every_engine(engine: Any, case: str) -> None:
    expected = _duckdb_result(case)
    result = churn_rate(_subscriptions(), engine=engine, **_options(case))
    pdt.assert_frame_equal(result, expected, check_exact=True)
