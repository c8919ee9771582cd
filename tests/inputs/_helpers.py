"""Helpers shared by the ingest tests."""

from __future__ import annotations

from churnlens.inputs import ReadResult

# The shared public datasets, next to the repository (see their SOURCE.md).


def rejections(result: ReadResult) -> list[tuple[int, str | None, str]]:
    """(line, column, reason) of each rejected row."""
    return [(r["line"], r["column"], r["reason"]) for r in result.rejected.to_pylist()]


def values(result: ReadResult, name: str) -> list[object]:
    """The accepted values of one column."""
    return result.accepted.column(name).to_pylist()
