"""The ground truth written next to the demo tables.

It restates ``_params`` (the true effects) in plain JSON, with the dates they fell
on for this run, and adds what actually happened (requests by cause, returns, plan
changes) so a model's estimates can be checked against the truth and the sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from churnlens.demo import _params as p
from churnlens.demo._activity import WEEKLY_NOISE_SHAPE
from churnlens.demo._clock import Calendar
from churnlens.demo._plans import DOWNGRADE, REPRICE, UPGRADE
from churnlens.demo._prices import price_change_times
from churnlens.demo._simulation import History

HAZARD_MODEL = (
    "Each spell's hazard of a cancellation request (per month) is "
    "reference_rate_per_month * plan * segment * billing_period * tenure hazard "
    "ratios * exp(sum of log_hazard_ratio over the active covariates). It is "
    "piecewise constant between changes of any factor; tenure counts from the "
    "spell's start. The request is canceled_at; service continues to the end of "
    "the paid term (ended_at: the next monthly or yearly renewal from the spell's "
    "started_at), except same-day cancellations and zero-length trials, which end "
    "at once."
)
CAUSE_ATTRIBUTION = (
    "At each request the hazard is split into the baseline, with share "
    "1 / exp(sum beta x), and the active covariates, which share the excess in "
    "proportion to their log hazard ratios; the drawn cause picks cancel_reason "
    "through reason_given_cause."
)
USAGE_MODEL = (
    "Activity is one row per customer, ISO week (Monday 00:00 UTC) and event, "
    "stamped at the week's start or the spell's start, whichever is later, with "
    "quantity the week's count (weeks with none have no row). The count is "
    "Poisson with mean: per-user rate * seats (api_call: a flat rate) * the "
    "customer's engagement * adopted (0/1 per event) * the share of the week in "
    "service * the week's intent level * a gamma noise of mean 1 and shape "
    "weekly_noise_shape, drawn once per customer-week and shared by its events. "
    "The intent level, taken at the middle of the week's part in service, is 1 "
    "except for decliners: a share decliner_probability of the spells with a "
    "cancellation request fade from a start drawn uniformly "
    "decline_lead_weeks before canceled_at, linearly down to decline_floor at "
    "the request. After the request the level is multiplied by "
    "after_cancel_factor (decliners, others)."
)


def ground_truth(
    history: History,
    cal: Calendar,
    *,
    seed: int,
    n_customers: int,
    years: int,
    row_counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "company": p.COMPANY,
        "seed": seed,
        "settings": {
            "n_customers": n_customers,
            "years": years,
            "start": cal.iso_date(cal.start),
            "end": cal.iso_date(cal.data_end),
        },
        "row_counts": row_counts,
        "churn_hazard": _hazard(),
        "usage": _usage(),
        "company_events": _events(cal),
        "reason_given_cause": {
            cause: dict(zip(p.REASONS, probs, strict=True))
            for cause, probs in p.REASON_GIVEN_CAUSE.items()
        },
        "reason_reported_probability": p.REASON_REPORTED_P,
        "return_probability_by_cause": dict(p.RETURN_P),
        "realised": _realised(history),
    }


def _hazard() -> dict[str, Any]:
    tenure = [
        {"from_months": lo, "to_months": hi, "hazard_ratio": hr}
        for lo, hi, hr in p.TENURE_BANDS
    ]
    return {
        "model": HAZARD_MODEL,
        "reference_rate_per_month": p.REFERENCE_RATE,
        "reference": "plan starter, segment smb, monthly billing, tenure < 3 months",
        "hazard_ratios": {
            "plan": dict(zip(p.PLANS, p.PLAN_HR, strict=True)),
            "segment": dict(zip(p.SEGMENTS, p.SEGMENT_HR, strict=True)),
            "billing_period": dict(zip(p.BILLING, p.BILLING_HR, strict=True)),
            "tenure": tenure,
        },
        "covariates": [
            {
                "name": c.name,
                "log_hazard_ratio": c.log_hazard_ratio,
                "hazard_ratio": round(c.hazard_ratio, 6),
                "window_days": c.window_days,
                "definition": c.definition,
            }
            for c in p.COVARIATES
        ],
        "cause_attribution": CAUSE_ATTRIBUTION,
    }


def _usage() -> dict[str, Any]:
    return {
        "model": USAGE_MODEL,
        "weekly_per_user": dict(zip(p.EVENTS, p.WEEKLY_PER_USER, strict=True)),
        "api_calls_per_week": p.API_CALLS_PER_WEEK,
        "adoption_probability": {
            segment: dict(zip(p.EVENTS, probs, strict=True))
            for segment, probs in zip(p.SEGMENTS, p.ADOPTION_P, strict=True)
        },
        "weekly_noise_shape": WEEKLY_NOISE_SHAPE,
        "decliner_probability": p.DECLINER_P,
        "decline_lead_weeks": list(p.DECLINE_WEEKS),
        "decline_floor": p.DECLINE_FLOOR,
        "after_cancel_factor": dict(
            zip(("decliners", "others"), p.AFTER_CANCEL_FACTOR, strict=True)
        ),
    }


def _events(cal: Calendar) -> dict[str, Any]:
    return {
        "price_increases": [
            {
                "effective": cal.iso_date(at),
                "applies": "at each subscription's next renewal; new sign-ups at once",
                "multiplier": dict(zip(p.PLANS, factors, strict=True)),
            }
            for at, (_, factors) in zip(
                price_change_times(cal), p.PRICE_CHANGES, strict=True
            )
        ],
        "understaffed_months": [
            cal.iso_date(cal.month_offset(m))[:7] for m in p.UNDERSTAFFED_MONTHS
        ],
        "understaffed_first_response_factor": p.BACKLOG_FACTOR,
        "incident": {
            "from": cal.iso_date(cal.month_offset(p.INCIDENT_MONTHS[0])),
            "to": cal.iso_date(cal.month_offset(p.INCIDENT_MONTHS[1])),
            "ticket_rate_factor": p.INCIDENT_FACTOR,
        },
    }


def _realised(history: History) -> dict[str, Any]:
    out = history.outcomes
    causes = np.bincount(out.cause[out.cause >= 0], minlength=len(p.CAUSES))
    kinds = np.bincount(history.rows.segments.kind, minlength=4)
    return {
        "spells": len(out.customer),
        # Round 1 holds one first spell per customer; every later spell is a return.
        "reactivations": len(out.customer) - len(np.unique(out.customer)),
        "cancellation_requests_by_cause": {
            name: int(count) for name, count in zip(p.CAUSES, causes, strict=True)
        },
        "plan_changes": {
            "upgrade": int(kinds[UPGRADE]),
            "downgrade": int(kinds[DOWNGRADE]),
            "repricing": int(kinds[REPRICE]),
        },
        "simulation_rounds": history.n_rounds,
    }
