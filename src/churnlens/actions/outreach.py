"""Outreach: who was contacted, what came of it, and a holdout to measure it.

Calls are logged with ``log_outreach`` (the outcome, and the reason the customer
gives, classified into the reason taxonomy). ``assign_holdout`` sets aside a
random share of a contact list that is *not* contacted; ``save_contact_list``
keeps the list with those flags, so that ``outreach_report`` can later compare
the retention of the contacted group with the holdout's (see docs/actions.md).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from churnlens.actions._stored import now_utc, opened, query_frame, utc_instant
from churnlens.actions.snapshots import (
    CONTACT_LIST_COLUMNS,
    assign_holdout,
    contact_list_snapshot,
    list_as_of,
    save_contact_list,
    saved_lists,
)
from churnlens.errors import ConfigError, InputError
from churnlens.explain.reasons import REASON_LABELS, classify_reason, reason_from_code
from churnlens.metrics._intervals import wilson_interval
from churnlens.metrics._mrr import currencies
from churnlens.sources import Source, resolve_source
from churnlens.store import CONTACT_LIST_ROWS, CONTACT_LISTS, OUTREACH, Store

__all__ = [
    "CONTACT_LIST_COLUMNS",
    "OUTCOMES",
    "OUTREACH_COLUMNS",
    "REPORT_COLUMNS",
    "OutreachReport",
    "assign_holdout",
    "contact_list_snapshot",
    "list_as_of",
    "log_outreach",
    "outreach_log",
    "outreach_report",
    "save_contact_list",
]

OUTCOMES = ("saved", "lost", "no_answer", "callback")
OUTREACH_COLUMNS = (
    "outreach_id",
    "customer_id",
    "outcome",
    "contacted_at",
    "logged_at",
    "list_id",
    "holdout",
    "reason",
    "reason_text",
    "reason_confidence",
    "offer",
    "contacted_by",
    "note",
)
StoreLike = Store | str | Path


# -- the log ---------------------------------------------------------------------


def log_outreach(
    store: StoreLike,
    customer_id: str,
    *,
    outcome: str,
    reason: str | None = None,
    offer: str | None = None,
    at: Any = None,
    by: str | None = None,
    note: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Record one contact with a customer; returns the stored row.

    ``outcome`` is one of ``OUTCOMES``. ``reason`` is what the customer said
    (free text in any supported language, or a reason code such as ``price``);
    it is kept as given and classified into the reason taxonomy. ``at``
    (default: now) is when the contact happened; naive times are UTC. The row
    is linked to the latest saved contact list, as of ``at``, that holds the
    customer; ``holdout`` says whether they were in its holdout.

    >>> log_outreach("churnlens.duckdb", "C00042", outcome="saved",
    ...              reason="too expensive for us", offer="20% off")  # doctest: +SKIP
    """
    outcome = _check_outcome(outcome)
    contacted_at = now_utc() if at is None else utc_instant(at, "at")
    code, confidence = _classify(reason, lang)
    with opened(store, write=True) as st:
        customer = _known_customer(st, str(customer_id).strip())
        listed = _listing(st, customer, contacted_at)
        row = st.con.execute(
            f"INSERT INTO {OUTREACH} SELECT coalesce(max(outreach_id), 0) + 1, "
            f"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM {OUTREACH} RETURNING *",
            [
                customer,
                outcome,
                contacted_at,
                now_utc(),
                listed[0],
                code,
                _text(reason),
                confidence,
                _text(offer),
                _text(by),
                _text(note),
            ],
        )
        names = [d[0] for d in row.description]
        record = dict(zip(names, row.fetchone() or (), strict=True))
    record["holdout"] = listed[1]
    return {c: record.get(c) for c in OUTREACH_COLUMNS}


def outreach_log(store: StoreLike, *, customer_id: str | None = None) -> pd.DataFrame:
    """Every logged contact (of one customer), oldest first, as ``OUTREACH_COLUMNS``."""
    with opened(store, write=False) as st:
        if not st.has_table(OUTREACH):
            return _empty_log()
        where, params = (
            ("WHERE o.customer_id = ?", [customer_id])
            if customer_id
            else (
                "",
                [],
            )
        )
        holdout = (
            f"(SELECT r.holdout FROM {CONTACT_LIST_ROWS} r WHERE r.list_id = "
            "o.list_id AND r.customer_id = o.customer_id)"
            if st.has_table(CONTACT_LIST_ROWS)
            else "NULL::BOOLEAN"
        )
        frame = query_frame(
            st,
            f"SELECT o.*, coalesce({holdout}, false) AS holdout FROM {OUTREACH} o "
            f"{where} ORDER BY o.contacted_at, o.outreach_id",
            params,
        )
    return frame[list(OUTREACH_COLUMNS)]


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OUTREACH_COLUMNS})


def _check_outcome(outcome: str) -> str:
    value = str(outcome).strip().lower().replace("-", "_").replace(" ", "_")
    if value not in OUTCOMES:
        raise ConfigError(
            f"unknown outreach outcome {outcome!r}",
            hint=f"use one of: {', '.join(OUTCOMES)}",
        )
    return value


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _classify(reason: str | None, lang: str | None) -> tuple[str | None, float | None]:
    text = _text(reason)
    if text is None:
        return None, None
    # A bare code ("price", "too_expensive") is mapped, not read as prose.
    if " " not in text:
        code = reason_from_code(text)
        if code is not None and (code != "other" or text.lower() == "other"):
            return code, 1.0
    match = classify_reason(text, lang)
    return match.reason, float(match.confidence)


def _known_customer(store: Store, customer_id: str) -> str:
    if not customer_id:
        raise ConfigError("no customer given", hint="pass the customer's id")
    tables = [t for t in ("customers", "subscriptions") if store.has_table(t)]
    if not tables:
        raise InputError(
            "the store holds no customers or subscriptions yet",
            path=store.path,
            hint="ingest them first: churnlens ingest customers.csv subscriptions.csv",
        )
    for table in tables:
        found = store.con.execute(
            f'SELECT 1 FROM "{table}" WHERE customer_id = ? LIMIT 1', [customer_id]
        ).fetchone()
        if found:
            return customer_id
    near = store.con.execute(
        f'SELECT DISTINCT customer_id FROM "{tables[0]}" '
        "ORDER BY levenshtein(lower(customer_id), lower(?)), customer_id LIMIT 3",
        [customer_id],
    ).fetchall()
    names = ", ".join(str(r[0]) for r in near)
    raise InputError(
        f"no customer '{customer_id}' in the store",
        path=store.path,
        hint=(f"did you mean {names}? " if names else "")
        + "ids are matched exactly, as in the customers file",
    )


def _listing(store: Store, customer_id: str, at: dt.datetime) -> tuple[Any, bool]:
    """(list id, in holdout) of the latest saved list holding the customer."""
    row = store.con.execute(
        f"SELECT r.list_id, r.holdout FROM {CONTACT_LIST_ROWS} r "
        f"JOIN {CONTACT_LISTS} l USING (list_id) "
        "WHERE r.customer_id = ? AND l.as_of <= ? "
        "ORDER BY l.as_of DESC, l.list_id DESC LIMIT 1",
        [customer_id, at],
    ).fetchone()
    return (row[0], bool(row[1])) if row else (None, False)


# -- the effect ------------------------------------------------------------------

REPORT_COLUMNS = (
    "list_id",
    "as_of",
    "horizon_end",
    "horizon_complete",
    "customers",
    "treatment",
    "holdout",
    "contacted",
    "saved",
    "lost",
    "currency",
    "saved_mrr",
    "retained_mrr",
    "holdout_contacted",
    "retention_treatment",
    "retention_contacted",
    "retention_holdout",
    "uplift",
    "uplift_lower",
    "uplift_upper",
    "incremental_customers",
)
REASON_REPORT_COLUMNS = ("reason", "label", "contacts", *OUTCOMES, "share")


@dataclass(frozen=True)
class OutreachReport:
    """What outreach did, per saved contact list, and what customers said.

    ``lists`` has one row per list (``REPORT_COLUMNS``); ``reasons`` counts the
    contacts per classified reason and outcome (``REASON_REPORT_COLUMNS``).
    """

    lists: pd.DataFrame
    reasons: pd.DataFrame
    horizon_days: float
    note: str | None = None

    @property
    def summary(self) -> pd.DataFrame:
        return self.lists

    def __str__(self) -> str:
        lines = [f"Outreach over {self.horizon_days:g} days after each list's as-of"]
        for row in self.lists.itertuples(index=False):
            lines.append(
                f"list {row.list_id} ({row.as_of:%Y-%m-%d}): contacted "
                f"{row.contacted} of {row.treatment}, saved {row.saved}, uplift "
                f"{_pct(row.uplift)} (95% CI {_pct(row.uplift_lower)} to "
                f"{_pct(row.uplift_upper)}) against {row.holdout} held out"
            )
        return "\n".join(lines)


def _pct(value: float) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:+.1%}"


def outreach_report(
    store: StoreLike,
    *,
    horizon_days: float = 90,
    list_id: int | None = None,
    grace_days: float = 0,
    fx: Any = None,
    currency: str | None = None,
    now: Any = None,
) -> OutreachReport:
    """Contacted, saved, retained MRR, reasons learned and uplift per saved list.

    A customer on a list is *retained* when they are in the base ``horizon_days``
    after the list's as-of date (or at the end of the data, or ``now``, if that
    comes first: ``horizon_complete`` is then False; an end date scheduled in
    the future does not make the future known). ``uplift`` is the retention of
    the customers assigned to be contacted minus that of the holdout (intention
    to treat: everyone stays in the group they were assigned to), with a 95%
    Newcombe hybrid score interval. Contacts count when logged between the
    as-of date and the horizon's end. MRR sums are in the list's currency, or
    with ``fx`` (an FX table) in the reporting ``currency``, each currency at its
    latest rate; a list in several currencies without ``fx`` leaves them empty
    and says so in ``note``.
    """
    if not horizon_days > 0:
        raise ConfigError(
            f"horizon_days must be positive, got {horizon_days!r}",
            hint="e.g. horizon_days=90",
        )
    with opened(store, write=False) as st:
        lists = saved_lists(st)
        if list_id is not None:
            if int(list_id) not in set(lists["list_id"]):
                raise InputError(
                    f"no saved contact list {list_id}",
                    path=st.path,
                    hint=f"saved lists: {', '.join(map(str, lists['list_id']))}",
                )
            lists = lists[lists["list_id"] == int(list_id)]
        ids = ", ".join(str(int(i)) for i in lists["list_id"])
        rows = query_frame(
            st,
            f"SELECT list_id, customer_id, mrr, currency, holdout "
            f"FROM {CONTACT_LIST_ROWS} "
            f"WHERE list_id IN ({ids})",
        )
        log = outreach_log(st)
        source = resolve_source(st)
        cap = now_utc() if now is None else utc_instant(now, "now")
        lists = _horizons(lists, source, horizon_days, cap)
        rows = rows.merge(lists[["list_id", "as_of", "horizon_end"]], on="list_id")
        rows["retained"] = _in_base(source, rows, grace_days)
    rows["mrr"], reporting, note = _reporting_mrr(rows, fx=fx, currency=currency)
    contacts = _window_contacts(rows.drop(columns="currency"), log)
    table = _effect(lists.assign(currency=reporting), rows, contacts)
    return OutreachReport(table, _reasons(contacts), float(horizon_days), note)


def _reporting_mrr(
    rows: pd.DataFrame, *, fx: Any, currency: str | None
) -> tuple[pd.Series, str | None, str | None]:
    """The rows' MRR in one currency, that currency, and a note when impossible."""
    codes = sorted(set(rows["currency"].dropna().astype(str).str.strip().str.upper()))
    if fx is None:
        if len(codes) <= 1 and (currency is None or codes in ([], [currency.upper()])):
            return rows["mrr"], codes[0] if codes else currency, None
        note = (
            f"the lists are in several currencies ({', '.join(codes)}): give an "
            "FX table (fx=, CLI --fx FILE) to sum their MRR"
        )
        return pd.Series(np.nan, index=rows.index), None, note
    found = currencies(
        ibis.memtable(pd.DataFrame({"currency": rows["currency"].astype("string")})),
        fx=fx,
        currency=currency,
    )
    latest = found.latest()
    rate = [latest[found.raw.get(v, found.reporting)] for v in rows["currency"]]
    return rows["mrr"] * np.asarray(rate, dtype="float64"), found.reporting, None


def _horizons(
    lists: pd.DataFrame, source: Source, horizon_days: float, now: dt.datetime
) -> pd.DataFrame:
    span = source.span()
    data_end = min(pd.Timestamp(span[1]), pd.Timestamp(now)) if span else now
    data_end = pd.Timestamp(data_end)
    out = lists[["list_id", "as_of"]].copy()
    out["as_of"] = pd.to_datetime(out["as_of"])
    wanted = out["as_of"] + pd.Timedelta(days=float(horizon_days))
    out["horizon_end"] = wanted.where(wanted <= data_end, data_end)
    out["horizon_end"] = out[["horizon_end", "as_of"]].max(axis=1)
    out["horizon_complete"] = wanted <= data_end
    return out.reset_index(drop=True)


def _in_base(source: Source, rows: pd.DataFrame, grace_days: float) -> np.ndarray:
    """Whether each (customer, horizon end) is in the base: one engine query."""
    keys = rows[["customer_id", "horizon_end"]].drop_duplicates()
    if keys.empty:
        return np.zeros(0, dtype=bool)
    spells = source.spells(grace_days=grace_days)
    wanted = ibis.memtable(
        keys.astype({"customer_id": "string", "horizon_end": "datetime64[us]"})
    )
    joined = spells.join(wanted, "customer_id")
    alive = (
        joined.filter(
            (joined.spell_start < joined.horizon_end)
            & (joined.spell_end.isnull() | (joined.spell_end >= joined.horizon_end))
        )
        .select("customer_id", "horizon_end")
        .distinct()
        .to_pandas()
    )
    alive = alive.assign(
        customer_id=alive["customer_id"].astype(str),
        horizon_end=pd.to_datetime(alive["horizon_end"]).astype("datetime64[us]"),
        _alive=True,
    )
    keyed = rows[["customer_id", "horizon_end"]].astype(
        {"customer_id": str, "horizon_end": "datetime64[us]"}
    )
    found = keyed.merge(alive, on=["customer_id", "horizon_end"], how="left")
    return found["_alive"].notna().to_numpy(dtype=bool)


def _window_contacts(rows: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Each list row's contacts logged in (as_of, horizon end], with the row."""
    if log.empty:
        columns = [*rows.columns, "outreach_id", "outcome", "contacted_at", "reason"]
        return pd.DataFrame(columns=columns)
    log = log[["outreach_id", "customer_id", "outcome", "contacted_at", "reason"]]
    both = rows.merge(log, on="customer_id")
    at = pd.to_datetime(both["contacted_at"])
    inside = (at >= both["as_of"]) & (at <= both["horizon_end"])
    return both[inside].sort_values(["contacted_at", "outreach_id"], kind="stable")


def _effect(
    lists: pd.DataFrame, rows: pd.DataFrame, contacts: pd.DataFrame
) -> pd.DataFrame:
    last = contacts.drop_duplicates(["list_id", "customer_id"], keep="last")
    rows = rows.merge(
        last[["list_id", "customer_id", "outcome"]],
        on=["list_id", "customer_id"],
        how="left",
    )
    rows["contacted"] = rows["outcome"].notna()
    unknown_mrr = bool(len(rows)) and bool(rows["mrr"].isna().all())
    rows["mrr"] = rows["mrr"].fillna(0.0)
    treated = rows[~rows["holdout"]]
    held = rows[rows["holdout"]]
    by = "list_id"
    table = lists.set_index(by)
    table["customers"] = rows.groupby(by).size()
    table["treatment"] = treated.groupby(by).size()
    table["holdout"] = held.groupby(by).size()
    table["contacted"] = treated.groupby(by)["contacted"].sum()
    table["saved"] = (treated["outcome"] == "saved").groupby(treated[by]).sum()
    table["lost"] = (treated["outcome"] == "lost").groupby(treated[by]).sum()
    table["saved_mrr"] = (
        treated["mrr"]
        .where(treated["outcome"] == "saved", 0.0)
        .groupby(treated[by])
        .sum()
    )
    kept_contacted = treated["contacted"] & treated["retained"]
    table["retained_mrr"] = (
        treated["mrr"].where(kept_contacted, 0.0).groupby(treated[by]).sum()
    )
    table["holdout_contacted"] = held.groupby(by)["contacted"].sum()
    kept_t = treated.groupby(by)["retained"].sum()
    kept_h = held.groupby(by)["retained"].sum()
    kept_c = kept_contacted.groupby(treated[by]).sum()
    table = table.reindex(columns=[*table.columns]).fillna(
        {
            c: 0
            for c in (
                "customers",
                "treatment",
                "holdout",
                "contacted",
                "saved",
                "lost",
                "holdout_contacted",
            )
        }
        | {"saved_mrr": 0.0, "retained_mrr": 0.0}
    )
    n_t = table["treatment"].to_numpy("float64")
    n_h = table["holdout"].to_numpy("float64")
    x_t = kept_t.reindex(table.index, fill_value=0).to_numpy("float64")
    x_h = kept_h.reindex(table.index, fill_value=0).to_numpy("float64")
    x_c = kept_c.reindex(table.index, fill_value=0).to_numpy("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["retention_treatment"] = x_t / n_t
        table["retention_contacted"] = x_c / table["contacted"].to_numpy("float64")
        table["retention_holdout"] = x_h / n_h
    uplift, lower, upper = uplift_interval(x_t, n_t, x_h, n_h)
    table["uplift"], table["uplift_lower"], table["uplift_upper"] = uplift, lower, upper
    table["incremental_customers"] = uplift * n_t
    counts = [
        "customers",
        "treatment",
        "holdout",
        "contacted",
        "saved",
        "lost",
        "holdout_contacted",
    ]
    table[counts] = table[counts].astype("int64")
    if unknown_mrr:  # no MRR on the list, or in several currencies: not 0
        table[["saved_mrr", "retained_mrr"]] = np.nan
    return table.reset_index()[list(REPORT_COLUMNS)]


def uplift_interval(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``p1 - p2`` with its 95% Newcombe hybrid score interval (method 10).

    Each proportion gets its Wilson interval; the difference's bounds combine
    the distances to them (Newcombe 1998, Stat Med 17:873). NaN where a group
    is empty.
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype="float64") for v in (x1, n1, x2, n2))
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        d = p1 - p2
        lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    empty = (n1 <= 0) | (n2 <= 0)
    nan = np.nan
    return (
        np.where(empty, nan, d),
        np.where(empty, nan, lower),
        np.where(empty, nan, upper),
    )


def _reasons(contacts: pd.DataFrame) -> pd.DataFrame:
    said = contacts.drop_duplicates("outreach_id")
    said = said[said["reason"].notna()]
    if said.empty:
        return pd.DataFrame(columns=list(REASON_REPORT_COLUMNS))
    table = pd.crosstab(said["reason"], said["outcome"])
    table = table.reindex(columns=list(OUTCOMES), fill_value=0)
    table.insert(0, "contacts", table.sum(axis=1))
    table = table.reset_index().rename(columns={"index": "reason"})
    table.columns.name = None
    table.insert(1, "label", table["reason"].map(REASON_LABELS))
    table["share"] = table["contacts"] / table["contacts"].sum()
    table = table.sort_values(["contacts", "reason"], ascending=[False, True])
    return table.reset_index(drop=True)[list(REASON_REPORT_COLUMNS)]
