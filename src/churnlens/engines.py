"""Connections to the engines that run churnlens' metric definitions.

DuckDB (embedded, the default), PostgreSQL and Apache Spark. Every metric is an ibis
expression; this module only finds or makes the backend that executes it and
uploads in-memory data to it.
"""

from __future__ import annotations

import uuid
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from churnlens.errors import ConfigError, EngineError

__all__ = ["EngineSpec", "connect", "engine_name", "spark_session", "upload"]

EngineSpec = str | BaseBackend | None

_SPARK_CONF = {
    # The default of 200 shuffle partitions makes small jobs ~8x slower on few cores.
    "spark.sql.shuffle.partitions": "4",
    # Stored instants are naive UTC; any other session zone would shift them.
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
}


def connect(engine: EngineSpec = None) -> BaseBackend:
    """A backend for ``engine``: None or "duckdb" (in-memory DuckDB), a
    "duckdb:///path" or "postgresql://user:pass@host:port/db" URL, "spark" (a local
    Spark session) or an ibis backend, returned as it is."""
    if isinstance(engine, BaseBackend):
        return engine
    if engine is None or engine == "duckdb":
        return ibis.duckdb.connect()
    if not isinstance(engine, str):
        raise ConfigError(
            f"engine must be a name, a URL or an ibis backend, not {type(engine)}"
        )
    if engine == "spark":
        return ibis.pyspark.connect(spark_session())
    if engine.startswith(("postgres://", "postgresql://", "duckdb://")):
        try:
            return ibis.connect(engine)
        except Exception as e:  # the drivers raise many unrelated types
            raise EngineError(
                f"cannot connect to {_redact(engine)}: {e}",
                hint="check the URL, that the server runs and accepts the user",
            ) from e
    raise ConfigError(
        f"unknown engine '{engine}'",
        hint="use 'duckdb', 'spark' or a URL such as "
        "postgresql://user:password@127.0.0.1:5432/db",
    )


def engine_name(backend: BaseBackend) -> str:
    return str(backend.name)


def spark_session() -> Any:
    """A local Spark session configured for churnlens (reused if one is active)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise EngineError(
            "the Spark engine needs PySpark",
            hint="pip install 'churnlens[spark]' (PySpark 4.0 and Java 17)",
        ) from e
    builder = SparkSession.builder.master("local[2]").appName("churnlens")
    for key, value in _SPARK_CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def upload(backend: BaseBackend, data: pa.Table, *, prefix: str) -> ir.Table:
    """Put an Arrow table into the engine as a temporary table."""
    name = f"_churnlens_{prefix}_{uuid.uuid4().hex[:12]}"
    if backend.name == "duckdb":
        return backend.create_table(name, data, temp=True)
    if backend.name == "pyspark":
        # ibis makes no temporary tables on Spark: a temporary view of the Arrow
        # table (Arrow, not pandas, so empty strings stay null and columns that
        # are empty in every row keep their type); naive timestamps are read in
        # the session's UTC zone.
        frame = backend._session.createDataFrame(data)
        frame.createOrReplaceTempView(name)
        return backend.table(name)
    return backend.create_table(name, data, temp=True)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
