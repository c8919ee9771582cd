"""The demo files: deterministic, canonical columns, ISO UTC text, ground truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from churnlens.demo import DemoFiles, generate_demo
from churnlens.errors import ConfigError
from churnlens.schema import TABLES
from demo._helpers import SMALL, SMALL_SEED, read

TABLE_FIELDS = ("subscriptions", "customers", "tickets", "activity")
ALL_FIELDS = (*TABLE_FIELDS, "ground_truth", "fx_rates")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TIMESTAMPS = {
    "subscriptions": ("started_at", "ended_at", "canceled_at"),
    "tickets": ("created_at", "first_response_at", "resolved_at"),
    "activity": ("occurred_at",),
}
REQUIRED_TEXT = {
    "subscriptions": ("started_at",),
    "tickets": ("created_at",),
    "activity": ("occurred_at",),
}


def test_same_seed_gives_identical_bytes(small_demo: DemoFiles, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", n_customers=SMALL, seed=SMALL_SEED)
    for field in ALL_FIELDS:
        first = getattr(small_demo, field).read_bytes()
        assert getattr(again, field).read_bytes() == first, field


def test_another_seed_gives_other_data(small_demo: DemoFiles, tmp_path: Path) -> None:
    other = generate_demo(tmp_path / "other", n_customers=SMALL, seed=SMALL_SEED + 1)
    for field in TABLE_FIELDS:
        assert (
            getattr(other, field).read_bytes()
            != getattr(small_demo, field).read_bytes()
        )


def test_files_are_in_the_output_folder(small_demo: DemoFiles) -> None:
    folder = small_demo.subscriptions.parent
    for field in TABLE_FIELDS:
        path = getattr(small_demo, field)
        assert path == folder / f"{field}.csv"
        assert path.is_file()
    assert small_demo.ground_truth == folder / "ground_truth.json"


@pytest.mark.parametrize("table", TABLE_FIELDS)
def test_columns_are_the_canonical_ones(small_demo: DemoFiles, table: str) -> None:
    header = getattr(small_demo, table).read_text(encoding="utf-8").split("\n", 1)[0]
    assert tuple(header.split(",")) == TABLES[table].column_names


@pytest.mark.parametrize("table", sorted(TIMESTAMPS))
def test_timestamps_are_iso_utc_or_empty(small_demo: DemoFiles, table: str) -> None:
    frame = read(getattr(small_demo, table))
    for column in TIMESTAMPS[table]:
        values = frame[column]
        filled = values[values != ""]
        assert filled.str.match(ISO_UTC).all(), column
        if column in REQUIRED_TEXT[table]:
            assert len(filled) == len(values), column


def test_ended_at_is_empty_only_while_active(small_demo: DemoFiles) -> None:
    subs = read(small_demo.subscriptions)
    end = json.loads(small_demo.ground_truth.read_text(encoding="utf-8"))["settings"][
        "end"
    ]
    active = subs[subs["ended_at"] == ""]
    assert len(active) > 0
    # One open subscription at most per customer, and all ended ones end by `end`.
    assert not active["customer_id"].duplicated().any()
    assert (subs.loc[subs["ended_at"] != "", "ended_at"] <= f"{end}T00:00:00Z").all()


def test_ground_truth_states_settings_effects_and_counts(
    small_demo: DemoFiles,
) -> None:
    truth = json.loads(small_demo.ground_truth.read_text(encoding="utf-8"))
    assert truth["seed"] == SMALL_SEED
    assert truth["settings"] == {
        "n_customers": SMALL,
        "years": 3,
        "start": "2023-10-01",
        "end": "2026-10-01",
    }
    for table in TABLE_FIELDS:
        assert truth["row_counts"][table] == len(read(getattr(small_demo, table)))
    covariates = {c["name"]: c for c in truth["churn_hazard"]["covariates"]}
    assert set(covariates) >= {"slow_first_response", "low_satisfaction"}
    for c in covariates.values():
        assert c["hazard_ratio"] == pytest.approx(2.718281828 ** c["log_hazard_ratio"])
        assert c["definition"]
    assert truth["churn_hazard"]["hazard_ratios"]["plan"]["starter"] == 1.0


def test_end_moves_the_whole_story(tmp_path: Path) -> None:
    files = generate_demo(tmp_path, n_customers=200, years=1, end="2025-03-17")
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    assert truth["settings"]["start"] == "2024-03-01"
    assert truth["settings"]["end"] == "2025-03-01"
    started = read(files.subscriptions)["started_at"]
    assert started.min() >= "2024-03-01" and started.max() < "2025-03-01"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"n_customers": 0}, "n_customers must be a positive integer, got 0"),
        ({"years": 0}, "years must be a positive integer, got 0"),
        ({"years": 1.5}, "years must be a positive integer, got 1.5"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        generate_demo(tmp_path, **settings)


def test_fx_rates_cover_every_currency_and_month(small_demo: DemoFiles) -> None:
    fx = read(small_demo.fx_rates)
    subscriptions = read(small_demo.subscriptions)
    assert set(subscriptions["currency"]) - {""} <= set(fx["currency"])
    rates = pd.to_numeric(fx["rate"])
    assert (rates > 0).all()
    assert (rates[fx["currency"] == "EUR"] == 1).all()
    first_month = subscriptions["started_at"].min()[:7]
    assert fx["date"].min()[:7] <= first_month
    months = fx[fx["currency"] == "USD"]["date"].str[:7]
    assert months.is_monotonic_increasing and months.is_unique
