"""Dashboard users: a JSON file next to the store, with scrypt password hashes
and hashed API tokens.

The file lives beside the store rather than inside it so that ``churnlens user
add`` works while ``churnlens serve`` holds the store's write lock; the server
reads it again whenever it changes. Only hashes are kept: a token is shown once,
when it is made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from churnlens.errors import ConfigError

__all__ = ["UserFile", "users_path"]

# scrypt cost: about 50 ms and 16 MiB per check, so guessing is slow offline too.
_N, _R, _P = 2**14, 8, 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_MIN_PASSWORD = 8


def users_path(db: str | Path) -> Path:
    """The users file of the store ``db``: ``<store>.users.json``."""
    db = Path(db)
    return db.with_name(db.name + ".users.json")


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(_scrypt(password, salt))}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode("utf-8"),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=32,
    )
    return hmac.compare_digest(got, base64.b64decode(digest))


def _token_hash(token: str) -> str:
    # Tokens are long random strings: a plain SHA-256 is enough to hide them.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# A fixed hash to check against for unknown names, so that timing does not
# tell which names exist.
_DUMMY = hash_password(secrets.token_hex(8))


@dataclass
class UserFile:
    """The users of one store."""

    path: Path

    def __post_init__(self) -> None:
        self._cached: tuple[tuple[int, int], dict[str, dict[str, object]]] | None
        self._cached = None

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        # Read again only when the file changed (every API call checks a token).
        key = (stat.st_mtime_ns, stat.st_size)
        if self._cached is not None and self._cached[0] == key:
            return {k: dict(v) for k, v in self._cached[1].items()}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(
                f"cannot read the users file {self.path}: {e}",
                hint="fix or remove it, then add users with 'churnlens user add'",
            ) from e
        users = dict(data.get("users", {}))
        self._cached = (key, users)
        return {k: dict(v) for k, v in users.items()}

    def _write(self, users: dict[str, dict[str, object]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        # Owner-only from the start: the hashes are not for other local users.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"users": users}, out, indent=2, sort_keys=True)
        os.replace(tmp, self.path)

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, password: str, *, replace: bool = False) -> None:
        if not _NAME.match(name):
            raise ConfigError(
                f"'{name}' is not a usable user name",
                hint="use 1-64 letters, digits, '.', '_', '-' or '@'",
            )
        if len(password) < _MIN_PASSWORD:
            raise ConfigError(
                "the password is too short",
                hint=f"use at least {_MIN_PASSWORD} characters",
            )
        users = self._read()
        if name in users and not replace:
            raise ConfigError(
                f"user '{name}' exists already",
                hint="use --replace to set a new password",
            )
        entry = users.get(name, {"tokens": []})
        entry["password"] = hash_password(password)
        users[name] = entry
        self._write(users)

    def new_token(self, name: str) -> str:
        """A new API token for ``name`` (shown once; only its hash is kept)."""
        users = self._read()
        if name not in users:
            raise ConfigError(
                f"no user '{name}'", hint=f"add them first: churnlens user add {name}"
            )
        token = "cl_" + secrets.token_urlsafe(32)
        tokens = list(users[name].get("tokens", []))  # type: ignore[call-overload]
        tokens.append(_token_hash(token))
        users[name]["tokens"] = tokens
        self._write(users)
        return token

    def check(self, name: str, password: str) -> bool:
        entry = self._read().get(name)
        if entry is None:
            check_password(password, _DUMMY)
            return False
        return check_password(password, str(entry.get("password", "")))

    def token_user(self, token: str) -> str | None:
        wanted = _token_hash(token)
        for name, entry in self._read().items():
            for stored in entry.get("tokens", []):  # type: ignore[attr-defined]
                if hmac.compare_digest(str(stored), wanted):
                    return name
        return None
