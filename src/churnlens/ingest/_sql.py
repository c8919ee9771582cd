"""Tiny helpers to write DuckDB SQL safely from Python values."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def ident(name: str) -> str:
    """A quoted identifier; file headers may hold any character."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A quoted string literal."""
    return "'" + value.replace("'", "''") + "'"


def unique_name(prefix: str) -> str:
    """A relation name no other ingest step in this process uses."""
    return f"__churnlens_{prefix}_{next(_counter)}"
