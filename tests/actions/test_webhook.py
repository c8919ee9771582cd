"""The webhook POST: payload, retries with backoff on 5xx, 429, clear 4xx errors."""

from __future__ import annotations

import pytest

from churnlens.actions.exporters import ExportError, post_webhook
from churnlens.errors import ConfigError


def test_posts_the_list_as_json(helpdesk, contact_table) -> None:
    answer = post_webhook(
        contact_table, f"{helpdesk.url}/hook", headers={"X-Token": "s3cret"}
    )
    assert answer == {
        "status": 200,
        "attempts": 1,
        "count": 3,
        "response": {"ok": True},
    }
    (body,) = helpdesk.webhook_posts
    assert body["type"] == "churnlens.contact_list"
    assert body["as_of"] == "2026-06-30T00:00:00" and body["count"] == 3
    assert [c["customer_id"] for c in body["customers"]] == [
        "C00001",
        "C00002",
        "C00004",
    ]
    sent = helpdesk.requests[0]["headers"]
    assert sent["x-token"] == "s3cret"
    assert sent["content-type"].startswith("application/json")


def test_retries_server_errors_with_backoff(helpdesk, contact_table, waits) -> None:
    helpdesk.fail_next("/hook", 503)
    helpdesk.fail_next("/hook", 500, body={"error": "boom"})
    answer = post_webhook(contact_table, f"{helpdesk.url}/hook", backoff=0.5)
    assert answer["attempts"] == 3 and waits == [0.5, 1.0]
    assert len(helpdesk.webhook_posts) == 1


def test_waits_for_retry_after_on_429(helpdesk, contact_table, waits) -> None:
    helpdesk.fail_next("/hook", 429, headers={"Retry-After": "7"})
    assert post_webhook(contact_table, f"{helpdesk.url}/hook")["attempts"] == 2
    assert waits == [7.0]


def test_gives_up_after_the_retries(helpdesk, contact_table, waits) -> None:
    for _ in range(3):
        helpdesk.fail_next("/hook", 502)
    with pytest.raises(ExportError, match=r"HTTP 502 .*tried 3 times"):
        post_webhook(contact_table, f"{helpdesk.url}/hook", retries=2)
    assert waits == [1.0, 2.0]


def test_client_errors_fail_at_once(helpdesk, contact_table, waits) -> None:
    helpdesk.fail_next("/hook", 400, body={"message": "missing field 'channel'"})
    with pytest.raises(ExportError, match="HTTP 400.*missing field 'channel'"):
        post_webhook(contact_table, f"{helpdesk.url}/hook")
    assert waits == [] and len(helpdesk.requests) == 1
    with pytest.raises(ExportError, match="HTTP 404") as e:
        post_webhook(contact_table, f"{helpdesk.url}/nowhere")
    assert "check the URL" in (e.value.hint or "")


def test_unreachable_and_bad_urls(contact_table, waits) -> None:
    with pytest.raises(ConfigError, match="must start with https://"):
        post_webhook(contact_table, "file:///etc/passwd")
    with pytest.raises(ExportError, match="cannot reach the webhook"):
        post_webhook(contact_table, "http://127.0.0.1:9/hook", retries=1)
    assert waits == [1.0]


def test_retry_after_forms() -> None:
    import email.utils
    import time

    from churnlens.actions.exporters._http import _retry_after

    assert _retry_after("12", 1.0) == 12.0
    assert _retry_after(None, 4.0) == 4.0 and _retry_after("soon", 4.0) == 4.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= _retry_after(later, 1.0) <= 31
