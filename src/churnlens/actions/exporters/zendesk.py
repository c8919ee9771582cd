"""Follow-up tickets in Zendesk Support through its REST API.

``POST {url}/api/v2/tickets.json`` with basic authentication as
``{email}/token:{api_token}``; the body is ``{"ticket": {...}}`` with the first
comment as a private note (``public: false``: nothing is e-mailed to the
customer). ``external_id`` and the ``Idempotency-Key`` header carry the
ticket's key, so a retried request cannot make a second ticket either.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from churnlens.actions.exporters._http import ExportError, check_url, send_json
from churnlens.actions.exporters._tickets import export_tickets, ticket_text
from churnlens.errors import ConfigError
from churnlens.store import Store

__all__ = ["export_zendesk"]


def export_zendesk(
    table: pd.DataFrame,
    *,
    store: Store | str | Path,
    url: str,
    email: str,
    api_token: str,
    owner_emails: Mapping[str, str] | None = None,
    group_id: int | None = None,
    tags: list[str] | None = None,
    as_of: Any = None,
    include_holdout: bool = False,
    timeout: float = 10.0,
    retries: int = 3,
) -> pd.DataFrame:
    """Create one Zendesk ticket (type task) per customer on the list.

    ``url`` is ``https://SUBDOMAIN.zendesk.com``. Owners are mapped to agents
    by ``owner_emails`` (owner name -> agent e-mail, sent as
    ``assignee_email``); ``group_id`` assigns a group. Customers who asked to
    cancel get priority high. Tickets already created for this list snapshot
    are not created again. Returns customer_id, ticket_id, created.
    """
    base = check_url(url, what="Zendesk")
    if not email or not api_token:
        raise ConfigError(
            "Zendesk needs the agent's e-mail and an API token",
            hint="create a token in Admin Center > Apps and integrations > Zendesk API",
        )
    secret = base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
    endpoint = f"{base}/api/v2/tickets.json"
    labels = ["churnlens", "churn_risk", *(tags or [])]

    def create(row: dict[str, Any], key: str) -> str:
        subject, message = ticket_text(row)
        ticket: dict[str, Any] = {
            "subject": subject,
            "comment": {"body": message, "public": False},
            "type": "task",
            "priority": "high" if row.get("status") == "cancel_requested" else "normal",
            "external_id": key,
            "tags": labels,
        }
        assignee = (owner_emails or {}).get(row.get("owner") or "")
        if assignee:
            ticket["assignee_email"] = assignee
        if group_id is not None:
            ticket["group_id"] = int(group_id)
        answer = send_json(
            "POST",
            endpoint,
            {"ticket": ticket},
            headers={"Authorization": f"Basic {secret}", "Idempotency-Key": key},
            timeout=timeout,
            retries=retries,
            what="Zendesk",
        )
        made = answer.body.get("ticket") if isinstance(answer.body, dict) else None
        if not isinstance(made, dict) or not made.get("id"):
            raise ExportError(
                f"Zendesk answered without a ticket id: {str(answer.body)[:200]}",
                hint="check that the URL is https://SUBDOMAIN.zendesk.com",
            )
        return str(made["id"])

    return export_tickets(
        table,
        store=store,
        target=f"zendesk:{base}",
        create=create,
        as_of=as_of,
        include_holdout=include_holdout,
    )
