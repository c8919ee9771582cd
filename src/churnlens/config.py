"""The project configuration file, ``churnlens.toml``, in the working directory.

It remembers what a user would otherwise repeat on every command: the column
mapping of each table (given once with ``--map``) and the time zone::

    tz = "Europe/Warsaw"

    [mapping.subscriptions]
    started_at = "start_date"
    customer_id = "Account ID"

Only churnlens writes the mapping section; other keys a user adds are kept.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churnlens.errors import ConfigError
from churnlens.schema import table_spec

__all__ = [
    "CONFIG_FILE",
    "ProjectConfig",
    "load_config",
    "parse_mapping",
    "save_mapping",
]

CONFIG_FILE = "churnlens.toml"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ProjectConfig:
    path: Path
    tz: str | None = None
    mapping: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)


def load_config(path: str | Path = CONFIG_FILE) -> ProjectConfig:
    """Read the config file; a missing file is an empty configuration."""
    path = Path(path)
    if not path.is_file():
        return ProjectConfig(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"{path}: not valid TOML ({e})",
            hint="fix the file, or delete it and give --map again",
        ) from e
    tz = raw.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise ConfigError(f"{path}: 'tz' must be a string such as \"Europe/Warsaw\"")
    mapping: dict[str, dict[str, str]] = {}
    for table, columns in dict(raw.get("mapping", {})).items():
        table_spec(table)
        if not isinstance(columns, dict) or not all(
            isinstance(v, str) for v in columns.values()
        ):
            raise ConfigError(
                f"{path}: [mapping.{table}] must map column names to strings",
                hint='write lines such as started_at = "start_date"',
            )
        mapping[table] = dict(columns)
    return ProjectConfig(path, tz, mapping, raw)


def parse_mapping(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["started_at=start_date"]`` -> ``{"started_at": "start_date"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise ConfigError(
                f"cannot read the mapping '{pair}'",
                hint="write CANONICAL=SOURCE, e.g. --map started_at=start_date",
            )
        mapping[canonical.strip()] = source.strip()
    return mapping


def save_mapping(config: ProjectConfig, table: str, mapping: Mapping[str, str]) -> Path:
    """Merge ``mapping`` into the table's section and rewrite the file."""
    spec = table_spec(table)
    for canonical in mapping:
        if not spec.has(canonical):
            raise ConfigError(
                f"'{canonical}' is not a column of {table}",
                hint=f"map one of: {', '.join(spec.column_names)}",
            )
    merged = {t: dict(m) for t, m in config.mapping.items()}
    merged.setdefault(table, {}).update(mapping)
    others = {k: v for k, v in config.raw.items() if k not in ("mapping",)}
    config.path.write_text(_to_toml(others, merged), encoding="utf-8")
    return config.path


def _to_toml(top: Mapping[str, Any], mapping: Mapping[str, Mapping[str, str]]) -> str:
    lines = ["# churnlens project settings (see 'churnlens ingest --help')."]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in top.items() if not _is_table(v)]
    sections = {k: v for k, v in top.items() if _is_table(v)}
    sections.update({f"mapping.{_key(t)}": mapping[t] for t in sorted(mapping)})
    for name, values in sections.items():
        header = name if name.startswith("mapping.") else _key(name)
        lines += ["", f"[{header}]"]
        lines += [f"{_key(k)} = {_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    # A JSON string is a valid TOML basic string; so are numbers and booleans.
    return json.dumps(value, ensure_ascii=False)
