"""What the demo's weekly usage says about a request to come, by Bayes' rule.

The demo fades the usage of a share of the customers who will ask to cancel
(ground_truth["usage"]): from a start drawn uniformly ``decline_lead_weeks``
before the request, linearly down to ``decline_floor`` at it. A customer whose
usage is already fading at t will ask within weeks; one whose usage is not
fading yet is a little less likely to ask soon than the hazard alone says.

For a customer in the base at t who has not asked yet, with a request hazard
``rate`` held at its value at t, the request falls d weeks after t. The
hypotheses are: not fading at t (a non-decliner, or a decliner whose fade starts
after t), or a decliner with lead L whose request falls at d < L (a grid over
(d, L)). Each weekly total of the current spell before t is negative binomial:
the events' counts are Poisson around a mean shared by a gamma noise of shape
``weekly_noise_shape``, so their sum is too, with mean scale * share of the
week in service * level at the middle of that share. The customer's own scale
is unknown; it is integrated out over a grid, flat in its logarithm (the true
prior, engagement times seats times adopted features, is not written down).
Weeks whose middle falls more than the longest lead before t are level 1 under
every hypothesis and only inform the scale. The hazard held at t, the grids and
the flat prior make this a close approximation of the Bayes posterior, not the
posterior itself; tests/risk/test_true_fade.py checks its calibration.

Plain numpy and pandas over activity.csv; it shares no code with the product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MONDAY = pd.Timestamp("1970-01-05")  # ISO weeks start on Mondays at 00:00 UTC
WEEK = pd.Timedelta(weeks=1)
HISTORY_WEEKS = 52  # weeks before t read for the customer's own scale
GRID_WEEKS = 0.5  # the (d, L) grid's step
N_SCALES = 17
CHUNK = 64  # customers per block of the likelihood array


@dataclass(frozen=True)
class Fade:
    """The generator's usage parameters (ground_truth["usage"])."""

    decliner_p: float
    lead_low: float  # weeks
    lead_high: float
    floor: float
    after_cancel: float  # decliners' usage factor once they have asked
    shape: float

    @classmethod
    def from_truth(cls, usage: dict) -> Fade:
        low, high = usage["decline_lead_weeks"]
        return cls(
            decliner_p=usage["decliner_probability"],
            lead_low=low,
            lead_high=high,
            floor=usage["decline_floor"],
            after_cancel=usage["after_cancel_factor"]["decliners"],
            shape=usage["weekly_noise_shape"],
        )


def weekly_usage(
    activity: pd.DataFrame, spell_start: pd.Series, t: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(count, share, middle) per customer (rows of ``spell_start``, indexed by
    customer_id) and week, for the HISTORY_WEEKS + 1 weeks starting before t.

    ``share`` is the part of the week in the spell (0 outside it) and ``middle``
    the middle of that part in weeks after t (negative). Weeks cut by the
    spell's end cannot occur here: the customers have not asked to leave.
    """
    week = np.timedelta64(7, "D")
    monday = MONDAY.to_datetime64()
    at = t.to_datetime64()
    last = (at - np.timedelta64(1, "ns") - monday) // week
    weeks = np.arange(last - HISTORY_WEEKS, last + 1)
    week_start = monday + weeks * week  # (W,)
    lo = np.maximum(week_start[None, :], spell_start.to_numpy()[:, None])
    hi = (week_start + week)[None, :]
    share = np.clip((hi - lo) / week, 0, 1)
    middle = ((lo + (hi - lo) / 2) - at) / week
    rows = activity[activity.occurred_at < t]
    rows = rows[rows.customer_id.isin(spell_start.index)]
    begun = rows.occurred_at >= spell_start.reindex(rows.customer_id).to_numpy()
    rows = rows[begun]
    column = (rows.occurred_at - MONDAY) // WEEK - weeks[0]
    rows = rows.assign(week=column)[column >= 0]
    totals = rows.groupby(["customer_id", "week"]).quantity.sum()
    count = np.zeros(share.shape)
    where = spell_start.index.get_indexer(totals.index.get_level_values(0))
    count[where, totals.index.get_level_values(1)] = totals.to_numpy()
    return count, share, middle


def leave_probability(
    count: np.ndarray,
    share: np.ndarray,
    middle: np.ndarray,
    *,
    rate: np.ndarray,
    window: np.ndarray,
    fade: Fade,
) -> tuple[np.ndarray, np.ndarray]:
    """P(the request falls within ``window`` weeks of t | usage up to t) and
    P(fading at t | usage), per customer; ``rate`` is requests per week."""
    grid = _hypotheses(fade)
    leave, fading = np.empty(len(rate)), np.empty(len(rate))
    for lo in range(0, len(rate), CHUNK):
        part = slice(lo, lo + CHUNK)
        z0, zh = _evidence(count[part], share[part], middle[part], grid, fade)
        leave[part], fading[part] = _mix(z0, zh, rate[part], window[part], grid, fade)
    return leave, fading


def _hypotheses(fade: Fade) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell midpoints (d, L) with d < L, and each cell's area, in weeks."""
    leads = np.arange(fade.lead_low, fade.lead_high, GRID_WEEKS) + GRID_WEEKS / 2
    d, lead, area = [], [], []
    for value in leads:
        edges = np.append(np.arange(0, value, GRID_WEEKS), value)
        d.append((edges[1:] + edges[:-1]) / 2)
        lead.append(np.full(len(edges) - 1, value))
        area.append(np.diff(edges) * GRID_WEEKS)
    return np.concatenate(d), np.concatenate(lead), np.concatenate(area)


def _evidence(
    count: np.ndarray,
    share: np.ndarray,
    middle: np.ndarray,
    grid: tuple[np.ndarray, ...],
    fade: Fade,
) -> tuple[np.ndarray, np.ndarray]:
    """log P(usage | not fading) and log P(usage | each (d, L)), up to one
    constant per customer, the scale integrated out."""
    d, lead, _ = grid
    k = fade.shape
    progress = np.clip((middle[:, :, None] - d + lead) / lead, 0, 1)
    level = 1 - (1 - fade.floor) * progress  # (C, W, H)
    level = np.where(middle[:, :, None] >= d, level * fade.after_cancel, level)
    inside = share > 0
    scale = _scale_grid(count, share, inside, level.min(axis=2), k)  # (C, G)
    recent = inside & (middle > -fade.lead_high)
    with np.errstate(divide="ignore"):
        log_share = np.log(share)[:, None, :]
    at_one = scale[:, :, None] + log_share  # (C, G, W): log mean at level 1
    weekly = count[:, None, :]
    old = _loglik(weekly, at_one, (inside & ~recent)[:, None, :], k, axis=2)
    flat = _loglik(weekly, at_one, recent[:, None, :], k, axis=2)
    # Only the last weeks differ between hypotheses: keep those columns.
    cols = np.flatnonzero(recent.any(axis=0))
    faded = _loglik(
        count[:, None, cols, None],
        at_one[:, :, cols, None] + np.log(level[:, None, cols, :]),
        recent[:, None, cols, None],
        k,
        axis=2,
    )  # (C, G, H)
    return _logsumexp(old + flat, axis=1), _logsumexp(old[:, :, None] + faded, axis=1)


def _mix(
    z0: np.ndarray,
    zh: np.ndarray,
    rate: np.ndarray,
    window: np.ndarray,
    grid: tuple[np.ndarray, ...],
    fade: Fade,
) -> tuple[np.ndarray, np.ndarray]:
    """Bayes' rule over the hypotheses: P(request within window), P(fading)."""
    d, _, area = grid
    p0, q0 = _not_fading(rate, window, fade)
    density = fade.decliner_p / (fade.lead_high - fade.lead_low)
    prior = density * rate[:, None] * np.exp(-rate[:, None] * d) * area
    top = np.maximum(z0, zh.max(axis=1))
    w0 = p0 * np.exp(z0 - top)
    wh = prior * np.exp(zh - top[:, None])
    soon = d[None, :] < window[:, None]
    total = w0 + wh.sum(axis=1)
    return (w0 * q0 + (wh * soon).sum(axis=1)) / total, wh.sum(axis=1) / total


def _scale_grid(
    count: np.ndarray,
    share: np.ndarray,
    inside: np.ndarray,
    lowest: np.ndarray,
    k: float,
) -> np.ndarray:
    """Log scales around the customer's mean usage at level 1, wide enough for
    the noise and for any fade (which would put the scale higher)."""
    weeks = (share * inside).sum(axis=1)
    total = (count * inside).sum(axis=1)
    centre = np.log((total + 0.5) / weeks)
    sd = np.sqrt((1 / k + 1 / np.maximum(total / weeks, 1)) / weeks)
    shift = np.log(weeks / (share * inside * lowest).sum(axis=1))
    steps = np.linspace(0, 1, N_SCALES)[None, :]
    return centre[:, None] - 4 * sd[:, None] + (8 * sd + shift)[:, None] * steps


def _loglik(
    count: np.ndarray, log_mean: np.ndarray, mask: np.ndarray, k: float, axis: int
) -> np.ndarray:
    """Sum over the weeks (``axis``) in ``mask`` of the negative binomial log
    likelihood, less the terms that do not depend on the mean."""
    with np.errstate(invalid="ignore"):
        term = count * log_mean - (k + count) * np.log(k + np.exp(log_mean))
    return np.where(mask, term, 0.0).sum(axis=axis)


def _not_fading(
    rate: np.ndarray, window: np.ndarray, fade: Fade
) -> tuple[np.ndarray, np.ndarray]:
    """P(not fading at t) and P(request within window | not fading), with the
    request d ~ Exp(rate) and, for decliners, the fade start d - L before t iff
    L > d, L ~ U(low, high)."""
    a, b, delta = fade.lead_low, fade.lead_high, fade.decliner_p
    r = np.maximum(rate, 1e-12)
    e_lead = (np.exp(-r * a) - np.exp(-r * b)) / (r * (b - a))  # E exp(-r L)
    p0 = (1 - delta) + delta * e_lead
    m = np.clip(window, a, b)
    # E[(exp(-r L) - exp(-r w)) 1(L < w)]: asks within w, but only after L.
    late = ((np.exp(-r * a) - np.exp(-r * m)) / r - (m - a) * np.exp(-r * window)) / (
        b - a
    )
    late = np.where(window > a, late, 0.0)
    q0 = ((1 - delta) * (1 - np.exp(-r * window)) + delta * late) / p0
    return p0, q0


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))).squeeze(axis)
