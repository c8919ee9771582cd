"""LiveAgent tickets through API v3, against the local stand-in server."""

from __future__ import annotations

import pytest

from actions._helpdesk import LIVEAGENT_KEY
from churnlens.actions.exporters import ExportError, export_liveagent
from churnlens.errors import ConfigError


def _export(desk, table, store, **options):
    settings = {
        "store": store,
        "url": desk.url,
        "api_key": LIVEAGENT_KEY,
        "department_id": "d0p1",
        "recipient": "success@example.com",
        "user": "agent@example.com",
    }
    return export_liveagent(table, **(settings | options))


def test_one_ticket_per_contacted_customer(helpdesk, contact_table, demo_store) -> None:
    result = _export(
        helpdesk,
        contact_table,
        demo_store,
        owner_users={"Ann Lee": "ann@example.com"},
        tags=["tag01"],
    )
    assert list(result["customer_id"]) == ["C00001", "C00002", "C00004"]
    assert result["created"].all()
    tickets = helpdesk.liveagent_tickets
    assert [t["id"] for t in tickets] == list(result["ticket_id"])
    first = tickets[0]
    assert first["useridentifier"] == "ann@example.com"
    assert tickets[1]["useridentifier"] == "agent@example.com"
    assert (
        first["departmentid"] == "d0p1" and first["recipient"] == "success@example.com"
    )
    assert first["do_not_send_mail"] == "Y" and first["tags"] == ["tag01"]
    assert first["subject"] == "Asked to cancel: call C00001"
    assert "Churn probability: 81%" in first["message"]
    assert "Why: 3 tickets open for over 5 days; usage down 60%" in first["message"]
    assert "churnlens-list1-C00001" in first["message"]
    assert all(r["headers"]["apikey"] == LIVEAGENT_KEY for r in helpdesk.requests)


def test_rerun_creates_nothing_twice(helpdesk, contact_table, demo_store) -> None:
    first = _export(helpdesk, contact_table, demo_store)
    again = _export(helpdesk, contact_table, demo_store)
    assert len(helpdesk.liveagent_tickets) == 3
    assert not again["created"].any()
    assert list(again["ticket_id"]) == list(first["ticket_id"])
    # Another snapshot (a later as-of) is another round of follow-ups.
    later = contact_table.copy()
    later.attrs["as_of"] = "2026-07-31"
    assert _export(helpdesk, later, demo_store)["created"].all()
    assert len(helpdesk.liveagent_tickets) == 6


def test_rate_limit_is_waited_out(helpdesk, contact_table, demo_store, waits) -> None:
    helpdesk.fail_next("/api/v3/tickets", 429, headers={"Retry-After": "3"})
    result = _export(helpdesk, contact_table, demo_store)
    assert waits == [3.0] and result["created"].all()
    assert len(helpdesk.liveagent_tickets) == 3


def test_a_failed_export_resumes_where_it_stopped(
    helpdesk, contact_table, demo_store, waits
) -> None:
    path = "/api/v3/tickets"
    helpdesk.fail_next(path, None)  # the first ticket goes through
    for _ in range(4):
        helpdesk.fail_next(path, 500)
    with pytest.raises(ExportError, match="LiveAgent answered HTTP 500"):
        _export(helpdesk, contact_table, demo_store)
    assert waits == [1.0, 2.0, 4.0] and len(helpdesk.liveagent_tickets) == 1
    result = _export(helpdesk, contact_table, demo_store)
    assert list(result["created"]) == [False, True, True]
    assert len(helpdesk.liveagent_tickets) == 3
    assert result["ticket_id"].iloc[0] == helpdesk.liveagent_tickets[0]["id"]


def test_wrong_key_is_a_clear_error(helpdesk, contact_table, demo_store) -> None:
    with pytest.raises(ExportError, match="HTTP 401.*Invalid API key") as e:
        _export(helpdesk, contact_table, demo_store, api_key="wrong")
    assert "credentials" in (e.value.hint or "")
    assert helpdesk.liveagent_tickets == []


def test_missing_settings_are_refused(contact_table, demo_store) -> None:
    with pytest.raises(ConfigError, match="LiveAgent needs department_id"):
        export_liveagent(
            contact_table,
            store=demo_store,
            url="https://example.ladesk.com",
            api_key="k",
            department_id="",
            recipient="a@b.c",
            user="u",
        )
