"""Which source column feeds which canonical column, and which table a source is.

Source names are matched ignoring case, as SQL does. A mapping names the source
column for a canonical one (``{"started_at": "start_date"}``); canonical columns
not mapped are found by their own name, or failing that by their name spelt
without separators (``customerID``, ``Customer ID`` for customer_id) when exactly
one source column is. Everything else is kept as an extra column under its
source name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from churnlens.errors import ConfigError, SchemaError
from churnlens.schema import TABLES, TableSpec

__all__ = ["ColumnPlan", "guess_table", "plan_columns"]

# Words in a file or table name that say which canonical table it holds; the
# canonical names themselves count first (see ``_by_name``).
_NAME_WORDS = {
    "subscriptions": ("subscription", "subscriptions", "subs", "contracts"),
    "customers": ("customer", "customers", "accounts", "clients"),
    "tickets": ("ticket", "tickets", "support"),
    "activity": ("activity", "activities", "usage", "events"),
}


@dataclass(frozen=True)
class ColumnPlan:
    """The source column of each canonical column (None: the source lacks it),
    and the extra columns as (output name, source name)."""

    spec: TableSpec
    sources: dict[str, str | None]
    extras: tuple[tuple[str, str], ...]

    @property
    def mapping(self) -> dict[str, str]:
        return {c: s for c, s in self.sources.items() if s is not None}

    def shown(self, canonical: str) -> str:
        """How messages name a column: the user's name, and ours where it differs."""
        source = self.sources[canonical]
        if source is None or source.lower() == canonical:
            return canonical
        return f"{source} ({canonical})"


def plan_columns(
    columns: Sequence[str],
    spec: TableSpec,
    mapping: Mapping[str, str] | None,
    *,
    label: str,
) -> ColumnPlan:
    """Match ``columns`` (the source's) to ``spec``; errors name what is missing."""
    by_lower = {c.lower(): c for c in columns}
    sources: dict[str, str | None] = dict.fromkeys(spec.column_names)
    for canonical, source in (mapping or {}).items():
        _check_mapped(spec, canonical, source, by_lower, columns, label)
        sources[canonical] = by_lower[source.lower()]
    used = {s for s in sources.values() if s is not None}
    loose = _loosely(columns)
    for canonical in spec.column_names:
        found = by_lower.get(canonical) or loose.get(_squeezed(canonical))
        if sources[canonical] is None and found is not None and found not in used:
            sources[canonical] = found
            used.add(found)
    for canonical in spec.required:
        if sources[canonical] is None:
            raise _missing_required(spec, canonical, columns, label)
    return ColumnPlan(spec, sources, _extras(columns, used, spec))


def _squeezed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _loosely(columns: Sequence[str]) -> dict[str, str]:
    """Source columns by their squeezed name, where that names just one."""
    found: dict[str, list[str]] = {}
    for column in columns:
        found.setdefault(_squeezed(column), []).append(column)
    return {k: v[0] for k, v in found.items() if len(v) == 1}


def _check_mapped(
    spec: TableSpec,
    canonical: str,
    source: str,
    by_lower: Mapping[str, str],
    columns: Sequence[str],
    label: str,
) -> None:
    if not spec.has(canonical):
        close = difflib.get_close_matches(canonical, spec.column_names, n=1)
        target = close[0] if close else f"<a column of {spec.name}>"
        raise ConfigError(
            f"'{canonical}' is not a column of the {spec.name} table, so it "
            f"cannot be mapped (its columns: {', '.join(spec.column_names)})",
            hint=f"map one of those: --map {target}={source}",
        )
    if source.lower() not in by_lower:
        raise SchemaError(
            f"the column '{source}' mapped to {canonical} is not in the source "
            f"(columns found: {_listed(columns)})",
            path=label,
            column=source,
            hint=f"correct the mapping: --map {canonical}=<one of those columns>",
        )


def _missing_required(
    spec: TableSpec, canonical: str, columns: Sequence[str], label: str
) -> SchemaError:
    close = difflib.get_close_matches(
        canonical, [c.lower() for c in columns], n=1, cutoff=0.5
    )
    by_lower = {c.lower(): c for c in columns}
    guess = by_lower[close[0]] if close else "<your column>"
    return SchemaError(
        f"the {spec.name} table needs a column '{canonical}', and the source has "
        f"none (columns found: {_listed(columns)})",
        path=label,
        column=canonical,
        hint=f"name the column that holds it: --map {canonical}={guess} "
        f"(Python: mapping={{'{canonical}': '{guess}'}})",
    )


def _extras(
    columns: Sequence[str], used: set[str], spec: TableSpec
) -> tuple[tuple[str, str], ...]:
    """Unused source columns; one named like a canonical column it does not feed
    (the mapping chose another) is renamed, so output names stay unique."""
    taken = {c.lower() for c in spec.column_names}
    extras = []
    for column in columns:
        if column in used:
            continue
        name = column
        while name.lower() in taken:
            name = f"{name}_unmapped"
        taken.add(name.lower())
        extras.append((name, column))
    return tuple(extras)


def _listed(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:30])
    more = f" and {len(columns) - 30} more" if len(columns) > 30 else ""
    return (shown + more) or "none"


def guess_table(source: str | Path, columns: Sequence[str]) -> str:
    """The canonical table ``source`` holds: from words in its name
    (``ravenstack_subscriptions.csv`` -> subscriptions), else from which required
    columns are present; a ConfigError asking for ``--table`` if unclear.

    >>> guess_table("exports/Support_Tickets-2024.csv", [])
    'tickets'
    """
    by_name = _by_name(_name_of(source))
    if len(by_name) == 1:
        return by_name[0]
    by_columns = _by_columns(columns, among=by_name or list(TABLES))
    if len(by_columns) == 1:
        return by_columns[0]
    candidates = by_columns or by_name or list(TABLES)
    raise ConfigError(
        f"cannot tell which table {str(source)!r} holds ({' or '.join(candidates)})",
        hint="name it: --table subscriptions (or customers, tickets, activity); "
        "in Python: table='subscriptions'",
    )


def _name_of(source: str | Path) -> str:
    text = str(source)
    if "#" in text:  # a database label: url#table
        return text.rsplit("#", 1)[1]
    if "://" in text:
        return ""
    return Path(text).name


def _by_name(name: str) -> list[str]:
    words = set(re.split(r"[^a-z]+", name.lower()))
    exact = [t for t in TABLES if t in words]
    if exact:
        return exact
    return [t for t, synonyms in _NAME_WORDS.items() if words & set(synonyms)]


def _by_columns(columns: Sequence[str], *, among: Sequence[str]) -> list[str]:
    """Tables whose required columns are all present; customers (which needs only
    customer_id, as every table has) only when no other table fits."""
    present = {c.lower() for c in columns}
    fits = [t for t in among if set(TABLES[t].required) <= present]
    others = [t for t in fits if t != "customers"]
    return others or fits
