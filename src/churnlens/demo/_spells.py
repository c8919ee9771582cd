"""A batch of spells: service periods that start together in one simulation round.

Round 1 holds every customer's first spell; round r + 1 holds the returns of
customers whose round-r spell ended. A customer has at most one spell per round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spells:
    customer: np.ndarray  # customer index
    start: np.ndarray  # int64 seconds
    plan: np.ndarray  # plan at the start, index into PLANS
    annual: np.ndarray  # billing period at the start is annual
    first: bool  # these are first spells (sign-ups), not returns

    def __len__(self) -> int:
        return len(self.customer)
