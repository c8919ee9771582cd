"""The HTML report: results of the public API as charts, in six languages."""

from __future__ import annotations

from churnlens.report.html import build_report
from churnlens.report.i18n import LANGUAGES

__all__ = ["LANGUAGES", "build_report"]
