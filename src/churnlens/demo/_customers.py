"""Who signs up, when, and what they buy first.

Sign-ups grow over the years, follow the season and the working week, and land in
local office hours. Everything a customer keeps for life (country, language,
segment, seats, owner, how often they hit problems, how much they use the product)
is drawn here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._clock import Calendar
from churnlens.demo._draws import categorical
from churnlens.demo._names import company_names

# Start kinds of a first spell.
ORDINARY, ZERO_LENGTH, SAME_DAY_CANCEL = 0, 1, 2


@dataclass(frozen=True)
class Customers:
    """One entry per customer, in sign-up order (index i is customer i + 1)."""

    signup: np.ndarray  # first started_at, int64 seconds
    country: np.ndarray  # index into COUNTRIES
    language: np.ndarray  # index into LANGUAGES
    segment: np.ndarray  # index into SEGMENTS
    currency: np.ndarray  # index into CURRENCIES
    seats: np.ndarray
    plan: np.ndarray  # first plan, index into PLANS
    annual: np.ndarray  # first billing period is annual
    discount: np.ndarray  # enterprise-plan discount, applied on that plan only
    ticket_frailty: np.ndarray  # multiplies the ticket rate
    engagement: np.ndarray  # multiplies usage
    adopted: np.ndarray  # (n, len(EVENTS)) which features the customer uses
    start_kind: np.ndarray  # ORDINARY, ZERO_LENGTH or SAME_DAY_CANCEL
    owner: np.ndarray  # account manager's name
    name: np.ndarray  # company name

    def __len__(self) -> int:
        return len(self.signup)


def make_customers(n: int, cal: Calendar, rng: np.random.Generator) -> Customers:
    country = categorical(rng, np.array([c.weight for c in p.COUNTRIES]), n)
    signup = _signup_times(n, country, cal, rng)
    order = np.argsort(signup, kind="stable")
    signup, country = signup[order], country[order]
    segment = categorical(rng, np.array(p.SEGMENT_MIX), n)
    plan = categorical(rng, np.array(p.PLAN_MIX)[segment], n)
    return Customers(
        signup=signup,
        country=country,
        language=_languages(country, rng),
        segment=segment,
        currency=np.array(
            [p.CURRENCIES.index(c.currency) for c in p.COUNTRIES], dtype=np.int64
        )[country],
        seats=np.maximum(_seats(segment, rng), np.array(p.MIN_SEATS)[plan]),
        plan=plan,
        annual=rng.random(n) < np.array(p.ANNUAL_SHARE)[segment],
        discount=rng.choice(np.array(p.ENTERPRISE_DISCOUNTS), size=n),
        ticket_frailty=rng.gamma(
            p.TICKET_FRAILTY_SHAPE, 1 / p.TICKET_FRAILTY_SHAPE, size=n
        ),
        engagement=np.exp(0.5 * rng.standard_normal(n)),
        adopted=rng.random((n, len(p.EVENTS))) < np.array(p.ADOPTION_P)[segment],
        start_kind=_start_kinds(n, rng),
        owner=_owners(country, rng),
        name=company_names([c.code for c in p.COUNTRIES], country, rng),
    )


def _signup_times(
    n: int, country: np.ndarray, cal: Calendar, rng: np.random.Generator
) -> np.ndarray:
    """Days weighted by growth, season and weekday; times in local office hours."""
    first_day = cal.start // p.DAY
    days = np.arange(first_day, cal.data_end // p.DAY, dtype=np.int64)
    years = (days - first_day) / 365.25
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    weight = (
        np.exp(p.ACQUISITION_GROWTH * years)
        * np.array(p.SEASON)[month]
        * np.array(p.WEEKDAY)[weekday]
    )
    day = rng.choice(days, size=n, p=weight / weight.sum())
    # Office hours around late morning; the rare draw outside 7:00-20:30 is redrawn
    # uniformly over the working day rather than clipped, which would pile sign-ups
    # onto the exact minute of the bounds.
    local_hours = rng.normal(11.5, 2.5, size=n)
    outside = (local_hours < 7.0) | (local_hours > 20.5)
    local_hours = np.where(outside, rng.uniform(8.0, 18.0, size=n), local_hours)
    utc_hours = np.array([c.utc_hours for c in p.COUNTRIES])[country]
    t = day * p.DAY + np.round((local_hours - utc_hours) * p.HOUR).astype(np.int64)
    return np.clip(t, cal.start, cal.data_end - 1)


def _languages(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    native = np.array([p.LANGUAGES.index(c.language) for c in p.COUNTRIES])[country]
    english = p.LANGUAGES.index("en")
    switch = rng.random(len(country)) < p.ENGLISH_SHARE
    return np.where(switch, english, native)


def _seats(segment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    median, sigma, low, high = (
        np.array(col)[segment] for col in zip(*p.SEATS, strict=True)
    )
    seats = median * np.exp(sigma * rng.standard_normal(len(segment)))
    return np.clip(np.round(seats), low, high).astype(np.int64)


def _start_kinds(n: int, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(n)
    kind = np.full(n, ORDINARY, dtype=np.int64)
    kind[u < p.ZERO_LENGTH_SHARE + p.SAME_DAY_CANCEL_SHARE] = SAME_DAY_CANCEL
    kind[u < p.ZERO_LENGTH_SHARE] = ZERO_LENGTH
    return kind


def _owners(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(len(country))
    owner = np.empty(len(country), dtype=object)
    for c, spec in enumerate(p.COUNTRIES):
        rows = np.flatnonzero(country == c)
        names = np.array(spec.owners, dtype=object)
        owner[rows] = names[(u[rows] * len(names)).astype(np.int64)]
    return owner
