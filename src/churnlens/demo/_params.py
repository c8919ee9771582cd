"""Northwind Cloud's settings and the true effects the generator plants.

Everything a test or a model check may want to compare against lives here, once:
the demo's ground truth is written from these constants, never restated by hand.
Dates are offsets in whole months from ``start`` so that any ``start`` gives the
same story (a price increase after 15 months, an understaffed winter, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

COMPANY = "Northwind Cloud"

PLANS = ("starter", "team", "business", "enterprise")
SEGMENTS = ("smb", "mid_market", "enterprise")
BILLING = ("monthly", "annual")
CURRENCIES = ("EUR", "USD", "GBP", "PLN", "DKK")
LANGUAGES = ("en", "pl", "lt", "da", "vi", "sl")
REASONS = (
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "customer_service",
    "too_complex",
    "low_quality",
    "other",
)
CHANNELS = ("email", "chat", "phone", "web")
CATEGORIES = (
    "how_to",
    "bug",
    "billing",
    "access",
    "integration",
    "feature_request",
    "performance",
    "data_export",
)
EVENTS = ("login", "report_run", "export", "api_call")

DAY = 86_400
HOUR = 3_600
WEEK = 7 * DAY
# The hazard's time unit: an average calendar month.
MONTH = 30.4375 * DAY
# Marks "never" inside the simulation; far from any real instant and safe to add to.
NEVER = 2**62


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    currency: str
    tz: str
    weight: float
    # Standard-time offset, used only to place sign-ups in local office hours.
    utc_hours: int
    owners: tuple[str, ...]


_UK_OWNERS = ("Oliver Bennett", "Charlotte Hughes", "Priya Shah")
_EU_OWNERS = ("Hannah Vermeulen", "Lukas Becker")

COUNTRIES = (
    Country(
        "PL",
        "pl",
        "PLN",
        "Europe/Warsaw",
        0.20,
        1,
        ("Agnieszka Nowak", "Tomasz Wiśniewski", "Katarzyna Wójcik"),
    ),
    Country(
        "DK",
        "da",
        "DKK",
        "Europe/Copenhagen",
        0.12,
        1,
        ("Mette Sørensen", "Jesper Højgaard", "Line Kjær"),
    ),
    Country(
        "LT",
        "lt",
        "EUR",
        "Europe/Vilnius",
        0.08,
        2,
        ("Rūta Kazlauskienė", "Mantas Petrauskas"),
    ),
    Country(
        "SI", "sl", "EUR", "Europe/Ljubljana", 0.07, 1, ("Špela Kovač", "Matej Horvat")
    ),
    Country(
        "VN",
        "vi",
        "USD",
        "Asia/Ho_Chi_Minh",
        0.14,
        7,
        ("Nguyễn Thị Hương", "Trần Quốc Bảo", "Lê Minh Châu"),
    ),
    Country("GB", "en", "GBP", "Europe/London", 0.13, 0, _UK_OWNERS),
    Country(
        "US",
        "en",
        "USD",
        "America/New_York",
        0.18,
        -5,
        ("Emily Carter", "Marcus Johnson", "Sofia Ramirez", "Daniel Kim"),
    ),
    Country("IE", "en", "EUR", "Europe/Dublin", 0.03, 0, _UK_OWNERS),
    Country("DE", "en", "EUR", "Europe/Berlin", 0.03, 1, _EU_OWNERS),
    Country("NL", "en", "EUR", "Europe/Amsterdam", 0.02, 1, _EU_OWNERS),
)
# Share of customers in a non-English market who pick English as their language.
ENGLISH_SHARE = 0.08

# --- acquisition ------------------------------------------------------------------
ACQUISITION_GROWTH = 0.45  # log growth of sign-ups per year
SEASON = (1.15, 1.10, 1.10, 1.00, 1.00, 0.90, 0.75, 0.75, 1.10, 1.10, 1.05, 0.80)
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.30)  # Monday first
SEGMENT_MIX = (0.75, 0.20, 0.05)
# Seats: lognormal (median, sigma) clipped to (low, high), per segment.
SEATS = ((3.0, 0.7, 1, 40), (25.0, 0.5, 8, 200), (180.0, 0.6, 50, 3000))
PLAN_MIX = (  # per segment, over PLANS
    (0.55, 0.40, 0.05, 0.00),
    (0.00, 0.35, 0.55, 0.10),
    (0.00, 0.00, 0.30, 0.70),
)
ANNUAL_SHARE = (0.20, 0.40, 0.70)  # per segment
ENTERPRISE_DISCOUNTS = (0.0, 0.10, 0.15, 0.20, 0.25, 0.30)
ZERO_LENGTH_SHARE = 0.006  # sign-ups whose trial ends the instant it starts
SAME_DAY_CANCEL_SHARE = 0.005  # sign-ups who ask to cancel within hours

# --- prices -----------------------------------------------------------------------
# Monthly list price: flat for starter, per seat for the others.
LIST_PRICE = {
    "EUR": (19, 12, 24, 39),
    "USD": (19, 13, 26, 42),
    "GBP": (16, 10, 21, 34),
    "PLN": (79, 49, 99, 159),
    "DKK": (139, 89, 179, 289),
}
MIN_SEATS = (1, 3, 5, 20)
ANNUAL_MONTHS_CHARGED = 10  # an annual plan costs ten months of the monthly price
# (months after start, multiplier per plan); applied at each subscription's next
# renewal boundary, new sign-ups pay the new list price at once.
PRICE_CHANGES = (
    (15, (1.25, 1.15, 1.0, 1.0)),
    (27, (1.0, 1.0, 1.12, 1.08)),
)

# --- the churn hazard ---------------------------------------------------------------
REFERENCE_RATE = 0.055  # requests per month: starter, smb, monthly, tenure < 3 months
PLAN_HR = (1.0, 0.8, 0.6, 0.45)
SEGMENT_HR = (1.0, 0.75, 0.55)
BILLING_HR = (1.0, 0.5)
# (from_months, to_months or None, hazard ratio) on tenure in the current spell.
TENURE_BANDS = ((0, 3, 1.0), (3, 12, 0.75), (12, 24, 0.55), (24, None, 0.45))


@dataclass(frozen=True)
class Covariate:
    name: str
    log_hazard_ratio: float
    window_days: int
    definition: str

    @property
    def hazard_ratio(self) -> float:
        return math.exp(self.log_hazard_ratio)


COVARIATES = (
    Covariate(
        "slow_first_response",
        0.6,
        90,
        "the mean of first_response_at - created_at over the customer's tickets with "
        "created_at in [t - 90 days, t) and first_response_at <= t is above 24 hours",
    ),
    Covariate(
        "low_satisfaction",
        0.8,
        90,
        "some ticket of the customer has satisfaction <= 2 and resolved_at in "
        "[t - 90 days, t) (ratings are given when a ticket is resolved)",
    ),
    Covariate(
        "open_ticket_over_7d",
        0.4,
        7,
        "some ticket of the customer has created_at <= t - 7 days and is not "
        "resolved at t (resolved_at empty or after t)",
    ),
    Covariate(
        "price_increase",
        0.5,
        90,
        "a repricing started in [t - 90 days, t): one subscription row ends and the "
        "next starts at the same instant with the same plan and billing_period and "
        "a higher mrr (a list-price increase reaching the customer at renewal)",
    ),
)
COVARIATE_NAMES = tuple(c.name for c in COVARIATES)
SLOW_RESPONSE_HOURS = 24.0
LOW_SATISFACTION_MAX = 2
OPEN_TICKET_DAYS = 7

# --- plan changes (per month for monthly billing; per renewal for annual) ----------
UPGRADE_RATE = (0.015, 0.012, 0.008, 0.0)
DOWNGRADE_RATE = (0.0, 0.006, 0.006, 0.010)
ANNUAL_UPGRADE_P = (0.08, 0.08, 0.05, 0.0)
ANNUAL_DOWNGRADE_P = (0.0, 0.05, 0.05, 0.05)

# --- causes, reasons and returns -----------------------------------------------------
CAUSES = ("baseline", *COVARIATE_NAMES, "same_day_cancel", "zero_length_trial")
# Probability of each cancel_reason (over REASONS) given the realised cause.
REASON_GIVEN_CAUSE = {
    "baseline": (0.22, 0.20, 0.15, 0.22, 0.03, 0.08, 0.05, 0.05),
    "slow_first_response": (0.0, 0.0, 0.10, 0.0, 0.70, 0.0, 0.10, 0.10),
    "low_satisfaction": (0.0, 0.0, 0.10, 0.0, 0.45, 0.0, 0.35, 0.10),
    "open_ticket_over_7d": (0.0, 0.15, 0.0, 0.0, 0.35, 0.0, 0.40, 0.10),
    "price_increase": (0.80, 0.0, 0.15, 0.0, 0.0, 0.0, 0.0, 0.05),
    "same_day_cancel": (0.20, 0.0, 0.0, 0.30, 0.0, 0.30, 0.0, 0.20),
    "zero_length_trial": (0.0, 0.0, 0.0, 0.60, 0.0, 0.0, 0.0, 0.40),
}
REASON_REPORTED_P = 0.75  # cancel_reason is empty otherwise
FEEDBACK_P = 0.65  # of those with a reason, the share who also write a comment
FEEDBACK_IN_ENGLISH_P = 0.08  # non-English customers writing feedback in English
RETURN_P = {  # probability that a churned customer comes back, by cause
    "baseline": 0.15,
    "slow_first_response": 0.08,
    "low_satisfaction": 0.07,
    "open_ticket_over_7d": 0.08,
    "price_increase": 0.12,
    "same_day_cancel": 0.05,
    "zero_length_trial": 0.25,
}
RETURN_GAP_DAYS = (70.0, 0.7, 14.0)  # lognormal median, sigma, minimum
RETURN_SAME_PLAN_P = 0.7
RETURN_MONTHLY_P = 0.8

# --- support -------------------------------------------------------------------------
TICKET_RATE = (0.20, 0.50, 1.00)  # tickets per customer-month, per segment
TICKET_FRAILTY_SHAPE = 1.5  # gamma frailty: some customers hit more product issues
ONBOARDING_DAYS, ONBOARDING_FACTOR = 60, 1.8
PENDING_TICKET_FACTOR = 0.6
INCIDENT_MONTHS = (16, 25)  # [from, to) months: a buggy release, more bug tickets
INCIDENT_FACTOR = 2.2
UNDERSTAFFED_MONTHS = (10, 11, 12, 29, 30, 31)  # two three-month support backlogs
BACKLOG_FACTOR = 3.0
CHANNEL_MIX = (  # per segment, over CHANNELS
    (0.45, 0.35, 0.05, 0.15),
    (0.45, 0.25, 0.15, 0.15),
    (0.40, 0.20, 0.25, 0.15),
)
FRT_MEDIAN_HOURS = (6.0, 0.08, 0.03, 9.0)  # per channel
FRT_SIGMA = (1.3, 0.9, 0.6, 1.3)
FRT_LANGUAGE_FACTOR = (1.0, 1.0, 1.3, 1.0, 1.5, 1.2)  # smaller teams for lt, vi, sl
FRT_SEGMENT_FACTOR = (1.0, 0.7, 0.4)  # larger accounts are answered first
CATEGORY_MIX = (0.22, 0.18, 0.14, 0.12, 0.10, 0.10, 0.08, 0.06)
INCIDENT_CATEGORY_BOOST = (1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0)
RESOLVE_MEDIAN_HOURS, RESOLVE_SIGMA = 18.0, 1.5
RESOLVE_CATEGORY_FACTOR = (0.6, 2.5, 0.8, 0.5, 1.8, 1.0, 1.5, 1.2)
STUCK_P = 0.025  # tickets that are never resolved
RATED_P = 0.45

# --- usage ---------------------------------------------------------------------------
ADOPTION_P = (  # per segment, over EVENTS: share of customers using each feature
    (1.0, 0.45, 0.20, 0.03),
    (1.0, 0.65, 0.35, 0.30),
    (1.0, 0.80, 0.50, 0.60),
)
WEEKLY_PER_USER = (2.5, 0.5, 0.15, 0.0)
API_CALLS_PER_WEEK = 400.0
DECLINER_P = 0.8  # churners whose usage fades before they ask to cancel
DECLINE_WEEKS = (3, 10)  # the fade starts this many weeks before canceled_at
DECLINE_FLOOR = 0.2
AFTER_CANCEL_FACTOR = (0.15, 0.5)  # usage after canceled_at: decliners, others
