"""Database sources: a DuckDB file and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from churnlens.errors import ConfigError, InputError
from churnlens.inputs import read_table
from inputs._helpers import rejections, values

_CREATE = """
CREATE TABLE {name} (
    subscription_id TEXT, customer_id TEXT, started_at {zoned},
    ended_at DATE, mrr NUMERIC(10, 2), seats INTEGER
);
INSERT INTO {name} VALUES
    ('S1', 'C1', '2024-01-01 10:00:00+00', '2024-02-01', 10.50, 3),
    ('S2', 'C2', '2024-03-01 00:00:00+00', NULL, NULL, NULL),
    ('S3', NULL, '2024-03-01 00:00:00+00', '2024-01-01', -1, NULL);
"""


@pytest.fixture
def duckdb_file(tmp_path):
    path = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(_CREATE.format(name="Subs", zoned="TIMESTAMPTZ"))
    con.execute(
        "CREATE TABLE local_times AS SELECT 'C1' AS customer_id, "
        "TIMESTAMP '2024-07-01 12:00:00' AS started_at"
    )
    con.close()
    return path


def _check_subscriptions(result):
    assert result.n_read == 3 and result.n_accepted == 2
    assert values(result, "started_at") == [
        dt.datetime(2024, 1, 1, 10),
        dt.datetime(2024, 3, 1),
    ]
    assert values(result, "ended_at") == [dt.datetime(2024, 2, 1), None]
    assert values(result, "mrr") == [10.5, None]
    assert values(result, "seats") == ["3", None]
    assert rejections(result) == [
        (
            3,
            "customer_id",
            "customer_id is missing (a value is required); ended_at '2024-01-01' is "
            "before started_at '2024-03-01 00:00:00Z'; mrr '-1.00' is negative "
            "(it must be 0 or more)",
        )
    ]


def test_duckdb_table_by_url(duckdb_file):
    result = read_table(
        f"duckdb://{duckdb_file}", table="subscriptions", source_table="subs"
    )
    assert result.label == f"duckdb://{duckdb_file}#subs"
    assert len(result.content_hash) == 64
    _check_subscriptions(result)


def test_duckdb_query_by_path(duckdb_file):
    result = read_table(
        duckdb_file,
        table="subscriptions",
        query="SELECT * FROM Subs ORDER BY subscription_id",
    )
    assert result.label == f"{duckdb_file}#query"
    _check_subscriptions(result)


def test_duckdb_source_table_names_the_table(duckdb_file):
    result = read_table(duckdb_file, source_table="local_times", tz="Europe/Warsaw")
    assert result.table == "subscriptions"  # guessed from the columns
    assert values(result, "started_at") == [dt.datetime(2024, 7, 1, 10)]


def test_duckdb_unknown_table_lists_the_tables(duckdb_file):
    with pytest.raises(
        InputError,
        match=re.escape("no table 'orders' (tables found: Subs, local_times)"),
    ):
        read_table(duckdb_file, source_table="orders")


def test_duckdb_failing_query(duckdb_file):
    with pytest.raises(InputError, match="the query failed: .*no_such_column") as e:
        read_table(duckdb_file, table="subscriptions", query="SELECT no_such_column")
    assert e.value.path == f"{duckdb_file}#query"


def test_duckdb_missing_file(tmp_path):
    with pytest.raises(InputError, match="the DuckDB database file does not exist"):
        read_table(f"duckdb://{tmp_path}/none.duckdb", source_table="subs")


def test_database_needs_a_table_or_a_query(duckdb_file):
    with pytest.raises(ConfigError, match="which table of .* should be read"):
        read_table(duckdb_file)
    with pytest.raises(ConfigError, match="either a query or a source table"):
        read_table(duckdb_file, source_table="subs", query="SELECT 1")


def test_bad_postgres_url_hides_the_password():
    url = "postgresql://me:s3cret@127.0.0.1:1/db"
    with pytest.raises(InputError, match="cannot connect to the database") as e:
        read_table(url, source_table="subs")
    assert "s3cret" not in str(e.value)
    assert "postgresql://me:***@127.0.0.1:1/db" in str(e.value)


@pytest.fixture
def postgres_subscriptions(postgres_url):
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS subs")
        con.execute(_CREATE.format(name="subs", zoned="TIMESTAMPTZ"))
    return postgres_url


@pytest.mark.postgres
def test_postgres_table(postgres_subscriptions):
    url = postgres_subscriptions
    result = read_table(url, table="subscriptions", source_table="public.subs")
    assert result.label.endswith("#public.subs") and "***" in result.label
    password = url.split(":")[2].split("@")[0]
    assert password not in result.label
    _check_subscriptions(result)


@pytest.mark.postgres
def test_postgres_query_and_naive_timestamps(postgres_subscriptions):
    result = read_table(
        postgres_subscriptions,
        table="subscriptions",
        query="SELECT customer_id, started_at::timestamp AS started_at FROM subs "
        "WHERE customer_id IS NOT NULL ORDER BY subscription_id",
        tz="Europe/Warsaw",
    )
    assert values(result, "started_at") == [
        dt.datetime(2024, 1, 1, 9),
        dt.datetime(2024, 2, 29, 23),
    ]


@pytest.mark.postgres
def test_postgres_unknown_table_and_failing_query(postgres_subscriptions):
    with pytest.raises(InputError, match=r"no table 'orders' \(tables found: subs\)"):
        read_table(postgres_subscriptions, source_table="orders")
    with pytest.raises(InputError, match='the query failed: .*"nope" does not exist'):
        read_table(
            postgres_subscriptions, table="customers", query="SELECT * FROM nope"
        )
