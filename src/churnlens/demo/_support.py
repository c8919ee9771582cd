"""Support tickets: when customers write, how long they wait, how they rate it.

Tickets are drawn for each spell as if the customer never left (a Poisson process
thinned by weekday, onboarding and the buggy-release months); the simulation later
drops those after the spell ends. Waiting times grow in the understaffed months and
for the smaller language teams; satisfaction falls with waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar
from churnlens.demo._customers import Customers
from churnlens.demo._draws import categorical, lognormal
from churnlens.demo._spells import Spells

N_VARIANTS = 3  # text variants per category and language, see _ticket_texts

# Satisfaction (1-5) when rated: a base score less penalties for waiting, plus noise.
# Each penalty is per doubling of (1 + hours / scale).
SATISFACTION_BASE = 4.6
SATISFACTION_FRT = (0.45, 4.0)  # (penalty, scale hours) for the first response
SATISFACTION_RESOLVE = (0.25, 24.0)  # for the resolution after it
SATISFACTION_NOISE = 0.8


@dataclass(frozen=True)
class Tickets:
    customer: np.ndarray
    created: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray  # NEVER for tickets that are never resolved
    satisfaction: np.ndarray  # 1-5, 0 when not rated
    channel: np.ndarray
    category: np.ndarray
    variant: np.ndarray

    def __len__(self) -> int:
        return len(self.customer)

    def take(self, rows: np.ndarray) -> Tickets:
        return Tickets(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Tickets]) -> Tickets:
        fields = Tickets.__dataclass_fields__
        return Tickets(
            *(np.concatenate([getattr(t, f) for t in parts]) for f in fields)
        )


def month_index(t: np.ndarray, cal: Calendar) -> np.ndarray:
    """The calendar month (0 = the first simulated month) containing each instant."""
    return np.searchsorted(cal.month_starts, t, side="right") - 1


def draw_tickets(
    spells: Spells, customers: Customers, cal: Calendar, rng: np.random.Generator
) -> Tickets:
    customer, created = _creation_times(spells, customers, cal, rng)
    n = len(customer)
    segment = customers.segment[customer]
    month = month_index(created, cal)
    incident = (month >= p.INCIDENT_MONTHS[0]) & (month < p.INCIDENT_MONTHS[1])
    channel = categorical(rng, np.array(p.CHANNEL_MIX)[segment], n)
    mix = np.array(p.CATEGORY_MIX) * np.where(
        incident[:, None], np.array(p.INCIDENT_CATEGORY_BOOST), 1.0
    )
    category = categorical(rng, mix / mix.sum(axis=1, keepdims=True), n)
    backlog = np.isin(month, p.UNDERSTAFFED_MONTHS)
    language = customers.language[customer]
    frt_hours, resolve_hours = _waits(
        channel, category, language, segment, backlog, rng
    )
    first_response = created + np.maximum(np.round(frt_hours * p.HOUR), 30)
    resolved = first_response + np.maximum(np.round(resolve_hours * p.HOUR), 60)
    stuck = rng.random(n) < p.STUCK_P
    rated = ~stuck & (rng.random(n) < p.RATED_P)
    score = _satisfaction(frt_hours, resolve_hours, rng)
    return Tickets(
        customer=customer,
        created=created,
        first_response=first_response.astype(np.int64),
        resolved=np.where(stuck, p.NEVER, resolved).astype(np.int64),
        satisfaction=np.where(rated, score, 0),
        channel=channel,
        category=category,
        variant=rng.integers(0, N_VARIANTS, size=n),
    )


def _waits(
    channel: np.ndarray,
    category: np.ndarray,
    language: np.ndarray,
    segment: np.ndarray,
    backlog: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Hours to the first response, then from it to the resolution."""
    frt_hours = lognormal(
        rng,
        np.array(p.FRT_MEDIAN_HOURS)[channel]
        * np.array(p.FRT_LANGUAGE_FACTOR)[language]
        * np.array(p.FRT_SEGMENT_FACTOR)[segment]
        * np.where(backlog, p.BACKLOG_FACTOR, 1.0),
        np.array(p.FRT_SIGMA)[channel],
        len(channel),
    )
    resolve_hours = lognormal(
        rng,
        p.RESOLVE_MEDIAN_HOURS * np.array(p.RESOLVE_CATEGORY_FACTOR)[category],
        p.RESOLVE_SIGMA,
        len(channel),
    )
    return frt_hours, resolve_hours


def _creation_times(
    spells: Spells, customers: Customers, cal: Calendar, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Ticket times by thinning a Poisson process at the highest possible rate."""
    peak = p.INCIDENT_FACTOR * (p.ONBOARDING_FACTOR if spells.first else 1.0)
    customer = spells.customer
    rate = (
        np.array(p.TICKET_RATE)[customers.segment[customer]]
        * customers.ticket_frailty[customer]
        * peak
        / p.MONTH
    )
    span = cal.data_end - spells.start
    counts = rng.poisson(rate * span)
    owner = np.repeat(np.arange(len(spells)), counts)
    created = spells.start[owner] + (rng.random(len(owner)) * span[owner]).astype(
        np.int64
    )
    month = month_index(created, cal)
    weekday = (created // p.DAY + 3) % 7
    factor = np.array(p.WEEKDAY)[weekday] * np.where(
        (month >= p.INCIDENT_MONTHS[0]) & (month < p.INCIDENT_MONTHS[1]),
        p.INCIDENT_FACTOR,
        1.0,
    )
    if spells.first:
        onboarding = created < spells.start[owner] + p.ONBOARDING_DAYS * p.DAY
        factor = factor * np.where(onboarding, p.ONBOARDING_FACTOR, 1.0)
    keep = rng.random(len(owner)) < factor / peak
    order = np.lexsort((created[keep], owner[keep]))
    return customer[owner[keep]][order], created[keep][order]


def _satisfaction(
    frt_hours: np.ndarray, resolve_hours: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    (frt_penalty, frt_scale), (res_penalty, res_scale) = (
        SATISFACTION_FRT,
        SATISFACTION_RESOLVE,
    )
    latent = (
        SATISFACTION_BASE
        - frt_penalty * np.log2(1 + frt_hours / frt_scale)
        - res_penalty * np.log2(1 + resolve_hours / res_scale)
        + SATISFACTION_NOISE * rng.standard_normal(len(frt_hours))
    )
    return np.clip(np.round(latent), 1, 5).astype(np.int64)
