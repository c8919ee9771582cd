"""The company's history, simulated in rounds of spells.

Round 1 runs every customer's first spell: their plan path, their tickets, the
instant they ask to cancel (if they do before the data ends) and when service
stops. Some of those who left come back after a gap; their return is round 2, and
so on until nobody returns before the end. Finished rounds feed the next one's
covariates, since a ticket from the last spell can still count 90 days later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar, next_boundary
from churnlens.demo._customers import SAME_DAY_CANCEL, ZERO_LENGTH, Customers
from churnlens.demo._draws import categorical
from churnlens.demo._hazard import Changes, covariate_changes, sample_requests
from churnlens.demo._plans import REPRICE, START, Segments, plan_paths
from churnlens.demo._spells import Spells
from churnlens.demo._support import Tickets, draw_tickets


@dataclass(frozen=True)
class Streams:
    """Independent random streams, so a change in one stage leaves the others."""

    plans: np.random.Generator
    tickets: np.random.Generator
    hazard: np.random.Generator
    endings: np.random.Generator
    returns: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> Streams:
        return cls(*(np.random.default_rng(s) for s in seed.spawn(5)))


@dataclass(frozen=True)
class Outcomes:
    """One row per spell: how it ended and what the customer said."""

    customer: np.ndarray
    start: np.ndarray
    canceled: np.ndarray  # NEVER when no request before data_end
    ended: np.ndarray  # NEVER while still active at data_end
    cause: np.ndarray  # index into CAUSES, -1 without a request
    reason: np.ndarray  # index into REASONS, -1 when not given
    feedback_language: np.ndarray  # index into LANGUAGES, -1 without feedback
    feedback_variant: np.ndarray


@dataclass(frozen=True)
class Rows:
    """Subscription rows: kept segments with their end and their spell."""

    segments: Segments  # .spell indexes the history's outcomes
    end: np.ndarray  # NEVER while active


@dataclass(frozen=True)
class History:
    outcomes: Outcomes
    rows: Rows
    tickets: Tickets
    n_rounds: int


def simulate(customers: Customers, cal: Calendar, streams: Streams) -> History:
    spells = Spells(
        customer=np.arange(len(customers)),
        start=customers.signup,
        plan=customers.plan,
        annual=customers.annual,
        first=True,
    )
    past: list[Changes] = []
    rounds: list[tuple[Outcomes, Rows, Tickets]] = []
    offset = 0
    while len(spells):
        out, kept, kept_tickets = _run_round(spells, past, customers, cal, streams)
        reprice = kept.segments.kind == REPRICE
        past.append(
            covariate_changes(
                kept_tickets,
                spells.customer[kept.segments.spell[reprice]],
                kept.segments.start[reprice],
            )
        )
        rounds.append((out, _shift(kept, offset), kept_tickets))
        offset += len(spells)
        spells = _returns(out, kept, customers, cal, streams.returns)
    return _history(rounds)


def _history(rounds: list[tuple[Outcomes, Rows, Tickets]]) -> History:
    def joined(cls: type, parts: list) -> object:
        names = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(*(np.concatenate([getattr(x, f) for x in parts]) for f in names))

    outcomes, rows, tickets = zip(*rounds, strict=True)
    return History(
        outcomes=joined(Outcomes, list(outcomes)),  # type: ignore[arg-type]
        rows=Rows(
            joined(Segments, [r.segments for r in rows]),  # type: ignore[arg-type]
            np.concatenate([r.end for r in rows]),
        ),
        tickets=Tickets.concat(list(tickets)),
        n_rounds=len(rounds),
    )


def _shift(rows: Rows, offset: int) -> Rows:
    """Spell numbers count across rounds: round r's spells follow round r - 1's."""
    s = rows.segments
    shifted = Segments(s.spell + offset, s.start, s.plan, s.annual, s.mrr, s.kind)
    return Rows(shifted, rows.end)


def _run_round(
    spells: Spells,
    past: list[Changes],
    customers: Customers,
    cal: Calendar,
    streams: Streams,
) -> tuple[Outcomes, Rows, Tickets]:
    segments = plan_paths(spells, customers, cal, streams.plans)
    candidates = draw_tickets(spells, customers, cal, streams.tickets)
    reprice = segments.kind == REPRICE
    changes = Changes.concat(
        [
            *past,
            covariate_changes(
                candidates,
                spells.customer[segments.spell[reprice]],
                segments.start[reprice],
            ),
        ]
    )
    requests = sample_requests(
        spells, segments, changes, customers, cal, streams.hazard
    )
    canceled, cause = _requests_with_start_kinds(
        spells, requests.at, requests.cause, customers, cal, streams.endings
    )
    ended = _service_end(spells, canceled, customers, cal)
    outcomes = _feedback(spells, canceled, ended, cause, customers, streams.endings)
    kept_rows = _cut_segments(segments, canceled, ended)
    kept_tickets = _cut_tickets(
        candidates, spells, canceled, ended, len(customers), streams.endings
    )
    return outcomes, kept_rows, kept_tickets


def _requests_with_start_kinds(
    spells: Spells,
    at: np.ndarray,
    cause: np.ndarray,
    customers: Customers,
    cal: Calendar,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Trials that end at once and same-day cancellations override the hazard.

    A request is NEVER (and its cause -1) unless it falls before data_end.
    """
    if spells.first:
        at, cause = _start_kinds(spells, at, cause, customers, rng)
    asked = at < cal.data_end
    return np.where(asked, at, p.NEVER), np.where(asked, cause, -1)


def _start_kinds(
    spells: Spells,
    at: np.ndarray,
    cause: np.ndarray,
    customers: Customers,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    kind = customers.start_kind[spells.customer]
    hours = rng.integers(1 * p.HOUR, 8 * p.HOUR, size=len(spells))
    same_day = kind == SAME_DAY_CANCEL
    at = np.where(same_day, spells.start + hours, at)
    cause = np.where(same_day, p.CAUSES.index("same_day_cancel"), cause)
    zero = kind == ZERO_LENGTH
    at = np.where(zero, spells.start, at)
    cause = np.where(zero, p.CAUSES.index("zero_length_trial"), cause)
    return at, cause


def _service_end(
    spells: Spells, canceled: np.ndarray, customers: Customers, cal: Calendar
) -> np.ndarray:
    """Service runs to the end of the paid term; same-day and trial ends are instant."""
    ended = np.full(len(spells), p.NEVER, dtype=np.int64)
    asked = np.flatnonzero(canceled < cal.data_end)
    term = np.where(spells.annual[asked], 12, 1)
    ended[asked] = next_boundary(spells.start[asked], term, canceled[asked])
    if spells.first:
        kind = customers.start_kind[spells.customer]
        instant = (kind == SAME_DAY_CANCEL) | (kind == ZERO_LENGTH)
        ended = np.where(instant & (canceled < cal.data_end), canceled, ended)
    return np.where(ended < cal.data_end, ended, p.NEVER)


def _feedback(
    spells: Spells,
    canceled: np.ndarray,
    ended: np.ndarray,
    cause: np.ndarray,
    customers: Customers,
    rng: np.random.Generator,
) -> Outcomes:
    n = len(spells)
    asked = canceled < p.NEVER
    given = np.array([p.REASON_GIVEN_CAUSE[c] for c in p.CAUSES])
    reason = categorical(rng, given[np.maximum(cause, 0)], n)
    reported = asked & (rng.random(n) < p.REASON_REPORTED_P)
    wrote = reported & (rng.random(n) < p.FEEDBACK_P)
    language = customers.language[spells.customer]
    in_english = rng.random(n) < p.FEEDBACK_IN_ENGLISH_P
    language = np.where(in_english, p.LANGUAGES.index("en"), language)
    return Outcomes(
        customer=spells.customer,
        start=spells.start,
        canceled=canceled,
        ended=ended,
        cause=cause,
        reason=np.where(reported, reason, -1),
        feedback_language=np.where(wrote, language, -1),
        feedback_variant=rng.integers(0, 4, size=n),
    )


def _cut_segments(segments: Segments, canceled: np.ndarray, ended: np.ndarray) -> Rows:
    """Rows started before the request; the last one runs to the spell's end."""
    keep = (segments.start < canceled[segments.spell]) | (segments.kind == START)
    kept = segments.take(np.flatnonzero(keep))
    end = ended[kept.spell].copy()
    same_spell = kept.spell[1:] == kept.spell[:-1]
    end[:-1] = np.where(same_spell, kept.start[1:], end[:-1])
    return Rows(kept, end)


def _cut_tickets(
    tickets: Tickets,
    spells: Spells,
    canceled: np.ndarray,
    ended: np.ndarray,
    n_customers: int,
    rng: np.random.Generator,
) -> Tickets:
    """Tickets before service ends; fewer once the customer has asked to leave."""
    spell_of = np.full(n_customers, -1)
    spell_of[spells.customer] = np.arange(len(spells))
    spell = spell_of[tickets.customer]
    pending = tickets.created >= canceled[spell]
    thinned = pending & (rng.random(len(tickets)) >= p.PENDING_TICKET_FACTOR)
    keep = (tickets.created < ended[spell]) & ~thinned
    return tickets.take(np.flatnonzero(keep))


def _returns(
    out: Outcomes,
    kept: Rows,
    customers: Customers,
    cal: Calendar,
    rng: np.random.Generator,
) -> Spells:
    """Customers who come back after a gap start the next round's spells."""
    n = len(out.customer)
    chance = np.array([p.RETURN_P[c] for c in p.CAUSES])[np.maximum(out.cause, 0)]
    median, sigma, minimum = p.RETURN_GAP_DAYS
    gap_days = np.maximum(median * np.exp(sigma * rng.standard_normal(n)), minimum)
    back = out.ended + np.round(gap_days * p.DAY).astype(np.int64)
    back = np.where(out.ended < p.NEVER, back, p.NEVER)
    returns = (rng.random(n) < chance) & (back < cal.data_end)
    segment = customers.segment[out.customer]
    other_plan = categorical(rng, np.array(p.PLAN_MIX)[segment], n)
    last_row = np.searchsorted(kept.segments.spell, np.arange(n), side="right") - 1
    last_plan = kept.segments.plan[last_row]
    plan = np.where(rng.random(n) < p.RETURN_SAME_PLAN_P, last_plan, other_plan)
    annual = rng.random(n) >= p.RETURN_MONTHLY_P
    idx = np.flatnonzero(returns)
    return Spells(
        customer=out.customer[idx],
        start=back[idx],
        plan=plan[idx],
        annual=annual[idx],
        first=False,
    )
