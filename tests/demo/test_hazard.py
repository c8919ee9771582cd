"""The hazard sampler: covariates as defined, and effects a model recovers exactly.

These tests look inside the generator (private modules): they pin the planted
truth itself, before any table is written.
"""

from __future__ import annotations

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import make_calendar
from churnlens.demo._customers import make_customers
from churnlens.demo._hazard import change_points, covariate_changes, sample_requests
from churnlens.demo._plans import REPRICE, plan_paths
from churnlens.demo._simulation import Streams
from churnlens.demo._spells import Spells
from churnlens.demo._support import Tickets, draw_tickets

HOUR, DAY = p.HOUR, p.DAY


def _tickets(created, waits_h, resolved=None, satisfaction=None) -> Tickets:
    created = np.asarray(created, dtype=np.int64)
    n = len(created)
    first_response = created + (np.asarray(waits_h) * HOUR).astype(np.int64)
    return Tickets(
        customer=np.zeros(n, dtype=np.int64),
        created=created,
        first_response=first_response,
        resolved=np.asarray(
            resolved if resolved is not None else first_response + HOUR, np.int64
        ),
        satisfaction=np.asarray(satisfaction if satisfaction is not None else [0] * n),
        channel=np.zeros(n, dtype=np.int64),
        category=np.zeros(n, dtype=np.int64),
        variant=np.zeros(n, dtype=np.int64),
    )


def _state_at(changes, t: int) -> np.ndarray:
    """The running sums after every change at or before ``t``."""
    return changes.delta[changes.time <= t].sum(axis=0)


NONE = np.array([], dtype=np.int64)


def test_slow_response_is_the_mean_wait_over_the_window() -> None:
    day0 = 1_000 * DAY
    slow_alone = covariate_changes(_tickets([day0], [30]), NONE, NONE)
    excess, count = _state_at(slow_alone, day0 + 2 * DAY)[:2]
    assert count == 1 and excess > 0
    # Leaves 90 days after creation.
    assert tuple(_state_at(slow_alone, day0 + 91 * DAY)[:2]) == (0, 0)
    # 30 h and 10 h average 20 h: not slow.
    mixed = covariate_changes(_tickets([day0, day0], [30, 10]), NONE, NONE)
    excess, count = _state_at(mixed, day0 + 2 * DAY)[:2]
    assert count == 2 and excess < 0


def test_low_rating_counts_from_resolution_for_90_days() -> None:
    day0 = 1_000 * DAY
    resolved = day0 + 3 * DAY
    changes = covariate_changes(
        _tickets([day0, day0], [1, 1], [resolved, resolved], [2, 4]), NONE, NONE
    )
    assert _state_at(changes, resolved - 1)[2] == 0
    assert _state_at(changes, resolved)[2] == 1
    assert _state_at(changes, resolved + 90 * DAY + 1)[2] == 0


def test_open_ticket_counts_after_seven_days_until_resolved() -> None:
    day0 = 1_000 * DAY
    changes = covariate_changes(_tickets([day0], [1], [day0 + 10 * DAY]), NONE, NONE)
    assert _state_at(changes, day0 + 7 * DAY - 1)[3] == 0
    assert _state_at(changes, day0 + 7 * DAY)[3] == 1
    assert _state_at(changes, day0 + 10 * DAY)[3] == 0


def _poisson_fit(x: np.ndarray, events: np.ndarray, exposure: np.ndarray):
    """Maximum likelihood of a Poisson rate model, log(rate) = x @ beta (Newton)."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(events.sum() / exposure.sum())
    for _ in range(25):
        mu = exposure * np.exp(x @ beta)
        hessian = (x * mu[:, None]).T @ x
        beta += np.linalg.solve(hessian, x.T @ (events - mu))
    return beta, np.sqrt(np.diag(np.linalg.inv(hessian)))


def test_a_poisson_model_recovers_every_planted_effect() -> None:
    """Exact exposures from the sampler's own pieces: estimates within 4 SE."""
    n = 20_000
    cal = make_calendar("2023-10-01", 3)
    customer_seed, stream_seed = np.random.SeedSequence(11).spawn(2)
    customers = make_customers(n, cal, np.random.default_rng(customer_seed))
    streams = Streams.from_seed(stream_seed)
    spells = Spells(
        np.arange(n), customers.signup, customers.plan, customers.annual, True
    )
    segments = plan_paths(spells, customers, cal, streams.plans)
    tickets = draw_tickets(spells, customers, cal, streams.tickets)
    repriced = segments.kind == REPRICE
    changes = covariate_changes(
        tickets, segments.spell[repriced], segments.start[repriced]
    )
    requests = sample_requests(
        spells, segments, changes, customers, cal, streams.hazard
    )
    pieces = change_points(spells, segments, changes, n, cal)

    asked_at = requests.at[pieces.spell]
    stop = np.minimum(pieces.time + pieces.duration, asked_at)
    exposure = np.clip(stop - pieces.time, 0, None) / p.MONTH
    events = (asked_at >= pieces.time) & (asked_at < pieces.time + pieces.duration)
    segment = customers.segment[pieces.spell]
    x = np.column_stack(
        [
            np.ones(len(exposure)),
            *(pieces.plan == k for k in (1, 2, 3)),
            *(segment == k for k in (1, 2)),
            pieces.annual == 1,
            *(pieces.tenure == k for k in (1, 2, 3)),
            pieces.covariates,
        ]
    ).astype(float)
    used = exposure > 0
    beta, se = _poisson_fit(x[used], events[used].astype(float), exposure[used])
    truth = np.array(
        [
            np.log(p.REFERENCE_RATE),
            *np.log(p.PLAN_HR[1:]),
            *np.log(p.SEGMENT_HR[1:]),
            np.log(p.BILLING_HR[1]),
            *np.log([band[2] for band in p.TENURE_BANDS[1:]]),
            *(c.log_hazard_ratio for c in p.COVARIATES),
        ]
    )
    assert events.sum() == (requests.at < p.NEVER).sum()
    z = (beta - truth) / se
    assert (np.abs(z) < 4).all(), np.round(z, 2)
