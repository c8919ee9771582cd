"""The simulated history as the four canonical tables, ready to write as CSV.

Timestamps become ISO 8601 UTC text with ``Z``; anything not yet known at the end
of the data (a service end, a first response, a resolution after ``data_end``) is
left empty, as a live system would show it on that day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.demo import _params as p
from churnlens.demo._activity import Activity
from churnlens.demo._clock import Calendar, to_iso
from churnlens.demo._customers import Customers
from churnlens.demo._feedback_texts import FEEDBACK
from churnlens.demo._simulation import History
from churnlens.demo._support import N_VARIANTS, Tickets
from churnlens.demo._ticket_texts import TICKET_TEXTS
from churnlens.schema import ACTIVITY, CUSTOMERS, SUBSCRIPTIONS, TICKETS


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(5, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _known(t: np.ndarray, cal: Calendar) -> np.ndarray:
    """ISO text for instants up to ``data_end``; empty for later ones."""
    return to_iso(np.where(t <= cal.data_end, t, p.NEVER))


def customers_table(customers: Customers) -> tuple[pd.DataFrame, np.ndarray]:
    ids = _ids("C", len(customers))
    codes = np.array([c.code for c in p.COUNTRIES], dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "name": customers.name,
            "country": codes[customers.country],
            "segment": np.array(p.SEGMENTS, dtype=object)[customers.segment],
            "language": np.array(p.LANGUAGES, dtype=object)[customers.language],
            "owner": customers.owner,
        }
    )
    return frame[list(CUSTOMERS.column_names)], ids


def subscriptions_table(
    history: History, customers: Customers, ids: np.ndarray, cal: Calendar
) -> pd.DataFrame:
    rows, out = history.rows.segments, history.outcomes
    spell = rows.spell
    # canceled_at and the reason belong to the spell's last row only.
    last = np.ones(len(spell), dtype=bool)
    last[:-1] = spell[1:] != spell[:-1]
    customer = out.customer[spell]
    canceled = np.where(last, out.canceled[spell], p.NEVER)
    reason = np.where(last, out.reason[spell], -1)
    order = np.lexsort((np.arange(len(spell)), customer, rows.start))
    frame = pd.DataFrame(
        {
            "subscription_id": _ids("S", len(spell)),
            "customer_id": ids[customer][order],
            "started_at": to_iso(rows.start[order]),
            "ended_at": _known(history.rows.end[order], cal),
            "mrr": rows.mrr[order],
            # What the invoice says: an annual plan bills twelve months at once.
            "amount": np.round(np.where(rows.annual, rows.mrr * 12, rows.mrr), 2)[
                order
            ],
            "currency": np.array(p.CURRENCIES, dtype=object)[
                customers.currency[customer]
            ][order],
            "plan": np.array(p.PLANS, dtype=object)[rows.plan][order],
            "billing_period": np.where(rows.annual, "annual", "monthly")[order],
            "canceled_at": _known(canceled[order], cal),
            "cancel_reason": _labels(p.REASONS, reason)[order],
            "cancel_feedback": _feedback_texts(history, spell, last, reason)[order],
        }
    )
    return frame[list(SUBSCRIPTIONS.column_names)]


def _labels(names: tuple[str, ...], index: np.ndarray) -> np.ndarray:
    table = np.array([*names, ""], dtype=object)
    return table[np.where(index >= 0, index, len(names))]


def _feedback_texts(
    history: History, spell: np.ndarray, last: np.ndarray, reason: np.ndarray
) -> np.ndarray:
    out = history.outcomes
    language = np.where(last, out.feedback_language[spell], -1)
    variant = out.feedback_variant[spell]
    texts = np.full(len(spell), "", dtype=object)
    for r, name in enumerate(p.REASONS):
        for lang_index, lang in enumerate(p.LANGUAGES):
            rows = np.flatnonzero((reason == r) & (language == lang_index))
            choices = np.array(FEEDBACK[name][lang], dtype=object)
            texts[rows] = choices[variant[rows] % len(choices)]
    return texts


def tickets_table(
    tickets: Tickets, customers: Customers, ids: np.ndarray, cal: Calendar
) -> pd.DataFrame:
    order = np.lexsort((tickets.customer, tickets.created))
    t = tickets.take(order)
    resolved = t.resolved <= cal.data_end
    subject, text = _ticket_texts(t, customers)
    frame = pd.DataFrame(
        {
            "ticket_id": _ids("T", len(t)),
            "customer_id": ids[t.customer],
            "created_at": to_iso(t.created),
            "first_response_at": _known(t.first_response, cal),
            "resolved_at": _known(t.resolved, cal),
            "status": np.where(resolved, "resolved", "open"),
            "channel": np.array(p.CHANNELS, dtype=object)[t.channel],
            "satisfaction": _ratings(t.satisfaction, resolved),
            # The demo's helpdesk does not track reopening: empty, not zero.
            "reopens": pd.arrays.IntegerArray(
                np.zeros(len(t), dtype=np.int64), np.ones(len(t), dtype=bool)
            ),
            "subject": subject,
            "text": text,
        }
    )
    return frame[list(TICKETS.column_names)]


def _ratings(satisfaction: np.ndarray, resolved: np.ndarray) -> pd.arrays.IntegerArray:
    # Ratings come with the resolution; one after data_end is not known yet.
    values = np.where(resolved, satisfaction, 0).astype(np.int64)
    return pd.arrays.IntegerArray(values, values == 0)


def _ticket_texts(t: Tickets, customers: Customers) -> tuple[np.ndarray, np.ndarray]:
    language = customers.language[t.customer]
    key = (t.category * len(p.LANGUAGES) + language) * N_VARIANTS + t.variant
    pairs = [
        TICKET_TEXTS[category][lang][v]
        for category in p.CATEGORIES
        for lang in p.LANGUAGES
        for v in range(N_VARIANTS)
    ]
    subjects = np.array([s for s, _ in pairs], dtype=object)
    texts = np.array([x for _, x in pairs], dtype=object)
    return subjects[key], texts[key]


def activity_table(activity: Activity, ids: np.ndarray) -> pd.DataFrame:
    """Categorical columns: over a million rows, few distinct values in each."""
    instants, week = np.unique(activity.occurred_at, return_inverse=True)
    frame = pd.DataFrame(
        {
            "customer_id": pd.Categorical.from_codes(activity.customer, ids),
            "occurred_at": pd.Categorical.from_codes(week, to_iso(instants)),
            "event": pd.Categorical.from_codes(activity.event, p.EVENTS),
            "quantity": activity.quantity,
        }
    )
    return frame[list(ACTIVITY.column_names)]
