"""Signed session cookies, CSRF tokens and the sign-in rate limit."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from churnlens.errors import ChurnlensError

__all__ = [
    "CsrfRejected",
    "LoginLimiter",
    "SessionMiddleware",
    "csrf_ok",
    "csrf_token",
    "load_secret",
]

COOKIE = "churnlens_session"
MAX_AGE = 12 * 3600


def load_secret(path: Path) -> str:
    """The signing key kept in ``path`` (made on first use, owner-only), so
    sessions survive a restart."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "w", encoding="ascii") as out:
        out.write(key)
    return key


class SessionMiddleware:
    """The session as a signed, timed cookie: HttpOnly, SameSite=Lax, and
    Secure whenever the request came over https (also behind a proxy that says
    so with X-Forwarded-Proto, when uvicorn trusts it)."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.signer = URLSafeTimedSerializer(secret, salt="churnlens-session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        raw = conn.cookies.get(COOKIE)
        session: dict[str, Any] = {}
        if raw:
            try:
                session = dict(self.signer.loads(raw, max_age=MAX_AGE))
            except (BadSignature, ValueError, TypeError):
                session = {}
        original = dict(session)
        scope["session"] = session
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                headers = MutableHeaders(scope=message)
                flags = "; Path=/; HttpOnly; SameSite=Lax" + (
                    "; Secure" if secure else ""
                )
                if current and (current != original or not raw):
                    value = self.signer.dumps(current)
                    headers.append(
                        "Set-Cookie", f"{COOKIE}={value}; Max-Age={MAX_AGE}{flags}"
                    )
                elif not current and raw:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}=; Max-Age=0; "
                        "Expires=Thu, 01 Jan 1970 00:00:00 GMT" + flags,
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class CsrfRejected(ChurnlensError):
    """A form without this session's CSRF token (answered with 403)."""


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def csrf_ok(session: dict[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per ``window`` seconds, per client
    address and per user name (so neither many names from one address nor one
    name from many addresses gets unlimited guesses)."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(
                len(self._recent(k, now)) >= self.attempts
                for k in (f"ip:{client}", f"user:{name.lower()}")
            )

    def failed(self, client: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{client}", f"user:{name.lower()}"):
                self._recent(key, now).append(now)

    def succeeded(self, client: str, name: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{name.lower()}", None)
