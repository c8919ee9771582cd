"""Send the contact list to a webhook (Slack workflow, Zapier, n8n, your own API)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from churnlens.actions.exporters._http import check_url, send_json
from churnlens.actions.exporters.files import contact_records, to_work_list
from churnlens.actions.snapshots import list_as_of

__all__ = ["post_webhook"]


def post_webhook(
    table: pd.DataFrame,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 1.0,
    include_holdout: bool = False,
) -> dict[str, Any]:
    """POST the contact list as one JSON document; what the server answered.

    The body is ``{"type": "churnlens.contact_list", "as_of": ..., "list_id": ...,
    "count": n, "customers": [rows]}``, the rows as in the JSON export (holdout
    left out unless ``include_holdout``). 5xx answers and lost connections are
    retried ``retries`` times with exponential ``backoff`` (1 s, 2 s, 4 s...);
    429 waits for ``Retry-After``; any other 4xx raises ``ExportError`` at once.
    Returns ``{"status", "attempts", "count", "response"}``.
    """
    target = check_url(url, what="webhook")
    rows = to_work_list(table, include_holdout=include_holdout)
    as_of = list_as_of(table)
    payload = {
        "type": "churnlens.contact_list",
        "as_of": None if as_of is None else as_of.isoformat(),
        "list_id": table.attrs.get("list_id"),
        "count": len(rows),
        "customers": contact_records(rows),
    }
    answer = send_json(
        "POST",
        target,
        payload,
        headers=headers,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        what="the webhook",
    )
    return {
        "status": answer.status,
        "attempts": answer.attempts,
        "count": len(rows),
        "response": answer.body,
    }
