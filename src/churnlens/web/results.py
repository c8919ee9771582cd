"""The dashboard's results, computed through the public API and cached per
version of the store.

The server holds the store's write lock (DuckDB allows one writing process), so
every change to the store goes through this process: uploads and outreach bump
``version`` and the caches start afresh. One lock serialises the store's
connection, which is not safe to share between threads; cached results are
served without it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import churnlens
from churnlens.errors import ConfigError, InputError
from churnlens.report._data import ReportData
from churnlens.report.formats import LocaleFormat
from churnlens.report.sections import SECTIONS, Block, Card, Context, available

__all__ = ["Filters", "Results", "Shown", "Unavailable", "records"]

PERIODS = ("month", "quarter", "year", "week")
# Customer and subscription attributes offered as segments.
_SEGMENT_COLUMNS = (
    "segment",
    "country",
    "language",
    "plan",
    "billing_period",
    "currency",
)
_CACHE_SIZE = 512


class Unavailable(ConfigError):
    """A result these data cannot give as the dashboard was started (409)."""


@dataclass(frozen=True)
class Shown:
    """A report block ready for a page: its figure as Plotly JSON."""

    key: str
    title: str
    caption: str
    cards: list[Card]
    figure: str | None

    @classmethod
    def of(cls, block: Block) -> Shown:
        figure = None if block.figure is None else block.figure.to_json()
        return cls(block.key, block.title, block.caption, list(block.cards), figure)


class Filters:
    """The view filters, checked: period, first and last period, segment."""

    def __init__(
        self,
        period: str = "month",
        start: str | None = None,
        end: str | None = None,
        by: str | None = None,
    ) -> None:
        if period not in PERIODS:
            raise ConfigError(
                f"no period '{period}'", hint=f"use one of: {', '.join(PERIODS)}"
            )
        self.period = period
        self.start = _date(start, "start")
        self.end = _date(end, "end")
        self.by = by or None

    def key(self) -> tuple[Any, ...]:
        return (self.period, self.start, self.end, self.by)

    def query(self) -> dict[str, str]:
        out = {"period": self.period}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        if self.by:
            out["by"] = self.by
        return out


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise ConfigError(
            f"{name}={value!r} is not a date", hint="use YYYY-MM-DD"
        ) from e


def _action(module: str, name: str) -> Callable[..., Any] | None:
    """A function of the actions layer, or None while it does not exist."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


class Results:
    """Cached results over one open store."""

    def __init__(
        self,
        store: churnlens.Store,
        *,
        fx: str | Path | None = None,
        currency: str | None = None,
    ) -> None:
        self.store = store
        self.fx = None if fx is None else str(fx)
        self.currency = currency
        self.lock = threading.RLock()
        self.version = 0
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- caching -----------------------------------------------------------------

    def changed(self) -> None:
        with self._cache_lock:
            self.version += 1
            self._cache.clear()

    def peek(self, key: tuple[Any, ...]) -> Any:
        """The cached value of ``key`` at this version, or None."""
        with self._cache_lock:
            return self._cache.get((self.version, *key))

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        full = (self.version, *key)
        with self._cache_lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
        with self.lock:
            # Another thread may have computed it while this one waited.
            with self._cache_lock:
                if full in self._cache:
                    return self._cache[full]
            value = compute()
        with self._cache_lock:
            if full[0] == self.version:
                self._cache[full] = value
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        return value

    # -- what exists --------------------------------------------------------------

    def has(self, name: str) -> bool:
        with self.lock:  # the connection is not safe to share between threads
            return self.store.has_table(name)

    def segments(self) -> list[str]:
        def compute() -> list[str]:
            found: list[str] = []
            for table in ("customers", "subscriptions"):
                if self.has(table):
                    cols = self.store.table(table).columns
                    found += [c for c in _SEGMENT_COLUMNS if c in cols]
            return sorted(set(found), key=_SEGMENT_COLUMNS.index)

        return self.cached(("segments",), compute)  # type: ignore[no-any-return]

    def check_segment(self, by: str | None) -> None:
        if by and by not in self.segments():
            raise ConfigError(
                f"no segment '{by}'",
                hint=f"use one of: {', '.join(self.segments()) or '(none)'}",
            )

    @staticmethod
    def has_contacts() -> bool:
        return _action("churnlens.actions.contact_list", "contact_list") is not None

    @staticmethod
    def has_outreach() -> bool:
        return _action("churnlens.actions.outreach", "log_outreach") is not None

    # -- the report's sections ------------------------------------------------------

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day of the subscriptions."""

        def compute() -> tuple[dt.date, dt.date]:
            row = self.store.con.execute(
                "SELECT min(started_at), greatest(max(started_at), max(ended_at)) "
                "FROM subscriptions"
            ).fetchone()
            today = dt.date.today()
            lo = row[0].date() if row and row[0] else today
            hi = row[1].date() if row and row[1] else today
            return lo, hi

        return self.cached(("span",), compute)  # type: ignore[no-any-return]

    def clamp(self, f: Filters) -> Filters:
        """``f`` with a start before the data or an end after them dropped (the
        defaults are the data's own span): the periods outside hold no one, and
        a range of centuries would only cost memory."""
        lo, hi = self.span()
        start = f.start if f.start and f.start > lo else None
        end = f.end if f.end and f.end < hi else None
        return Filters(f.period, _iso(start), _iso(end), f.by)

    def _data(self, f: Filters) -> ReportData:
        self._need_subscriptions()
        f = self.clamp(f)
        return self.cached(  # type: ignore[no-any-return]
            ("data", *f.key()),
            lambda: ReportData(
                self.store,
                period=f.period,
                start=f.start,
                end=f.end,
                by=f.by,
                fx=self.fx,
                currency=self.currency,
                tz="UTC",
                now=None,
            ),
        )

    def _need_subscriptions(self) -> None:
        if not self.has("subscriptions"):
            raise InputError(
                "the store has no subscriptions yet",
                hint="upload a subscriptions file on the Upload page",
            )

    def section_available(self, key: str) -> bool:
        return any(s.key == key and available(s) for s in SECTIONS)

    def block(
        self, key: str, f: Filters, lang: str, t: Callable[[str], str]
    ) -> tuple[Shown | None, list[str]]:
        """The report's section ``key`` in ``lang``, and any notes it made."""
        sec = next((s for s in SECTIONS if s.key == key), None)
        if sec is None or not available(sec):
            return None, []
        data = self._data(f)

        def compute() -> tuple[Shown | None, list[str]]:
            ctx = Context(data, t, LocaleFormat(lang))
            block = sec.build(ctx)
            return (None if block is None else Shown.of(block)), ctx.notes

        return self.cached(("block", key, lang, *f.key()), compute)  # type: ignore[no-any-return]

    # -- tables -------------------------------------------------------------------

    def churn(self, f: Filters) -> pd.DataFrame:
        self._need_subscriptions()
        self.check_segment(f.by)
        f = self.clamp(f)
        return self.cached(  # type: ignore[no-any-return]
            ("churn", *f.key()),
            lambda: churnlens.churn_rate(
                self.store, period=f.period, start=f.start, end=f.end, by=f.by
            ),
        )

    def reasons(self, f: Filters) -> pd.DataFrame:
        data = self._data(f)
        return self.cached(("reasons", *f.key()), lambda: data.reasons.copy())  # type: ignore[no-any-return]

    def survival(self, f: Filters) -> Any:
        self.check_segment(f.by)
        data = self._data(f)
        return self.cached(("survival", *f.key()), lambda: data.survival)

    def cohorts(self, f: Filters) -> pd.DataFrame:
        self._need_subscriptions()
        f = self.clamp(f)
        return self.cached(  # type: ignore[no-any-return]
            ("cohorts", *f.key()),
            lambda: churnlens.cohort_table(  # type: ignore[attr-defined]
                self.store, period=f.period, start=f.start, end=f.end
            ),
        )

    def movements(self, f: Filters) -> pd.DataFrame:
        data = self._data(f)

        def compute() -> pd.DataFrame:
            if not data.has_revenue:
                raise Unavailable("the subscriptions have no mrr column")
            if data.needs_fx:
                raise Unavailable(
                    "the subscriptions are in several currencies "
                    f"({', '.join(data.currencies)})",
                    hint="start the dashboard with --fx FILE --currency CODE",
                )
            return data.movements

        return self.cached(("movements", *f.key()), compute)  # type: ignore[no-any-return]

    def support(self) -> pd.DataFrame:
        if not self.has("tickets"):
            return pd.DataFrame(columns=list(churnlens.SUPPORT_COLUMNS))
        return self.cached(  # type: ignore[no-any-return]
            ("support",), lambda: churnlens.support_measures(self.store)
        )

    def as_of(self) -> dt.datetime:
        """Where the data end: the latest instant any table records."""

        def compute() -> dt.datetime:
            parts = []
            for table, cols in (
                ("subscriptions", ("started_at", "ended_at", "canceled_at")),
                ("tickets", ("created_at",)),
            ):
                if not self.has(table):
                    continue
                have = self.store.table(table).columns
                parts += [
                    f'SELECT max("{c}") AS t FROM "{table}"' for c in cols if c in have
                ]
            if not parts:
                return dt.datetime.now(dt.UTC).replace(tzinfo=None)
            row = self.store.con.execute(
                f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})"
            ).fetchone()
            value = row[0] if row else None
            return value or dt.datetime.now(dt.UTC).replace(tzinfo=None)

        return self.cached(("as_of",), compute)  # type: ignore[no-any-return]

    def contacts(self) -> pd.DataFrame | None:
        """The contact list at the end of the data, or None without the risk
        model."""
        build = _action("churnlens.actions.contact_list", "contact_list")
        if build is None:
            return None
        self._need_subscriptions()
        as_of = self.as_of()
        return self.cached(("contacts",), lambda: build(self.store, as_of=as_of))  # type: ignore[no-any-return]

    # -- one customer -------------------------------------------------------------

    def customer(self, customer_id: str) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            out: dict[str, Any] = {"customer_id": customer_id}
            found = False
            for table, order in (
                ("customers", None),
                ("subscriptions", "started_at"),
                ("tickets", "created_at"),
            ):
                if not self.has(table):
                    out[table] = _empty()
                    continue
                sql = (
                    f'SELECT * EXCLUDE (_line, _ingest_id) FROM "{table}" '
                    "WHERE customer_id = ?"
                )
                if order:
                    sql += f' ORDER BY "{order}"'
                frame = self.store.con.execute(sql, [customer_id]).df()
                out[table] = frame
                found = found or not frame.empty
            if not found:
                raise KeyError(customer_id)
            return out

        result = self.cached(("customer", customer_id), compute)
        return dict(result)

    def outreach(self, customer_id: str | None = None) -> pd.DataFrame:
        log = _action("churnlens.actions.outreach", "outreach_log")
        if log is None:
            return _empty()
        return self.cached(  # type: ignore[no-any-return]
            ("outreach", customer_id),
            lambda: log(self.store, customer_id=customer_id),
        )

    def log_outreach(self, customer_id: str, **fields: Any) -> dict[str, Any]:
        record = _action("churnlens.actions.outreach", "log_outreach")
        if record is None:
            raise ConfigError(
                "recording outreach needs churnlens.actions.outreach",
                hint="upgrade churnlens",
            )
        with self.lock:
            row = record(self.store, customer_id, **fields)
        self.changed()
        return row  # type: ignore[no-any-return]

    # -- upload -------------------------------------------------------------------

    def ingest(
        self, files: Iterable[tuple[str, bytes]], *, table: str | None
    ) -> tuple[Any, pd.DataFrame]:
        """Ingest uploaded ``(file name, content)`` pairs; returns the ingest
        report and the rejected rows of this ingest."""
        with self.lock, tempfile.TemporaryDirectory(prefix="churnlens-upload-") as tmp:
            paths = []
            for name, content in files:
                path = Path(tmp) / _safe_name(name)
                path.write_bytes(content)
                paths.append(path)
            before = {r["ingest_id"] for r in self.store.ingests()}
            try:
                report = churnlens.ingest(
                    paths,
                    db=self.store.path,
                    table=table,
                    quarantine_dir=self.store.path.parent / "quarantine",
                )
            finally:
                self.changed()
            new = [
                r["ingest_id"]
                for r in self.store.ingests()
                if r["ingest_id"] not in before
            ]
            rejected = _empty()
            if new:
                marks = ", ".join("?" for _ in new)
                rejected = self.store.con.execute(
                    'SELECT source, table_name, line, "column", reason, value '
                    f"FROM _churnlens_quarantine WHERE ingest_id IN ({marks}) "
                    "ORDER BY ingest_id, line LIMIT 500",
                    new,
                ).df()
        return report, rejected


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _safe_name(name: str) -> str:
    # The table is guessed from the file name, so keep it, minus any path.
    base = Path(name.replace("\\", "/")).name or "upload.csv"
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)
    return cleaned.lstrip(".") or "upload.csv"


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


def records(
    frame: pd.DataFrame, columns: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: ISO dates, ``None`` for missing values."""
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): json_value(v) for k, v in row.items()})
    return out


def json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value
