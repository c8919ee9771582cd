"""JSON over HTTP with retries: the one client every exporter uses (stdlib only).

Server errors (5xx) and dropped connections are retried with exponential
backoff; 429 waits for the server's ``Retry-After``; other 4xx answers are the
caller's mistake and fail at once with the server's message.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from churnlens.errors import ChurnlensError, ConfigError

__all__ = ["ExportError", "Response", "check_url", "send_json"]

# Tests replace this to record the waits instead of sleeping through them.
_sleep = time.sleep
_MAX_WAIT_S = 120.0


class ExportError(ChurnlensError, RuntimeError):
    """A remote service refused or failed an export."""


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str]
    attempts: int


def check_url(url: str, *, what: str) -> str:
    parts = urllib.parse.urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"the {what} URL must start with https:// (or http://), got {url!r}",
            hint="e.g. https://example.com/hooks/churn",
        )
    return str(url).rstrip("/")


def send_json(
    method: str,
    url: str,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 1.0,
    what: str = "the server",
) -> Response:
    """Send ``payload`` as JSON; the decoded answer. Retries 5xx, 429, lost links."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    sent = {"Accept": "application/json", "User-Agent": "churnlens"}
    if data is not None:
        sent["Content-Type"] = "application/json; charset=utf-8"
    sent.update(headers or {})
    attempt = 0
    while True:
        attempt += 1
        request = urllib.request.Request(url, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - scheme checked
                return Response(
                    answer.status,
                    _decode(answer.read()),
                    dict(answer.headers.items()),
                    attempt,
                )
        except urllib.error.HTTPError as e:
            body = _decode(e.read())
            wait = _wait(e, body, attempt, backoff)
            if wait is None or attempt > retries:
                raise _refusal(e.code, body, url, what, attempt) from e
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            if attempt > retries:
                reason = getattr(e, "reason", e)
                raise ExportError(
                    f"cannot reach {what} at {url}: {reason} (tried {attempt} times)",
                    hint="check the URL and the network, then run the export again",
                ) from e
            wait = backoff * 2 ** (attempt - 1)
        _sleep(min(wait, _MAX_WAIT_S))


def _wait(
    error: urllib.error.HTTPError, body: Any, attempt: int, backoff: float
) -> float | None:
    """Seconds to wait before retrying, or None when retrying cannot help."""
    if error.code == 429:
        return _retry_after(
            error.headers.get("Retry-After"), backoff * 2 ** (attempt - 1)
        )
    if error.code >= 500:
        return backoff * 2 ** (attempt - 1)
    return None


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _refusal(status: int, body: Any, url: str, what: str, attempts: int) -> ExportError:
    detail = _message(body)
    text = f"{what} answered HTTP {status} at {url}" + (f": {detail}" if detail else "")
    if status in (401, 403):
        hint = "check the credentials (API key, e-mail and token) and their rights"
    elif status == 404:
        hint = "check the URL: the endpoint does not exist there"
    elif status == 429 or status >= 500:
        text += f" (tried {attempts} times)"
        hint = "the service is overloaded or down; run the export again later"
    else:
        hint = "the service rejected the request's content; see its message above"
    return ExportError(text, hint=hint)


def _message(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("error", "message", "description", "details"):
            if key in body and body[key]:
                value = body[key]
                return value if isinstance(value, str) else json.dumps(value)[:300]
        return json.dumps(body)[:300]
    return str(body or "")[:300]


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
