"""The planted churn hazard and the instant each customer asks to cancel.

The hazard of a cancellation request is piecewise constant in time:

    REFERENCE_RATE * PLAN_HR * SEGMENT_HR * BILLING_HR * TENURE_HR
                   * exp(sum of log_hazard_ratio * covariate)

with the time-varying 0/1 covariates of ``_params.COVARIATES`` computed exactly as
their definitions say, from the support tickets and repricings. Every change of any
factor is a change point; between change points the cumulative hazard is linear,
so inverting it at an Exp(1) draw gives the request instant exactly, for all spells
at once, with no time grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar, add_months
from churnlens.demo._customers import Customers
from churnlens.demo._draws import categorical
from churnlens.demo._plans import START, Segments
from churnlens.demo._spells import Spells
from churnlens.demo._support import Tickets

_WINDOW = {c.name: c.window_days * p.DAY for c in p.COVARIATES}
_BETA = np.array([c.log_hazard_ratio for c in p.COVARIATES])
# Running sums kept per spell: the slow-response excess and count, then counts of
# active intervals for low satisfaction, open tickets and price increases.
_N_SUMS = 5
_TENURE_STARTS = np.array([band[0] for band in p.TENURE_BANDS[1:]])
_TENURE_LOG_HR = np.log([band[2] for band in p.TENURE_BANDS])


@dataclass(frozen=True)
class Changes:
    """Changes of the covariates' running sums, per customer and instant."""

    customer: np.ndarray
    time: np.ndarray
    delta: np.ndarray  # (n, _N_SUMS) int64

    @staticmethod
    def concat(parts: list[Changes]) -> Changes:
        return Changes(
            np.concatenate([c.customer for c in parts]),
            np.concatenate([c.time for c in parts]),
            np.concatenate([c.delta for c in parts]),
        )


def covariate_changes(
    tickets: Tickets, reprice_customer: np.ndarray, reprice_at: np.ndarray
) -> Changes:
    """Interval starts (+amount) and ends (-amount) behind the running sums."""
    customer = tickets.customer
    # slow_first_response: the mean wait of tickets created in [t - 90d, t) and
    # answered by t exceeds 24 h, i.e. the sum of (wait - 24 h) over them is > 0.
    leave = tickets.created + _WINDOW["slow_first_response"]
    answered = np.flatnonzero(tickets.first_response < leave)
    wait = tickets.first_response[answered] - tickets.created[answered]
    excess = wait - int(p.SLOW_RESPONSE_HOURS * p.HOUR)
    enter = tickets.first_response[answered]
    # low_satisfaction: a rating of 1-2 given at resolution, for 90 days.
    rating = tickets.satisfaction
    low = np.flatnonzero((rating >= 1) & (rating <= p.LOW_SATISFACTION_MAX))
    rated_at = tickets.resolved[low]
    # open_ticket_over_7d: from 7 days after creation until resolution.
    overdue = tickets.created + p.OPEN_TICKET_DAYS * p.DAY
    late = np.flatnonzero(tickets.resolved > overdue)
    intervals = [
        (customer[answered], enter, leave[answered], 0, excess),
        (customer[answered], enter, leave[answered], 1, 1),
        (customer[low], rated_at, rated_at + _WINDOW["low_satisfaction"], 2, 1),
        (customer[late], overdue[late], tickets.resolved[late], 3, 1),
        (reprice_customer, reprice_at, reprice_at + _WINDOW["price_increase"], 4, 1),
    ]
    return _as_changes(intervals)


def _as_changes(intervals: list) -> Changes:
    customers, times, deltas = [], [], []
    for customer, start, end, column, amount in intervals:
        for at, sign in ((start, 1), (end, -1)):
            delta = np.zeros((len(customer), _N_SUMS), dtype=np.int64)
            delta[:, column] = sign * amount
            customers.append(customer)
            times.append(at)
            deltas.append(delta)
    return Changes(
        np.concatenate(customers), np.concatenate(times), np.concatenate(deltas)
    )


@dataclass(frozen=True)
class Requests:
    at: np.ndarray  # cancellation request instant, NEVER when none before data_end
    cause: np.ndarray  # index into CAUSES (0 baseline, 1.. the covariates)
    covariates: np.ndarray  # (n, len(COVARIATES)) bool, values at the request


def sample_requests(
    spells: Spells,
    segments: Segments,
    changes: Changes,
    customers: Customers,
    cal: Calendar,
    rng: np.random.Generator,
) -> Requests:
    """Each spell's first cancellation request before data_end, and its cause."""
    rows = change_points(spells, segments, changes, len(customers), cal)
    segment = customers.segment[spells.customer][rows.spell]
    log_rate = (
        np.log(p.REFERENCE_RATE / p.MONTH)
        + np.log(p.PLAN_HR)[rows.plan]
        + np.log(p.SEGMENT_HR)[segment]
        + np.log(p.BILLING_HR)[rows.annual]
        + _TENURE_LOG_HR[rows.tenure]
        + rows.covariates @ _BETA
    )
    rate = np.exp(log_rate)
    increment = rate * rows.duration
    # One cumulative hazard running over all spells, one after another: it never
    # decreases, so one searchsorted finds for every spell the piece in which its
    # own cumulative hazard reaches its Exp(1) draw.
    total = np.cumsum(increment)
    before = total[rows.first] - increment[rows.first]
    target = before + rng.exponential(size=len(spells))
    hit = np.searchsorted(total, target, side="left")
    found = hit <= rows.last
    # Rounding can put a tiny draw a row early, into the previous spell.
    hit = np.where(found, np.maximum(hit, rows.first), rows.last)
    into = (target - (total[hit] - increment[hit])) / rate[hit]
    offset = np.clip(np.floor(into), 0, np.maximum(rows.duration[hit] - 1, 0))
    at = np.where(found, rows.time[hit] + offset.astype(np.int64), p.NEVER)
    x = rows.covariates[hit]
    return Requests(at=at, cause=_causes(x, rng), covariates=x)


def _causes(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split the hazard at the request into the baseline and each active covariate.

    The baseline's share is 1 / exp(sum beta x); the excess is shared in proportion
    to each active covariate's log hazard ratio.
    """
    contribution = x * _BETA
    s = contribution.sum(axis=1)
    baseline = np.exp(-s)
    excess = np.where(s[:, None] > 0, contribution / np.maximum(s, 1e-12)[:, None], 0)
    probs = np.column_stack([baseline, (1 - baseline)[:, None] * excess])
    return categorical(rng, probs, len(x))


@dataclass(frozen=True)
class Pieces:
    """Every spell's time line cut at each change of any hazard factor.

    Rows are sorted by spell and time; each row's factors hold from ``time`` for
    ``duration`` seconds. Each spell ends with a zero-length row at data_end.
    """

    spell: np.ndarray
    time: np.ndarray
    duration: np.ndarray
    plan: np.ndarray
    annual: np.ndarray
    tenure: np.ndarray  # index into TENURE_BANDS
    covariates: np.ndarray  # (m, len(COVARIATES)) float 0/1
    first: np.ndarray  # per spell, its first row
    last: np.ndarray  # per spell, its last row


def change_points(
    spells: Spells,
    segments: Segments,
    changes: Changes,
    n_customers: int,
    cal: Calendar,
) -> Pieces:
    spell, time, priority, settings, delta = _stack_rows(
        spells, segments, changes, n_customers, cal
    )
    order = np.lexsort((priority, time, spell))
    spell, time, delta = spell[order], time[order], delta[order]
    plan, annual, tenure = (_forward_fill(values[order]) for values in settings)
    n = len(spells)
    first = np.searchsorted(spell, np.arange(n), side="left")
    last = np.searchsorted(spell, np.arange(n), side="right") - 1
    sums = np.cumsum(delta, axis=0)
    sums -= (sums[first] - delta[first])[spell]
    covariates = np.column_stack(
        [
            (sums[:, 1] > 0) & (sums[:, 0] > 0),
            sums[:, 2] > 0,
            sums[:, 3] > 0,
            sums[:, 4] > 0,
        ]
    ).astype(np.float64)
    duration = np.zeros(len(spell), dtype=np.int64)
    duration[:-1] = np.where(spell[1:] == spell[:-1], time[1:] - time[:-1], 0)
    return Pieces(spell, time, duration, plan, annual, tenure, covariates, first, last)


def _stack_rows(
    spells: Spells,
    segments: Segments,
    changes: Changes,
    n_customers: int,
    cal: Calendar,
) -> tuple:
    """Rows from four sources: subscription segments (set plan and billing; a
    spell's first one also sets tenure 0), tenure band starts, covariate changes
    (moved up to the spell's start if earlier) and one closing row per spell.

    Settings are -1 where a row leaves them unchanged; priority puts the spell's
    opening row first and its closing row last among rows at the same instant.
    """
    n = len(spells)
    spell_of = np.full(n_customers, -1)
    spell_of[spells.customer] = np.arange(n)
    c_spell = spell_of[changes.customer]
    keep = (c_spell >= 0) & (changes.time < cal.data_end)
    c_spell = c_spell[keep]
    c_time = np.maximum(changes.time[keep], spells.start[c_spell])
    t_spell = np.repeat(np.arange(n), len(_TENURE_STARTS))
    t_band = np.tile(np.arange(1, len(_TENURE_STARTS) + 1), n)
    t_time = add_months(spells.start[t_spell], _TENURE_STARTS[t_band - 1])
    t_keep = t_time < cal.data_end
    t_spell, t_band, t_time = t_spell[t_keep], t_band[t_keep], t_time[t_keep]
    opening = segments.kind == START
    m_seg, m_ten, m_cov = len(segments.spell), len(t_spell), len(c_spell)
    unset = np.full(m_ten + m_cov + n, -1)
    spell = np.concatenate([segments.spell, t_spell, c_spell, np.arange(n)])
    time = np.concatenate([segments.start, t_time, c_time, np.full(n, cal.data_end)])
    priority = np.concatenate(
        [np.where(opening, 0, 1), np.ones(m_ten + m_cov, np.int64), np.full(n, 2)]
    )
    settings = (
        np.concatenate([segments.plan, unset]),
        np.concatenate([segments.annual.astype(np.int64), unset]),
        np.concatenate([np.where(opening, 0, -1), t_band, np.full(m_cov + n, -1)]),
    )
    delta = np.zeros((len(spell), _N_SUMS), dtype=np.int64)
    delta[m_seg + m_ten : m_seg + m_ten + m_cov] = changes.delta[keep]
    return spell, time, priority, settings, delta


def _forward_fill(values: np.ndarray) -> np.ndarray:
    """Each -1 takes the last value set before it (each spell starts with a set)."""
    source = np.where(values >= 0, np.arange(len(values)), 0)
    return values[np.maximum.accumulate(source)]
