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

from churnlens.explain._reason_shares import (
    NO_SEGMENT,
    SHARE_COLUMNS,
    UNKNOWN,
    reason_shares,
    segment_key,
)
from churnlens.explain.reasons import (
    classify_reasons,
    is_reason_code,
    reason_from_code,
)
from churnlens.inputs.plain_table import read_plain_table
from churnlens.metrics._segments import ordered_segments

__all__ = ["TABLE_REASON_COLUMNS", "table_reasons"]

TABLE_REASON_COLUMNS = (
    *SHARE_COLUMNS,
    "from_code",
    "from_text",
    "top_texts",
)
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
    segments = [""]
    if by:
        values = table.text(by)[flag]
        # Missing segment values group together under a key of their own.
        rows["_seg"] = [segment_key(v) for v in values]
        segments = [segment_key(v) for v in ordered_segments(values)]
    else:
        rows["_seg"] = ""
    coded = texts.map(is_reason_code)
    rows["reason"] = texts.map(reason_from_code).where(coded)
    free = texts.notna() & ~coded
    if free.any():
        found = classify_reasons(texts[free], lang)
        rows.loc[free, "reason"] = found["reason"].to_numpy()
    rows["reason"] = rows["reason"].fillna(UNKNOWN)
    rows["from_code"] = coded.astype("int64")
    rows["from_text"] = free.astype("int64")
    out = _summarise(rows, segments, by, mrr is not None)
    out.attrs["churned"] = int(flag.sum())
    return out


def _summarise(
    rows: pd.DataFrame, segments: list[str], by: str | None, has_mrr: bool
) -> pd.DataFrame:
    out = reason_shares(
        rows,
        pd.DataFrame({"_seg": segments}),
        counts=["from_code", "from_text"],
        mrr_known=has_mrr,
    )
    top = _top_texts(rows)
    out["top_texts"] = [
        top.get((seg, reason), "")
        for seg, reason in zip(out["_seg"], out["reason"], strict=True)
    ]
    lead = []
    if by:
        out[by] = out["_seg"].where(out["_seg"] != NO_SEGMENT, None)
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
