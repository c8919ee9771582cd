"""Measure the cancellation-reason classifier on a labelled CSV.

    python scripts/reason_eval.py [CSV] [--given-lang]

The CSV has columns id, lang, text, reason (a code of churnlens's reason
taxonomy). Each text is classified with its language detected (or, with
``--given-lang``, with the labelled language) and the script prints Markdown
tables: per language (accuracy, macro precision / recall / F1 over the reasons
present in that language, language-detection accuracy), per reason over all
languages, and per language and reason.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from churnlens.explain.reasons import REASONS, classify_reasons

DEFAULT_CSV = Path(__file__).resolve().parents[1] / "tests/explain/data/reason_eval.csv"


def read_eval(path: str | Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"id", "lang", "text", "reason"} - set(frame.columns)
    if missing:
        raise SystemExit(f"{path}: missing columns {sorted(missing)}")
    unknown = sorted(set(frame["reason"]) - set(REASONS))
    if unknown:
        raise SystemExit(f"{path}: reasons outside the taxonomy: {unknown}")
    return frame


def predict(frame: pd.DataFrame, *, given_lang: bool = False) -> pd.DataFrame:
    langs = frame["lang"] if given_lang else None
    found = classify_reasons(frame["text"].reset_index(drop=True), langs=langs)
    out = frame.reset_index(drop=True).copy()
    out["predicted"] = found["reason"]
    out["detected_lang"] = found["lang"]
    return out


def scores(truth: pd.Series, predicted: pd.Series, labels) -> pd.DataFrame:
    """Precision, recall and F1 per label (0 where undefined)."""
    rows = []
    for label in labels:
        tp = int(((truth == label) & (predicted == label)).sum())
        n_pred, n_true = int((predicted == label).sum()), int((truth == label).sum())
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_true if n_true else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append(
            {"reason": label, "n": n_true, "precision": p, "recall": r, "f1": f1}
        )
    return pd.DataFrame(rows)


def evaluate(pred: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three tables: ``by_language``, ``by_reason`` and ``detail``."""
    per_lang, detail = [], []
    for lang, group in pred.groupby("lang", sort=True):
        labels = [r for r in REASONS if r in set(group["reason"])]
        table = scores(group["reason"], group["predicted"], labels)
        per_lang.append(
            {
                "lang": lang,
                "n": len(group),
                "accuracy": (group["reason"] == group["predicted"]).mean(),
                "macro_precision": table["precision"].mean(),
                "macro_recall": table["recall"].mean(),
                "macro_f1": table["f1"].mean(),
                "lang_detected": (group["lang"] == group["detected_lang"]).mean(),
            }
        )
        detail.append(table.assign(lang=lang))
    labels = [r for r in REASONS if r in set(pred["reason"])]
    by_reason = scores(pred["reason"], pred["predicted"], labels)
    overall = {
        "lang": "all",
        "n": len(pred),
        "accuracy": (pred["reason"] == pred["predicted"]).mean(),
        "macro_precision": by_reason["precision"].mean(),
        "macro_recall": by_reason["recall"].mean(),
        "macro_f1": by_reason["f1"].mean(),
        "lang_detected": (pred["lang"] == pred["detected_lang"]).mean(),
    }
    detail_frame = pd.concat(detail, ignore_index=True)
    return {
        "by_language": pd.DataFrame([*per_lang, overall]),
        "by_reason": by_reason,
        "detail": detail_frame[["lang", "reason", "n", "precision", "recall", "f1"]],
    }


def to_markdown(frame: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(cell(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> dict[str, pd.DataFrame]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument(
        "--given-lang",
        action="store_true",
        help="use the labelled language instead of detecting it",
    )
    args = parser.parse_args(argv)
    tables = evaluate(predict(read_eval(args.csv), given_lang=args.given_lang))
    mode = "given" if args.given_lang else "detected"
    print(f"Reason classifier on {args.csv} (language {mode})\n")
    for title, key in [
        ("By language", "by_language"),
        ("By reason", "by_reason"),
        ("By language and reason", "detail"),
    ]:
        print(f"### {title}\n\n{to_markdown(tables[key])}\n")
    return tables


if __name__ == "__main__":
    main(sys.argv[1:])
