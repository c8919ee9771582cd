"""What every churnlens model shares: settings in the constructor, ``fit`` returns
``self``, fitted state ends in ``_`` and is checked before use (as in scikit-learn
and lifelines)."""

from __future__ import annotations

from typing import Any

import numpy as np

from churnlens.errors import ConfigError, InputError

__all__ = ["Model", "NotFittedError", "as_counts"]


class NotFittedError(ConfigError):
    """A model was used before ``fit``."""


class Model:
    """Base of the models: a readable repr and the fitted-state check."""

    _fitted_attribute = ""

    def _check_fitted(self) -> None:
        if getattr(self, self._fitted_attribute, None) is None:
            name = type(self).__name__
            raise NotFittedError(
                f"this {name} is not fitted yet",
                hint=f"call {name}(...).fit(...) before using its results",
            )

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        state = (
            "fitted"
            if getattr(self, self._fitted_attribute, None) is not None
            else "not fitted"
        )
        return f"{type(self).__name__}({settings}) [{state}]"

    def _settings(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}


def as_counts(values: Any, name: str, n: int | None = None) -> np.ndarray:
    """A 1-D float array of finite, non-negative numbers (durations, weights)."""
    array = np.asarray(values, dtype="float64").reshape(-1)
    if n is not None and array.shape[0] != n:
        raise InputError(
            f"{name} has {array.shape[0]} values, expected {n}",
            hint="give one value per duration",
        )
    if not np.isfinite(array).all():
        raise InputError(
            f"{name} holds missing or infinite values",
            hint="drop those rows or fill them before fitting",
        )
    if (array < 0).any():
        raise InputError(
            f"{name} holds negative values (smallest {array.min():g})",
            hint=f"{name} must be >= 0",
        )
    return array
