"""Why customers left, from a plain table with one row per customer (a public
churn dataset, a CRM export): the churned customers' reason column, coded or
free text in any of the six languages, by share of churned customers and of
lost MRR, overall or per segment (docs/why.md, "Public datasets").

The rules are those of ``churn_reasons``: a known reason code is mapped
(``reason_from_code``), other text is classified (``classify_reasons``), and a
churned customer without a reason is ``unknown``, kept apart from ``other``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churnlens.explain.churn_reasons import UNKNOWN, WHY_REASONS
from churnlens.explain.reasons import (
    REASON_LABELS,
    classify_reasons,
    is_reason_code,
    reason_from_code,
)
from churnlens.inputs.plain_table import read_plain_table
from churnlens.metrics._intervals import Z_95, wilson_interval
from churnlens.metrics._segments import ordered_segments

__all__ = ["TABLE_REASON_COLUMNS", "table_reasons"]

TABLE_REASON_COLUMNS = (
    "reason",
    "reason_label",
    "churned",
    "churned_total",
    "share",
    "share_lower",
    "share_upper",
    "lost_mrr",
    "lost_mrr_share",
    "from_code",
    "from_text",
    "top_texts",
)
_LABELS = {**REASON_LABELS, UNKNOWN: "Unknown (no reason given)"}
_NO_SEGMENT = "\x00none"
# How many of a reason's most frequent texts ``top_texts`` shows.
_TOP_TEXTS = 3


def table_reasons(
    data: Any,
    churned: str,
    reason: str,
    *,
    churned_value: str | None = None,
    mrr: str | None = None,
    by: str | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Reasons of the churned customers of a table with one row per customer.

    ``churned``: the outcome column (1/0, yes/no, true/false, or 1 where it
    equals ``churned_value``); ``reason``: the reason column, codes or text;
    ``mrr``: what each customer paid per month (lost MRR); ``by``: a segment
    column; ``lang``: the texts' language (None detects it per text).
    Columns ``[by]`` then ``TABLE_REASON_COLUMNS``, every reason of
    ``WHY_REASONS`` in every segment; ``top_texts`` shows the most frequent
    texts behind a reason with their counts, so the mapping can be checked.

    >>> table_reasons("Telco_customer_churn.csv", "Churn Value",
    ...               "Churn Reason", mrr="Monthly Charges")  # doctest: +SKIP
    """
    table = read_plain_table(data)
    # Every column is looked up before any is parsed: a misspelt name first.
    columns = [table.find(c) for c in (reason, *(c for c in (mrr, by) if c))]
    flag = table.flags(churned, value=churned_value).astype(bool)
    texts = table.text(columns[0])[flag]
    rows = pd.DataFrame({"text": texts})
    rows["lost_mrr"] = table.numbers(mrr)[flag] if mrr else np.nan
    # Missing segment values group together under a key of their own.
    rows["_seg"] = table.text(by)[flag].fillna(_NO_SEGMENT) if by else ""
    coded = texts.map(is_reason_code)
    rows["reason"] = texts.map(reason_from_code).where(coded)
    free = texts.notna() & ~coded
    if free.any():
        found = classify_reasons(texts[free], lang)
        rows.loc[free, "reason"] = found["reason"].to_numpy()
    rows["reason"] = rows["reason"].fillna(UNKNOWN)
    rows["from_code"] = coded.astype("int64")
    rows["from_text"] = free.astype("int64")
    out = _summarise(rows, by, mrr is not None)
    out.attrs["churned"] = int(flag.sum())
    return out


def _summarise(rows: pd.DataFrame, by: str | None, has_mrr: bool) -> pd.DataFrame:
    present = rows["_seg"].where(rows["_seg"] != _NO_SEGMENT)
    segments = (
        [_NO_SEGMENT if s is None else s for s in ordered_segments(present)]
        if by
        else [""]
    )
    full = pd.DataFrame(
        [(s, r) for s in segments for r in WHY_REASONS], columns=["_seg", "reason"]
    )
    sums = (
        rows.assign(churned=1)
        .groupby(["_seg", "reason"], dropna=False)[
            ["churned", "lost_mrr", "from_code", "from_text"]
        ]
        .sum(min_count=1)
        .reset_index()
    )
    out = full.merge(sums, on=["_seg", "reason"], how="left")
    counts = ["churned", "from_code", "from_text"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["lost_mrr"] = out["lost_mrr"].astype("float64")
    if has_mrr:
        out["lost_mrr"] = out["lost_mrr"].fillna(0.0)
    group = out.groupby("_seg", dropna=False, sort=False)
    out["churned_total"] = group["churned"].transform("sum")
    mrr_total = group["lost_mrr"].transform("sum")
    x, n = out["churned"].to_numpy(float), out["churned_total"].to_numpy(float)
    out["share_lower"], out["share_upper"] = wilson_interval(x, n, z=Z_95)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(n > 0, x / n, np.nan)
        out["lost_mrr_share"] = np.where(
            mrr_total > 0, out["lost_mrr"] / mrr_total, np.nan
        )
    out["reason_label"] = out["reason"].map(_LABELS)
    top = _top_texts(rows)
    out["top_texts"] = [
        top.get((seg, reason), "")
        for seg, reason in zip(out["_seg"], out["reason"], strict=True)
    ]
    lead = []
    if by:
        out[by] = out["_seg"].where(out["_seg"] != _NO_SEGMENT, None)
        lead = [by]
    return out[[*lead, *TABLE_REASON_COLUMNS]].reset_index(drop=True)


def _top_texts(rows: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(segment, reason) -> its most frequent texts with their counts."""
    counts = (
        rows.dropna(subset=["text"])
        .groupby(["_seg", "reason", "text"], sort=False)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["n", "text"], ascending=[False, True], kind="stable")
    )
    out: dict[tuple[str, str], str] = {}
    for (seg, reason), group in counts.groupby(["_seg", "reason"], sort=False):
        shown = group.head(_TOP_TEXTS)
        out[(seg, reason)] = "; ".join(
            f"{t} ({n})" for t, n in zip(shown["text"], shown["n"], strict=True)
        )
    return out
