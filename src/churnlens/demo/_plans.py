"""Each spell's subscription rows as they would run if the customer never left.

Monthly customers upgrade or downgrade at any moment; annual customers only at a
yearly renewal. A list-price increase reaches a customer at their next renewal as a
*repricing*: one row ends and the next starts with the same plan and a higher mrr.
Churn later cuts these paths short; nothing here depends on churn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar, add_months
from churnlens.demo._customers import Customers
from churnlens.demo._prices import list_mrr
from churnlens.demo._spells import Spells

START, UPGRADE, DOWNGRADE, REPRICE = 0, 1, 2, 3


@dataclass(frozen=True)
class Segments:
    """Subscription rows, sorted by spell then start; each runs to the next."""

    spell: np.ndarray
    start: np.ndarray
    plan: np.ndarray
    annual: np.ndarray
    mrr: np.ndarray
    kind: np.ndarray  # START, UPGRADE, DOWNGRADE or REPRICE

    def take(self, rows: np.ndarray) -> Segments:
        return Segments(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def plan_paths(
    spells: Spells, customers: Customers, cal: Calendar, rng: np.random.Generator
) -> Segments:
    path = _Path(spells, customers, cal)
    term = 1
    while path.move_within_term(term, rng):
        path.renew(term, rng)
        term += 1
    return path.segments()


class _Path:
    """The current plan and mrr of every spell, and the rows emitted so far."""

    def __init__(self, spells: Spells, customers: Customers, cal: Calendar) -> None:
        self.spells, self.customers, self.cal = spells, customers, cal
        self.plan = spells.plan.copy()
        self.mrr = self._list_mrr(np.arange(len(spells)), spells.start)
        self.rows = [
            (
                np.arange(len(spells)),
                spells.start,
                self.plan.copy(),
                self.mrr.copy(),
                START,
            )
        ]

    def _list_mrr(self, idx: np.ndarray, at: np.ndarray) -> np.ndarray:
        s = self.spells
        return list_mrr(
            self.customers, s.customer[idx], self.plan[idx], s.annual[idx], at, self.cal
        )

    def emit(
        self, mask: np.ndarray, at: np.ndarray, plan: np.ndarray, kind: int
    ) -> None:
        idx = np.flatnonzero(mask)
        self.plan[idx] = plan[idx]
        self.mrr[idx] = self._list_mrr(idx, at[idx])
        self.rows.append((idx, at[idx], self.plan[idx], self.mrr[idx], kind))

    def move_within_term(self, term: int, rng: np.random.Generator) -> bool:
        """Monthly customers may change plan at any moment of term ``term``.

        Returns False once no spell has this term before data_end.
        """
        s, n, plan = self.spells, len(self.spells), self.plan
        term_start = add_months(s.start, np.full(n, term - 1))
        renewal = add_months(s.start, np.full(n, term))
        if not (term_start < self.cal.data_end).any():
            return False
        u, v = rng.random(n), rng.random(n)
        at = term_start + 1 + (v * (renewal - term_start - 1)).astype(np.int64)
        moving = ~s.annual & (at < self.cal.data_end)
        p_up = 1 - np.exp(-np.array(p.UPGRADE_RATE)[plan])
        p_down = 1 - np.exp(-np.array(p.DOWNGRADE_RATE)[plan])
        down = moving & (u >= p_up) & (u < p_up + p_down)
        self.emit(moving & (u < p_up), at, plan + 1, UPGRADE)
        self.emit(down, at, plan - 1, DOWNGRADE)
        return True

    def renew(self, term: int, rng: np.random.Generator) -> None:
        """At the renewal ending term ``term``: annual plan moves, then repricing."""
        s, n, plan = self.spells, len(self.spells), self.plan
        renewal = add_months(s.start, np.full(n, term))
        renews = (renewal < self.cal.data_end) & (~s.annual | (term % 12 == 0))
        u = rng.random(n)
        q_up = np.array(p.ANNUAL_UPGRADE_P)[plan]
        q_down = np.array(p.ANNUAL_DOWNGRADE_P)[plan]
        up = renews & s.annual & (u < q_up)
        down = renews & s.annual & (u >= q_up) & (u < q_up + q_down)
        self.emit(up, renewal, plan + 1, UPGRADE)
        self.emit(down, renewal, plan - 1, DOWNGRADE)
        current = self._list_mrr(np.arange(n), renewal)
        # Prices only rise in this story; compare with half a cent for rounding.
        repriced = renews & ~up & ~down & (current > self.mrr + 0.005)
        self.emit(repriced, renewal, plan, REPRICE)

    def segments(self) -> Segments:
        spell = np.concatenate([r[0] for r in self.rows])
        start = np.concatenate([r[1] for r in self.rows])
        emitted = np.arange(len(spell))
        order = np.lexsort((emitted, start, spell))
        return Segments(
            spell=spell[order],
            start=start[order],
            plan=np.concatenate([r[2] for r in self.rows])[order],
            annual=self.spells.annual[spell[order]],
            mrr=np.concatenate([r[3] for r in self.rows])[order],
            kind=np.concatenate([np.full(len(r[0]), r[4]) for r in self.rows])[order],
        )
