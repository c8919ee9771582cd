"""Zendesk tickets through the Support API, against the local stand-in server."""

from __future__ import annotations

import pytest

from actions._helpdesk import ZENDESK_EMAIL, ZENDESK_TOKEN
from churnlens.actions.exporters import ExportError, export_zendesk


def _export(desk, table, store, **options):
    settings = {
        "store": store,
        "url": desk.url,
        "email": ZENDESK_EMAIL,
        "api_token": ZENDESK_TOKEN,
    }
    return export_zendesk(table, **(settings | options))


def test_one_private_task_per_customer(helpdesk, contact_table, demo_store) -> None:
    result = _export(
        helpdesk,
        contact_table,
        demo_store,
        owner_emails={"Ann Lee": "ann@example.com"},
        group_id=77,
        tags=["q3"],
    )
    assert list(result["customer_id"]) == ["C00001", "C00002", "C00004"]
    tickets = helpdesk.zendesk_tickets
    assert [str(t["id"]) for t in tickets] == list(result["ticket_id"])
    first = tickets[0]
    assert first["comment"]["public"] is False
    assert first["type"] == "task" and first["priority"] == "high"
    assert tickets[1]["priority"] == "normal"
    assert first["assignee_email"] == "ann@example.com"
    assert "assignee_email" not in tickets[1]
    assert first["group_id"] == 77 and first["tags"] == [
        "churnlens",
        "churn_risk",
        "q3",
    ]
    assert first["external_id"] == "churnlens-list1-C00001"
    keys = [r["headers"]["idempotency-key"] for r in helpdesk.requests]
    assert keys == [t["external_id"] for t in tickets]


def test_rerun_creates_nothing_twice(helpdesk, contact_table, demo_store) -> None:
    _export(helpdesk, contact_table, demo_store)
    again = _export(helpdesk, contact_table, demo_store)
    assert not again["created"].any() and len(helpdesk.zendesk_tickets) == 3
    assert len(helpdesk.requests) == 3


def test_a_retried_request_reuses_the_ticket(
    helpdesk, contact_table, demo_store, waits
) -> None:
    """A 429 answer: retried with the same Idempotency-Key after Retry-After."""
    helpdesk.fail_next("/api/v2/tickets.json", 429, headers={"Retry-After": "2"})
    result = _export(helpdesk, contact_table, demo_store)
    assert waits == [2.0] and result["created"].all()
    assert len(helpdesk.zendesk_tickets) == 3


def test_bad_credentials_and_invalid_tickets(
    helpdesk, contact_table, demo_store
) -> None:
    with pytest.raises(ExportError, match="Zendesk answered HTTP 401"):
        _export(helpdesk, contact_table, demo_store, api_token="nope")
    helpdesk.fail_next(
        "/api/v2/tickets.json",
        422,
        body={"error": "RecordInvalid", "description": "Record validation errors"},
    )
    with pytest.raises(ExportError, match="HTTP 422.*RecordInvalid") as e:
        _export(helpdesk, contact_table, demo_store)
    assert "rejected the request" in (e.value.hint or "")
    assert helpdesk.zendesk_tickets == []


def test_the_stand_in_rejects_what_zendesk_rejects(helpdesk) -> None:
    """The local server validates like the documented API, so a wrong body fails."""
    from churnlens.actions.exporters._http import send_json

    with pytest.raises(ExportError, match="422.*RecordInvalid"):
        send_json(
            "POST",
            f"{helpdesk.url}/api/v2/tickets.json",
            {"ticket": {"subject": "no comment"}},
            headers={"Authorization": "Basic " + _basic()},
        )


def _basic() -> str:
    import base64

    return base64.b64encode(f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()).decode()
