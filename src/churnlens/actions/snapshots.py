"""Saved contact lists and their holdout: who is not to be contacted, and why.

``assign_holdout`` marks a random, per-customer fixed share of a contact list not
to contact; ``save_contact_list`` keeps the list (with those flags) in the store,
so outreach can later be measured against the holdout (``outreach_report``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churnlens.actions._stored import now_utc, opened, query_frame, utc_instant
from churnlens.errors import ConfigError, InputError
from churnlens.store import CONTACT_LIST_ROWS, CONTACT_LISTS, Store

__all__ = [
    "CONTACT_LIST_COLUMNS",
    "assign_holdout",
    "contact_list_snapshot",
    "list_as_of",
    "save_contact_list",
    "saved_lists",
]

# The contact list's column contract (churnlens.actions.contact_list).
CONTACT_LIST_COLUMNS = (
    "customer_id",
    "owner",
    "churn_probability",
    "mrr",
    "mrr_at_risk",
    "expected_value_saved",
    "reasons",
    "suggested_action",
    "status",
)
_NUMBERS = ("churn_probability", "mrr", "mrr_at_risk", "expected_value_saved")
# Kept with the snapshot too when the list has them.
_EXTRAS = ("currency",)
StoreLike = Store | str | Path


def assign_holdout(
    contact_list: pd.DataFrame, *, share: float = 0.1, seed: int = 0
) -> pd.DataFrame:
    """The list with a ``holdout`` column: True for customers not to contact.

    Each customer is held out when a hash of (``seed``, customer id), read as a
    number in [0, 1), is below ``share``. So the draw is random across
    customers but fixed per customer: re-running the list (tomorrow's too)
    keeps everyone's assignment, a customer held out stays held out, and a
    larger share only adds customers. The holdout is about ``share`` of the
    list, not exactly.
    """
    if not 0 <= share < 1 or isinstance(share, bool):
        raise ConfigError(
            f"holdout share must be in [0, 1), got {share!r}",
            hint="e.g. share=0.1 keeps 10% of the list uncontacted",
        )
    _check_list(contact_list)
    ids = contact_list["customer_id"].astype("string")
    out = contact_list.copy()
    out["holdout"] = [_unit_hash(seed, c) < share for c in ids]
    out.attrs.update(contact_list.attrs)
    out.attrs.update(holdout_share=float(share), holdout_seed=int(seed))
    return out


def _unit_hash(seed: int, customer_id: str) -> float:
    digest = hashlib.sha256(f"{int(seed)}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def save_contact_list(
    store: StoreLike, table: pd.DataFrame, *, as_of: Any = None
) -> int:
    """Keep a contact list (with its ``holdout`` flags) in the store; its id.

    ``as_of`` is the date the list was scored at (default: ``table.attrs
    ["as_of"]``, else the table's ``as_of`` column). Saving the same customers
    and holdout flags for the same ``as_of`` again returns the existing id, so a
    re-run exports no duplicate tickets. Without a ``holdout`` column nobody is
    held out. The id is also put in ``table.attrs["list_id"]``.
    """
    _check_list(table)
    as_of_at = list_as_of(table) if as_of is None else utc_instant(as_of, "as_of")
    if as_of_at is None:
        raise ConfigError(
            "the contact list has no as-of date",
            hint="pass as_of= (the date the risk was scored at)",
        )
    rows = _snapshot_rows(table)
    digest = _content_hash(as_of_at, rows)
    with opened(store, write=True) as st:
        found = st.con.execute(
            f"SELECT list_id FROM {CONTACT_LISTS} WHERE content_hash = ?", [digest]
        ).fetchone()
        if found:
            list_id = int(found[0])
        else:
            list_id = _insert_list(st, table, rows, as_of_at, digest)
    table.attrs["list_id"] = list_id
    return list_id


def list_as_of(table: pd.DataFrame) -> dt.datetime | None:
    """The list's as-of date: ``attrs["as_of"]``, else its one ``as_of`` value."""
    if table.attrs.get("as_of") is not None:
        return utc_instant(table.attrs["as_of"], "as_of")
    if "as_of" in table.columns:
        values = pd.unique(table["as_of"].dropna())
        if len(values) > 1:
            raise InputError(
                "the contact list mixes several as-of dates",
                column="as_of",
                hint="save one list per as-of date",
            )
        if len(values) == 1:
            return utc_instant(values[0], "as_of")
    return None


def _insert_list(
    store: Store,
    table: pd.DataFrame,
    rows: pd.DataFrame,
    as_of: dt.datetime,
    digest: str,
) -> int:
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute(
            f"INSERT INTO {CONTACT_LISTS} SELECT coalesce(max(list_id), 0) + 1, "
            f"?, ?, ?, ?, ?, ? FROM {CONTACT_LISTS} RETURNING list_id",
            [
                as_of,
                now_utc(),
                digest,
                table.attrs.get("holdout_share"),
                table.attrs.get("holdout_seed"),
                len(rows),
            ],
        ).fetchone()
        list_id = int(row[0]) if row else 0
        view = "_churnlens_new_list_rows"
        con.register(view, rows.assign(list_id=list_id))
        columns = ", ".join(
            f'"{c}"'
            for c in ("list_id", "rank", *CONTACT_LIST_COLUMNS, *_EXTRAS, "holdout")
        )
        try:
            con.execute(
                f"INSERT INTO {CONTACT_LIST_ROWS} ({columns}) "
                f"SELECT {columns} FROM {view}"
            )
        finally:
            con.unregister(view)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return list_id


def contact_list_snapshot(store: StoreLike, list_id: int | None = None) -> pd.DataFrame:
    """A saved contact list (the latest without ``list_id``), in rank order.

    ``attrs`` carries ``list_id`` and ``as_of``.
    """
    with opened(store, write=False) as st:
        lists = saved_lists(st)
        if list_id is None:
            list_id = int(lists["list_id"].max())
        elif int(list_id) not in set(lists["list_id"]):
            raise InputError(
                f"no saved contact list {list_id}",
                path=st.path,
                hint=f"saved lists: {', '.join(map(str, lists['list_id']))}",
            )
        frame = query_frame(
            st,
            f"SELECT * EXCLUDE (list_id, rank) FROM {CONTACT_LIST_ROWS} "
            "WHERE list_id = ? ORDER BY rank",
            [int(list_id)],
        )
    info = lists.set_index("list_id").loc[int(list_id)]
    frame.attrs.update(list_id=int(list_id), as_of=info["as_of"])
    return frame


def saved_lists(store: Store) -> pd.DataFrame:
    """The saved lists (id, as-of, holdout settings...); an error when none."""
    if not store.has_table(CONTACT_LISTS) or not store.count(CONTACT_LISTS):
        raise InputError(
            "no contact list has been saved in this store yet",
            path=store.path,
            hint="save one with churnlens.actions.outreach.save_contact_list(store, "
            "table, as_of=...) after assign_holdout(...)",
        )
    return query_frame(store, f"SELECT * FROM {CONTACT_LISTS} ORDER BY list_id")


def _check_list(table: pd.DataFrame) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(
            f"expected the contact list as a pandas DataFrame, got "
            f"{type(table).__name__}",
            hint="pass the table that contact_list(...) returns",
        )
    if "customer_id" not in table.columns:
        raise InputError(
            "the contact list has no 'customer_id' column",
            column="customer_id",
            hint=f"expected columns: {', '.join(CONTACT_LIST_COLUMNS)}",
        )
    ids = table["customer_id"]
    if ids.isna().any():
        raise InputError(
            "the contact list has rows without a customer_id",
            column="customer_id",
            hint="drop or fill them",
        )
    twice = ids.astype("string")[ids.astype("string").duplicated()]
    if len(twice):
        raise InputError(
            f"customer '{twice.iloc[0]}' is on the contact list twice",
            column="customer_id",
            hint="keep one row per customer",
        )


def _snapshot_rows(table: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"rank": np.arange(1, len(table) + 1, dtype="int64")})
    for column in (*CONTACT_LIST_COLUMNS, *_EXTRAS):
        values = table[column] if column in table.columns else None
        if values is None:
            out[column] = np.nan if column in _NUMBERS else None
        elif column in _NUMBERS:
            out[column] = (
                pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
            )
        else:
            out[column] = [_cell_text(v) for v in values]
    holdout = (
        table["holdout"].fillna(False).astype(bool).to_numpy()
        if "holdout" in table.columns
        else np.zeros(len(table), dtype=bool)
    )
    out["holdout"] = holdout
    return out


def _cell_text(value: object) -> str | None:
    if isinstance(value, list | tuple | np.ndarray):
        parts = [str(v) for v in value if _clean(v) is not None]
        return "; ".join(parts) or None
    return _clean(value)


def _content_hash(as_of: dt.datetime, rows: pd.DataFrame) -> str:
    pairs: Sequence[tuple[str, bool]] = sorted(
        zip(rows["customer_id"], rows["holdout"].astype(bool), strict=True)
    )
    text = as_of.isoformat() + "\n" + "\n".join(f"{c}\t{int(h)}" for c, h in pairs)
    return hashlib.sha256(text.encode()).hexdigest()


def _clean(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
