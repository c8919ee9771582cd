"""Shared fixtures: the engines every conformance test runs on.

``postgres_url`` starts a real, throwaway PostgreSQL server for the test session
(Debian's binaries, ``make system-deps`` installs them); ``spark_session`` and
``spark_backend`` give a small local Spark; ``engine`` is what the product accepts
as ``engine=`` for each of ``engine_name``'s values.

Under pytest-xdist each worker process gets its own server and Spark session:
ports and data directories are picked per process, so nothing is shared.
"""

from __future__ import annotations

import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_PG_USER = "churnlens"
_PG_DB = "churnlens"
_PG_START_TIMEOUT_S = 60


# --------------------------------------------------------------------------------------
# PostgreSQL


def _pg_bindir() -> Path | None:
    """The newest Debian PostgreSQL bin dir with initdb and pg_ctl, else PATH's."""

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version)[::-1]:
        bindir = Path(found)
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as Debian's ``postgres`` then."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *args]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]


def _run(args: list[str], *, cwd: Path, what: str) -> None:
    result = subprocess.run(
        _as_server_user(args), cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )


class _PostgresServer:
    """A PostgreSQL cluster in a temporary directory, on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="churnlens-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.port = 0
        self.admin_password = secrets.token_hex(16)
        self.password = secrets.token_hex(16)

    def start(self) -> None:
        self.sockets.mkdir()
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.admin_password + "\n")
        if os.geteuid() == 0:
            try:
                for path in (self.root, self.sockets, pwfile):
                    shutil.chown(path, "postgres", "postgres")
            except LookupError as e:
                pytest.fail(
                    "running as root, but there is no 'postgres' user to run the "
                    "server as; run `make system-deps` (Debian's postgresql package "
                    f"creates it): {e}"
                )
        self._initdb(pwfile)
        pwfile.unlink()
        # A port can be taken between picking and binding; retry a few times.
        for attempt in range(3):
            self.port = _free_port()
            try:
                self._pg_ctl_start()
                return
            except _StartFailed:
                if attempt == 2:
                    raise

    def _initdb(self, pwfile: Path) -> None:
        _run(
            [
                str(self.bindir / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                "postgres",
                "--pwfile",
                str(pwfile),
                "--auth-local",
                "trust",
                "--auth-host",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            cwd=self.root,
            what="initdb",
        )

    def _pg_ctl_start(self) -> None:
        # A throwaway server: durability settings off make it start and run faster.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=40 -c shared_buffers=64MB -c TimeZone=UTC"
        )
        args = [
            str(self.bindir / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            "--timeout",
            str(_PG_START_TIMEOUT_S),
            "start",
        ]
        result = subprocess.run(
            _as_server_user(args),
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            if "Address already in use" in log:
                raise _StartFailed(log)
            pytest.fail(
                f"pg_ctl start failed (exit {result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n--- server log ---\n{log}"
            )

    def create_database(self) -> str:
        """A non-superuser role with a password owning a fresh database; its URL."""
        import psycopg

        admin = (
            f"host=127.0.0.1 port={self.port} dbname=postgres user=postgres "
            f"password={self.admin_password}"
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {_PG_USER} LOGIN PASSWORD '{self.password}'")
            conn.execute(f"CREATE DATABASE {_PG_DB} OWNER {_PG_USER}")
        return f"postgresql://{_PG_USER}:{self.password}@127.0.0.1:{self.port}/{_PG_DB}"

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                _as_server_user(
                    [
                        str(self.bindir / "pg_ctl"),
                        "--pgdata",
                        str(self.data),
                        "--mode",
                        "immediate",
                        "--wait",
                        "stop",
                    ]
                ),
                cwd=self.root,
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


class _StartFailed(Exception):
    pass


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a real PostgreSQL server started for this test session."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in "
            "/usr/lib/postgresql/*/bin or on PATH; run `make system-deps` "
            "(installs Debian's postgresql package)"
        )
    server = _PostgresServer(bindir)
    try:
        server.start()
        yield server.create_database()
    finally:
        server.stop()


# --------------------------------------------------------------------------------------
# Spark


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A small local Spark session (2 cores, UTC, no UI), stopped at the end."""
    # Without it Spark warns that the hostname resolves to a loopback address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # The Python workers must be this interpreter, with this virtualenv's packages.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("churnlens-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.sql.catalogImplementation", "in-memory")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="session")
def spark_backend(spark_session: Any) -> Any:
    """``ibis.pyspark.connect`` over the session's Spark."""
    import ibis

    return ibis.pyspark.connect(spark_session)


# --------------------------------------------------------------------------------------
# Engines


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
        pytest.param("spark", id="spark", marks=pytest.mark.spark),
    ]
)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each engine in turn; select with ``-m postgres`` / ``-m 'not spark'``."""
    return str(request.param)


@pytest.fixture
def engine(engine_name: str, request: pytest.FixtureRequest) -> Any:
    """What ``churnlens`` accepts as ``engine=`` for ``engine_name``.

    Servers start lazily: a DuckDB-only run never starts PostgreSQL or Spark.
    """
    if engine_name == "duckdb":
        return "duckdb"
    if engine_name == "postgres":
        return request.getfixturevalue("postgres_url")
    if engine_name == "spark":
        return request.getfixturevalue("spark_backend")
    raise AssertionError(f"unknown engine {engine_name!r}")
