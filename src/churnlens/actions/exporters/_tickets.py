"""One follow-up ticket per customer on a contact list, created at most once.

Each ticket created is recorded in the store (``_churnlens_exports``: list,
customer, helpdesk, ticket id) before the next is sent, so an export stopped
half-way (rate limit, network, Ctrl-C) resumes where it stopped when run again,
and a re-run of the same list snapshot creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from churnlens.actions._stored import now_utc, opened
from churnlens.actions.exporters.files import contact_records, to_work_list
from churnlens.actions.snapshots import save_contact_list
from churnlens.store import CONTACT_LISTS, EXPORTS, Store

__all__ = ["TICKET_COLUMNS", "export_tickets", "ticket_key", "ticket_text"]

TICKET_COLUMNS = ("customer_id", "ticket_id", "created")
Create = Callable[[dict[str, Any], str], str]


def export_tickets(
    table: pd.DataFrame,
    *,
    store: Store | str | Path,
    target: str,
    create: Create,
    as_of: Any = None,
    include_holdout: bool = False,
) -> pd.DataFrame:
    """Call ``create(row, key)`` for each customer not yet exported to ``target``
    from this list snapshot; ``TICKET_COLUMNS`` per customer."""
    rows = contact_records(to_work_list(table, include_holdout=include_holdout))
    out: list[tuple[str, str, bool]] = []
    with opened(store, write=True) as st:
        list_id = save_contact_list(st, table, as_of=as_of)
        done = dict(
            st.con.execute(
                f"SELECT customer_id, external_id FROM {EXPORTS} "
                "WHERE list_id = ? AND target = ?",
                [list_id, target],
            ).fetchall()
        )
        stored = st.con.execute(
            f"SELECT as_of FROM {CONTACT_LISTS} WHERE list_id = ?", [list_id]
        ).fetchone()
        as_of_text = pd.Timestamp(stored[0] if stored else None).date().isoformat()
        for row in rows:
            customer = row["customer_id"]
            if customer in done:
                out.append((customer, str(done[customer]), False))
                continue
            row = row | {"list_id": list_id, "as_of": as_of_text}
            ticket_id = str(create(row, ticket_key(list_id, customer)))
            st.con.execute(
                f"INSERT INTO {EXPORTS} VALUES (?, ?, ?, ?, ?)",
                [list_id, customer, target, ticket_id, now_utc()],
            )
            out.append((customer, ticket_id, True))
    result = pd.DataFrame(out, columns=list(TICKET_COLUMNS))
    result.attrs["list_id"] = list_id
    return result


def ticket_key(list_id: int, customer_id: str) -> str:
    """The external id / idempotency key of one customer's ticket of one list."""
    return f"churnlens-list{list_id}-{customer_id}"


def ticket_text(row: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a follow-up ticket, plain text for the account owner."""
    customer = row["customer_id"]
    urgent = row.get("status") == "cancel_requested"
    subject = ("Asked to cancel: " if urgent else "Churn risk: ") + f"call {customer}"
    lines = [f"Customer: {customer}"]
    if row.get("owner"):
        lines.append(f"Owner: {row['owner']}")
    if urgent:
        lines.append("The customer asked to cancel and is still active: call first.")
    probability = row.get("churn_probability")
    if probability is not None:
        lines.append(f"Churn probability: {probability:.0%}")
    for key, label in (
        ("mrr", "MRR"),
        ("mrr_at_risk", "MRR at risk"),
        ("expected_value_saved", "Expected value saved"),
    ):
        if row.get(key) is not None:
            unit = f" {row['currency']}" if row.get("currency") else ""
            lines.append(f"{label}: {row[key]:,.2f}{unit}")
    if row.get("reasons"):
        lines.append(f"Why: {row['reasons']}")
    if row.get("suggested_action"):
        lines.append(f"Suggested action: {row['suggested_action']}")
    lines += [
        "",
        f"From the churnlens contact list of {row['as_of']} (list {row['list_id']}).",
        f"Log the outcome: churnlens outreach log {customer} "
        "--outcome saved|lost|no_answer|callback --reason '...'",
    ]
    return subject, "\n".join(lines)
