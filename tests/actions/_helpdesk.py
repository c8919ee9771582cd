"""A local stand-in for LiveAgent (API v3), Zendesk Support (API v2) and a webhook.

It implements the documented ticket-creation endpoints closely enough to catch a
wrong request: it checks authentication (LiveAgent's ``apikey`` header, Zendesk's
basic auth as ``email/token:TOKEN``), the JSON shape and the required fields,
honours Zendesk's ``Idempotency-Key``, and records every ticket it creates.
Failures (429 with Retry-After, 5xx, ...) can be queued per path.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LIVEAGENT_KEY = "la-secret-key"
ZENDESK_EMAIL = "agent@example.com"
ZENDESK_TOKEN = "zd-secret-token"
LIVEAGENT_REQUIRED = (
    "useridentifier",
    "subject",
    "departmentid",
    "recipient",
    "message",
)
LIVEAGENT_STATUSES = set("INTPRXBACW")
ZENDESK_TYPES = {"problem", "incident", "question", "task"}
ZENDESK_PRIORITIES = {"urgent", "high", "normal", "low"}


@dataclass
class Helpdesk:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    liveagent_tickets: list[dict[str, Any]] = field(default_factory=list)
    zendesk_tickets: list[dict[str, Any]] = field(default_factory=list)
    webhook_posts: list[Any] = field(default_factory=list)
    failures: dict[str, list[tuple[int | None, dict[str, str], Any]]] = field(
        default_factory=dict
    )
    idempotency: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self,
        path: str,
        status: int | None,
        *,
        body: Any = None,
        headers: dict | None = None,
    ) -> None:
        self.failures.setdefault(path, []).append((status, headers or {}, body))


def serve() -> tuple[Helpdesk, ThreadingHTTPServer]:
    desk = Helpdesk()
    ids = itertools.count(101)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with desk.lock:
                desk.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "raw": raw,
                    }
                )
                queued = desk.failures.get(self.path)
                if queued:
                    status, headers, body = queued.pop(0)
                    if status is not None:  # None: serve this one normally
                        return self._send(status, body, headers)
                try:
                    payload = json.loads(raw)
                except ValueError:
                    return self._send(400, {"message": "body is not JSON"})
                if self.path == "/api/v3/tickets":
                    return self._liveagent(payload)
                if self.path == "/api/v2/tickets.json":
                    return self._zendesk(payload, raw)
                if self.path == "/hook":
                    desk.webhook_posts.append(payload)
                    return self._send(200, {"ok": True})
                return self._send(404, {"error": "InvalidEndpoint"})

        def _liveagent(self, payload: Any) -> None:
            if self.headers.get("apikey") != LIVEAGENT_KEY:
                return self._send(401, {"message": "Invalid API key"})
            if not isinstance(payload, dict):
                return self._send(400, {"message": "expected a TicketListItem"})
            for name in LIVEAGENT_REQUIRED:
                if not isinstance(payload.get(name), str) or not payload[name]:
                    return self._send(400, {"message": f"Field '{name}' is required"})
            if payload.get("do_not_send_mail", "N") not in ("Y", "N"):
                return self._send(400, {"message": "do_not_send_mail is Y or N"})
            if payload.get("status", "N") not in LIVEAGENT_STATUSES:
                return self._send(400, {"message": "unknown status"})
            tags = payload.get("tags", [])
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                return self._send(400, {"message": "tags is an array of tag ids"})
            number = next(ids)
            ticket = {
                "id": f"t{number:07x}",
                "code": f"ABC-{number:03d}-XYZ",
                "departmentid": payload["departmentid"],
                "status": payload.get("status", "N"),
                "subject": payload["subject"],
                "date_created": "2026-01-01 10:00:00",
            }
            desk.liveagent_tickets.append(payload | {"id": ticket["id"]})
            return self._send(200, ticket)

        def _zendesk(self, payload: Any, raw: bytes) -> None:
            expected = base64.b64encode(
                f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()
            ).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                return self._send(401, {"error": "Couldn't authenticate you"})
            key = self.headers.get("Idempotency-Key")
            if key and key in desk.idempotency:
                seen_raw, answer = desk.idempotency[key]
                if seen_raw != raw.decode():
                    return self._send(400, {"error": "IdempotentRequestError"})
                return self._send(201, answer, {"x-idempotency-lookup": "hit"})
            ticket = payload.get("ticket") if isinstance(payload, dict) else None
            if not isinstance(ticket, dict):
                return self._send(400, {"error": "expected {'ticket': {...}}"})
            comment = ticket.get("comment")
            if not isinstance(comment, dict) or not comment.get("body"):
                return self._invalid("comment", "cannot be blank")
            if ticket.get("type", "question") not in ZENDESK_TYPES:
                return self._invalid("type", "is not a ticket type")
            if ticket.get("priority", "normal") not in ZENDESK_PRIORITIES:
                return self._invalid("priority", "is not a priority")
            number = next(ids)
            made = {"id": number, "url": f"{desk.url}/api/v2/tickets/{number}.json"}
            answer = {
                "ticket": made
                | {
                    k: ticket.get(k)
                    for k in ("subject", "external_id", "type", "priority", "tags")
                }
            }
            desk.zendesk_tickets.append(ticket | {"id": number})
            if key:
                desk.idempotency[key] = (raw.decode(), answer)
            return self._send(201, answer)

        def _invalid(self, name: str, problem: str) -> None:
            details = {name: [{"description": f"{name} {problem}"}]}
            body = {"error": "RecordInvalid", "description": "Record validation errors"}
            return self._send(422, body | {"details": details})

        def _send(self, status: int, body: Any, headers: dict | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    desk.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return desk, server
