"""Follow-up tickets in LiveAgent through its REST API v3.

``POST {url}/api/v3/tickets`` with the ``apikey`` header; the body is a
``TicketListItem``: ``useridentifier`` (the agent or contact the ticket is
from), ``subject``, ``departmentid``, ``recipient`` (the department's mail
address) and ``message`` are required. The answer is a ``TicketInformation``
whose ``id`` is recorded. ``do_not_send_mail`` is ``Y``: the ticket is a task
for the account owner, no e-mail goes to the customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from churnlens.actions.exporters._http import ExportError, check_url, send_json
from churnlens.actions.exporters._tickets import export_tickets, ticket_text
from churnlens.errors import ConfigError
from churnlens.store import Store

__all__ = ["export_liveagent"]


def export_liveagent(
    table: pd.DataFrame,
    *,
    store: Store | str | Path,
    url: str,
    api_key: str,
    department_id: str,
    recipient: str,
    user: str,
    owner_users: Mapping[str, str] | None = None,
    tags: list[str] | None = None,
    as_of: Any = None,
    include_holdout: bool = False,
    timeout: float = 10.0,
    retries: int = 3,
) -> pd.DataFrame:
    """Create one LiveAgent ticket per customer on the list (holdout left out).

    ``url`` is the account's address (``https://example.ladesk.com``);
    ``user`` the LiveAgent user (agent e-mail or id) the tickets come from,
    or per owner through ``owner_users`` (owner name -> user). ``tags`` are
    LiveAgent tag ids. Tickets already created for this list snapshot (see
    ``save_contact_list``) are not created again. Returns customer_id,
    ticket_id, created.
    """
    base = check_url(url, what="LiveAgent")
    for name, value in (
        ("api_key", api_key),
        ("department_id", department_id),
        ("recipient", recipient),
        ("user", user),
    ):
        if not value:
            raise ConfigError(
                f"LiveAgent needs {name}",
                hint="see docs/actions.md for where to find it in LiveAgent",
            )
    endpoint = f"{base}/api/v3/tickets"

    def create(row: dict[str, Any], key: str) -> str:
        subject, message = ticket_text(row)
        owner = row.get("owner")
        body: dict[str, Any] = {
            "useridentifier": (owner_users or {}).get(owner or "", user),
            "subject": subject,
            "departmentid": department_id,
            "recipient": recipient,
            "message": f"{message}\nReference: {key}",
            "do_not_send_mail": "Y",
            "status": "N",
        }
        if tags:
            body["tags"] = list(tags)
        answer = send_json(
            "POST",
            endpoint,
            body,
            headers={"apikey": api_key},
            timeout=timeout,
            retries=retries,
            what="LiveAgent",
        )
        ticket = answer.body if isinstance(answer.body, dict) else {}
        if not ticket.get("id"):
            raise ExportError(
                f"LiveAgent answered without a ticket id: {str(answer.body)[:200]}",
                hint="check that the URL is the LiveAgent account's address",
            )
        return str(ticket["id"])

    return export_tickets(
        table,
        store=store,
        target=f"liveagent:{base}",
        create=create,
        as_of=as_of,
        include_holdout=include_holdout,
    )
