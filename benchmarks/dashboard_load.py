"""Benchmark: the dashboard under load (``churnlens serve`` on the demo store).

    python benchmarks/dashboard_load.py [--customers 800] [--users 50]
        [--rounds 20] [--db PATH]

Generates the demo company (``churnlens.generate_demo``) and ingests it into a
store (or uses ``--db``), adds a user, starts ``churnlens serve`` on 127.0.0.1
and a free port as a subprocess, and signs ``--users`` sessions in. After one
warm-up request per view (results are cached per store version), every user
requests each main view ``--rounds`` times in a shuffled order, all users at
once (asyncio + httpx, one connection per user). Latency is the wall-clock
time of one request as the client sees it, body included.

Target: p99 < 200 ms per main view at 50 concurrent users. Prints a readable
table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

import churnlens
from churnlens.web.users import UserFile, users_path

VIEWS = {
    "overview": "/",
    "churn": "/churn?period=month",
    "churn_by_segment": "/churn?period=quarter&by=segment",
    "survival": "/survival",
    "reasons": "/reasons",
    "revenue": "/revenue",
    "contacts": "/contacts",
    "customer": "/customers/C00002",
    "api_overview": "/api/overview",
    "api_churn": "/api/churn?period=month",
}
_TARGET_P99_MS = 200.0
_USER, _PASSWORD = "bench", "benchmark password"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _demo_store(folder: Path, customers: int) -> tuple[Path, Path]:
    data = folder / "demo"
    churnlens.generate_demo(data, n_customers=customers)
    db = folder / "demo.duckdb"
    tables = ("customers", "subscriptions", "tickets", "activity")
    churnlens.ingest([data / f"{t}.csv" for t in tables], db=db)
    return db, data / "fx_rates.csv"


def _start(db: Path, fx: Path | None, port: int, log: Path) -> subprocess.Popen[bytes]:
    from churnlens.cli import main

    options = ["--db", str(db), "--port", str(port), "--log-level", "warning"]
    if fx is not None and fx.is_file():
        options += ["--fx", str(fx), "--currency", "EUR"]
    command = (
        [sys.executable, "-m", "churnlens", "serve"]
        if "serve" in main.commands
        else [sys.executable, "-m", "churnlens.cli.serve"]
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


async def _sign_in(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=base,
        timeout=300,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = await client.post(
        "/login",
        data={"username": _USER, "password": _PASSWORD, "csrf_token": token.group(1)},
    )
    if response.status_code != 303:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return client


async def _user(
    client: httpx.AsyncClient, rounds: int, seed: int, out: dict[str, list[float]]
) -> None:
    order = [name for name in VIEWS for _ in range(rounds)]
    random.Random(seed).shuffle(order)
    for name in order:
        start = time.perf_counter()
        response = await client.get(VIEWS[name])
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{VIEWS[name]}: HTTP {response.status_code}")
        out[name].append(elapsed * 1000)


async def _load(
    base: str, users: int, rounds: int
) -> tuple[dict[str, list[float]], float]:
    clients = [await _sign_in(base) for _ in range(users)]
    try:
        for path in VIEWS.values():  # warm the caches (and time nothing)
            response = await clients[0].get(path)
            if response.status_code != 200:
                raise RuntimeError(f"warm-up {path}: HTTP {response.status_code}")
        times: dict[str, list[float]] = {name: [] for name in VIEWS}
        start = time.perf_counter()
        await asyncio.gather(
            *(_user(c, rounds, seed, times) for seed, c in enumerate(clients))
        )
        return times, time.perf_counter() - start
    finally:
        for c in clients:
            await c.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=800)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", type=Path, help="serve this store instead of a demo")
    parser.add_argument("--fx", type=Path, help="FX table for --db (currency EUR)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="churnlens-load-") as tmp:
        folder = Path(tmp)
        if args.db is None:
            db, fx = _demo_store(folder, args.customers)
        else:
            db, fx = args.db, args.fx
        users = UserFile(users_path(db))
        if _USER not in users.names():
            users.add(_USER, _PASSWORD)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        process = _start(db, fx, port, folder / "server.log")
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/login", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "server.log").read_text(errors="replace")
                    raise SystemExit(f"the server did not start:\n{log}")
                time.sleep(0.2)
            times, wall = asyncio.run(_load(base, args.users, args.rounds))
        finally:
            process.terminate()
            process.wait(timeout=60)

    n = sum(len(v) for v in times.values())
    print(
        f"dashboard load: {args.users} concurrent users, {args.rounds} rounds of "
        f"{len(VIEWS)} views, {n} requests in {wall:.1f} s ({n / wall:.0f} req/s)"
    )
    print(f"{'view':<18} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    summary: dict[str, Any] = {}
    for name, values in times.items():
        a = np.asarray(values)
        p50, p99 = float(np.percentile(a, 50)), float(np.percentile(a, 99))
        summary[name] = {"p50_ms": round(p50, 1), "p99_ms": round(p99, 1)}
        flag = "" if p99 < _TARGET_P99_MS else "  (over target)"
        print(f"{name:<18} {p50:>8.1f} {p99:>8.1f} {a.max():>8.1f}{flag}")
    worst = max(v["p99_ms"] for v in summary.values())
    print(
        f"target p99 < {_TARGET_P99_MS:.0f} ms: "
        f"{'met' if worst < _TARGET_P99_MS else 'MISSED'}"
    )
    print(
        json.dumps(
            {
                "benchmark": "dashboard_load",
                "users": args.users,
                "rounds": args.rounds,
                "requests": n,
                "seconds": round(wall, 2),
                "views": summary,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
