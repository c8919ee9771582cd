"""Applying a preset around the usual validation steps of ``read_table``.

Before mapping, the export's labels become canonical text in a copy of the raw
columns (the raw rows themselves stay as read, so a rejected row's quarantine
record is the export's own); after typing, durations become timestamps; after
the checks, the preset's own problems join the verdicts. Rows and lines never
move, so line numbers and read = accepted + rejected hold as without a preset.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.inputs.convert import Typed, mask
from churnlens.inputs.presets import Duration, Labels, Preset
from churnlens.inputs.problems import Problem, Verdicts, judge, said
from churnlens.inputs.raw import RawData

__all__ = ["PresetInput", "prepare"]

_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_WHOLE = r"^\+?[0-9]+$"
_MISSING = ("", "null", "none", "na", "n/a", "nan", "-")


@dataclass
class PresetInput:
    """``raw`` with the preset's conversions; ``mapping`` the columns it chose."""

    preset: Preset
    raw: RawData
    mapping: dict[str, str]
    problems: list[Problem]
    # canonical timestamp -> (start column, seconds after it, description)
    offsets: dict[str, tuple[str, pa.ChunkedArray, str]] = field(default_factory=dict)

    @property
    def described(self) -> dict[str, str]:
        """How each canonical column was read, for the ingest record."""
        found = dict(self.mapping)
        for name, (start, _, text) in self.offsets.items():
            found[name] = f"{self.mapping.get(start, start)} + {text}"
        found["preset"] = self.preset.name
        return found

    def finish(self, typed: Typed) -> Typed:
        """Durations after their start instant, as timestamps."""
        table = typed.table
        for name, (start, seconds, _) in self.offsets.items():
            micros = pc.multiply(seconds, 1_000_000.0)
            delta = pc.round(micros).cast(pa.int64()).cast(pa.duration("us"))
            value = pc.add(table.column(start), delta)
            table = table.set_column(
                table.schema.get_field_index(name), name, value.cast(pa.timestamp("us"))
            )
        return dataclasses.replace(typed, table=table)

    def judge(self, verdicts: Verdicts, n_rows: int) -> Verdicts:
        """The checks' verdicts with the preset's problems first."""
        own = judge(self.problems, n_rows)
        if own.rows.size == 0:
            return verdicts
        if verdicts.rows.size == 0:
            return own
        rows = np.union1d(own.rows, verdicts.rows)
        in_own = np.isin(rows, own.rows)

        def spread(found: Verdicts, values: pa.Array) -> pa.Array:
            at = np.isin(rows, found.rows)
            target = pa.nulls(rows.size, pa.string())
            return pc.replace_with_mask(target, pa.array(at), values.cast(pa.string()))

        reason = pc.binary_join_element_wise(
            spread(own, own.reason),
            spread(verdicts, verdicts.reason),
            "; ",
            null_handling="skip",
        )
        choose = pa.array(in_own)
        column = pc.if_else(
            choose, spread(own, own.column), spread(verdicts, verdicts.column)
        )
        value = pc.if_else(
            choose, spread(own, own.value), spread(verdicts, verdicts.value)
        )
        return Verdicts(rows, reason, column, value)


def prepare(
    raw: RawData, preset: Preset, mapping: Mapping[str, str] | None
) -> PresetInput:
    """Choose the export's columns and convert its labels and counts."""
    columns = raw.source_columns
    by_squeezed = {_squeezed(c): c for c in reversed(columns)}
    given = {k: v for k, v in (mapping or {}).items()}
    chosen: dict[str, str] = {}
    for canonical, candidates in preset.columns.items():
        if canonical in given:
            continue
        found = _first(candidates, by_squeezed)
        if found is not None and found not in chosen.values():
            chosen[canonical] = found
    chosen.update(given)  # the user's mapping is checked by plan_columns
    arrow = raw.arrow
    problems: list[Problem] = []
    for canonical, labels in preset.labels.items():
        source = chosen.get(canonical)
        if source is None or source not in arrow.column_names:
            continue
        converted, problem = _labelled(arrow.column(source), labels, source, preset)
        arrow = _replace(arrow, source, source, converted)
        if problem is not None:
            problems.append(problem)
    for name, candidates in preset.counts.items():
        source = _first(candidates, by_squeezed)
        if source is None or source in chosen.values():
            continue
        values, problem = _counted(arrow.column(source), source)
        clash = any(c.lower() == name for c in columns if c != source)
        arrow = _replace(arrow, source, source if clash else name, values)
        if problem is not None:
            problems.append(problem)
    offsets = {}
    for canonical, durations in preset.durations.items():
        if canonical in chosen:
            continue
        for duration in durations:
            source = _first(duration.columns, by_squeezed)
            start = duration.start
            if source is None or start not in chosen:
                continue
            seconds, problem = _seconds(arrow.column(source), source, duration)
            offsets[canonical] = (start, seconds, source)
            if problem is not None:
                problems.append(problem)
            break
    arrow = _without_keys(arrow, chosen.get("ticket_id"), problems, raw.n_rows)
    prepared = dataclasses.replace(raw, arrow=arrow)
    return PresetInput(preset, prepared, chosen, problems, offsets)


def _squeezed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _first(candidates: Sequence[str], by_squeezed: Mapping[str, str]) -> str | None:
    for candidate in candidates:
        found = by_squeezed.get(_squeezed(candidate))
        if found is not None:
            return found
    return None


def _replace(
    arrow: pa.Table, source: str, name: str, values: pa.ChunkedArray | pa.Array
) -> pa.Table:
    return arrow.set_column(arrow.schema.get_field_index(source), name, values)


def _text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text, with the spellings of "no value" made missing."""
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    text = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.is_in(pc.utf8_lower(text), pa.array(_MISSING)), None, text)


def _labelled(
    values: pa.ChunkedArray, labels: Labels, source: str, preset: Preset
) -> tuple[pa.ChunkedArray, Problem | None]:
    text = _text(values)
    lowered = pc.utf8_lower(text)
    # A null label at the end: what an unknown value's index points to.
    keys = pa.array(list(labels.values), pa.string())
    meant = pa.array([*labels.values.values(), None], pa.string())
    index = pc.index_in(lowered, value_set=keys)
    known = mask(pc.is_valid(index))
    mapped = pc.take(meant, pc.fill_null(index, len(keys)).combine_chunks())
    unknown = mask(pc.is_valid(text)) & ~known
    if labels.other == "keep":
        other = lowered
        bad = np.zeros(len(text), dtype=bool)
    else:
        numeric = mask(pc.match_substring_regex(text, _NUMBER))
        other = text
        bad = unknown & (~numeric if labels.other == "number" else True)
    out = pc.if_else(pa.array(known), mapped, other)
    out = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), out)
    if not bad.any():
        return out, None
    listed = ", ".join(k for k in labels.values if len(k) > 1) or "none"
    extra = " or a number" if labels.other == "number" else ""
    what = said(
        f"{source} '",
        values.cast(pa.string()),
        f"' is not a value {preset.name} exports here (expected one of: "
        f"{listed}{extra})",
    )
    return out, Problem(source, bad, what, values.cast(pa.string()))


def _counted(
    values: pa.ChunkedArray, source: str
) -> tuple[pa.ChunkedArray, Problem | None]:
    text = _text(values)
    whole = mask(pc.match_substring_regex(text, _WHOLE))
    bad = mask(pc.is_valid(text)) & ~whole
    out = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), text)
    if not bad.any():
        return out, None
    what = said(
        f"{source} '", values.cast(pa.string()), "' is not a whole number 0 or more"
    )
    return out, Problem(source, bad, what, values.cast(pa.string()))


def _seconds(
    values: pa.ChunkedArray, source: str, duration: Duration
) -> tuple[pa.ChunkedArray, Problem | None]:
    text = _text(values)
    numeric = mask(pc.match_substring_regex(text, _NUMBER))
    number = pc.if_else(pa.array(numeric), text, None).cast(pa.float64())
    negative = mask(pc.less(number, 0))
    bad = (mask(pc.is_valid(text)) & ~numeric) | negative
    seconds = pc.multiply(number, float(duration.unit_seconds))
    seconds = pc.if_else(pa.array(bad), pa.scalar(None, pa.float64()), seconds)
    if not bad.any():
        return seconds, None
    what = said(
        f"{source} '",
        values.cast(pa.string()),
        f"' is not a number of {duration.unit} 0 or more",
    )
    return seconds, Problem(source, bad, what, values.cast(pa.string()))


def _without_keys(
    arrow: pa.Table, key: str | None, problems: list[Problem], n_rows: int
) -> pa.Table:
    """Rows the preset rejects lose their key: a later row with the same key is
    then the first good one, as the duplicate rule wants."""
    if key is None or key not in arrow.column_names or not problems:
        return arrow
    bad = np.zeros(n_rows, dtype=bool)
    for problem in problems:
        bad |= problem.rows
    values = arrow.column(key)
    cleared = pc.if_else(pa.array(bad), pa.scalar(None, values.type), values)
    return _replace(arrow, key, key, cleared)
