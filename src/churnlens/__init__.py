"""churnlens: measure customer churn, explain it, and keep customers.

The public API is flat: everything a user needs is importable from ``churnlens``.

>>> import churnlens
>>> table = churnlens.churn_rate("subscriptions.csv", period="month")  # doctest: +SKIP
"""

from __future__ import annotations

from churnlens.actions.contact_list import CONTACT_COLUMNS, contact_list
from churnlens.actions.exporters import (
    ExportError,
    export_liveagent,
    export_zendesk,
    post_webhook,
    write_contact_list,
)
from churnlens.actions.loyalty import LOYAL_COLUMNS, loyal_customers
from churnlens.actions.outreach import (
    OUTCOMES,
    OutreachReport,
    log_outreach,
    outreach_log,
    outreach_report,
)
from churnlens.actions.snapshots import (
    assign_holdout,
    contact_list_snapshot,
    save_contact_list,
)
from churnlens.demo import DemoFiles, generate_demo
from churnlens.errors import (
    ChurnlensError,
    ConfigError,
    EngineError,
    InputError,
    RejectedRowsError,
    SchemaError,
)
from churnlens.explain import (
    SupportImpact,
    TableImpact,
    churn_reasons,
    reason_trends,
    support_impact,
    table_reasons,
    table_support_impact,
)
from churnlens.explain.reasons import (
    classify_reason,
    classify_reasons,
    reason_from_code,
)
from churnlens.inputs import QUARANTINE_SCHEMA, ReadResult, read_table
from churnlens.inputs.load import IngestReport, SourceReport, ingest
from churnlens.metrics import CHURN_COLUMNS, churn_rate
from churnlens.metrics.calculator import churn_from_counts
from churnlens.metrics.cohorts import cohort_table
from churnlens.metrics.conventions import CONVENTIONS
from churnlens.metrics.lifetimes import lifetime_table
from churnlens.metrics.reconcile import Reconciliation, reconcile
from churnlens.metrics.revenue import (
    MOVEMENT_COLUMNS,
    mrr_movement_customers,
    mrr_movements,
    rates_from_movements,
    revenue_churn,
)
from churnlens.metrics.support import SUPPORT_COLUMNS, support_measures
from churnlens.models import (
    CoxTimeVarying,
    KaplanMeier,
    LogrankResult,
    NotFittedError,
    SBGModel,
    SurvivalAnalysis,
    logrank_test,
    survival_analysis,
    survival_curve,
)
from churnlens.models.ltv import LTV_COLUMNS, lifetime_value
from churnlens.models.risk import (
    RiskModel,
    risk_backtest,
    risk_features,
    risk_reasons,
    risk_target,
    train_risk_model,
)
from churnlens.periods import PERIODS, Calendar
from churnlens.report import build_report
from churnlens.schema import TABLES
from churnlens.sources import RejectedRowsWarning
from churnlens.spells import spells
from churnlens.store import Store

__all__ = [
    "CHURN_COLUMNS",
    "CONVENTIONS",
    "PERIODS",
    "QUARANTINE_SCHEMA",
    "SUPPORT_COLUMNS",
    "TABLES",
    "Calendar",
    "ChurnlensError",
    "ConfigError",
    "CoxTimeVarying",
    "DemoFiles",
    "EngineError",
    "IngestReport",
    "InputError",
    "KaplanMeier",
    "MOVEMENT_COLUMNS",
    "LTV_COLUMNS",
    "LogrankResult",
    "NotFittedError",
    "ReadResult",
    "Reconciliation",
    "RejectedRowsError",
    "RejectedRowsWarning",
    "SBGModel",
    "SchemaError",
    "SourceReport",
    "Store",
    "SurvivalAnalysis",
    "build_report",
    "churn_from_counts",
    "churn_rate",
    "cohort_table",
    "classify_reason",
    "classify_reasons",
    "generate_demo",
    "ingest",
    "lifetime_value",
    "mrr_movement_customers",
    "mrr_movements",
    "lifetime_table",
    "logrank_test",
    "read_table",
    "reconcile",
    "rates_from_movements",
    "revenue_churn",
    "reason_from_code",
    "spells",
    "support_measures",
    "survival_analysis",
    "survival_curve",
    "ExportError",
    "export_liveagent",
    "export_zendesk",
    "post_webhook",
    "write_contact_list",
    "LOYAL_COLUMNS",
    "loyal_customers",
    "OUTCOMES",
    "OutreachReport",
    "log_outreach",
    "outreach_log",
    "outreach_report",
    "assign_holdout",
    "contact_list_snapshot",
    "save_contact_list",
    "SupportImpact",
    "TableImpact",
    "churn_reasons",
    "reason_trends",
    "support_impact",
    "table_reasons",
    "table_support_impact",
    "CONTACT_COLUMNS",
    "contact_list",
    "RiskModel",
    "risk_backtest",
    "risk_features",
    "risk_reasons",
    "risk_target",
    "train_risk_model",
]
