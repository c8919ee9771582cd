"""One exception tree for churnlens, mixed into the matching builtins.

Every error a user can cause is a ``ChurnlensError``; the CLI turns those into a
one-paragraph message and exit code 2, never a traceback. Each error carries
where the problem is (file, line, column), what is wrong and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ChurnlensError",
    "ConfigError",
    "EngineError",
    "InputError",
    "RejectedRowsError",
    "SchemaError",
    "first_line",
]


class ChurnlensError(Exception):
    """Base of every error churnlens raises on purpose."""

    def __init__(self, problem: str, *, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(self._render())

    def _location(self) -> str:
        return ""

    def _render(self) -> str:
        where = self._location()
        text = f"{where}: {self.problem}" if where else self.problem
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text


class InputError(ChurnlensError, ValueError):
    """A problem with an input file or table, located as precisely as possible."""

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(problem, hint=hint)

    def _location(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


class SchemaError(InputError):
    """A table lacks a required column or has one of the wrong kind."""


class RejectedRowsError(InputError):
    """Rows were rejected while ``strict`` mode makes any rejection fatal."""


class ConfigError(ChurnlensError, ValueError):
    """An option or the project configuration file is invalid."""


class EngineError(ChurnlensError, RuntimeError):
    """An execution engine could not be reached or cannot run a computation."""


def first_line(error: BaseException) -> str:
    """The first line of a library's error message (drivers add pages of context),
    or the exception's type when it has no message."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
